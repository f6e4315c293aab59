using System.Text;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>A course, and whether the signed-in user teaches it or is enrolled in it.</summary>
public sealed record ApiCourse(long Id, string Name, long InstructorId, DateTimeOffset Created, bool Teaching)
{
    public static ApiCourse Of(Course course, CurrentUser user)
    {
        ArgumentNullException.ThrowIfNull(course);
        ArgumentNullException.ThrowIfNull(user);
        return new(course.Id, course.Name, course.InstructorId, course.Created, course.InstructorId == user.Id);
    }
}

/// <summary><c>POST /api/courses</c>.</summary>
public sealed record CreateCourseRequest(string? Name = null);

/// <summary><c>POST /api/courses/{id}/students</c>: an existing student account's user name.</summary>
public sealed record EnrolRequest(string? User = null);

/// <summary>A roster imported: every line's account, created ones with their one-time password (shown this once only).</summary>
public sealed record ApiRoster(IReadOnlyList<RosterEntry> Entries);

/// <summary>An assignment as published (its template, guide and checks as they were then).</summary>
public sealed record ApiAssignment(
    long Id,
    long CourseId,
    string Title,
    DateTimeOffset? Starts,
    DateTimeOffset? Due,
    DateTimeOffset Published,
    bool ShowExplanations,
    string TemplateYaml,
    string Guide,
    string Checks)
{
    public static ApiAssignment Of(Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return new(assignment.Id, assignment.CourseId, assignment.Title, assignment.Starts, assignment.Due, assignment.Published,
            assignment.ShowExplanations, assignment.TemplateYaml, assignment.Guide, assignment.Checks);
    }
}

/// <summary>
/// <c>POST /api/courses/{id}/assignments</c>: a title and exactly one source (a template's name, one of the
/// instructor's labs, or YAML); checks as text, or generated from the source's predictions; times as ISO 8601.
/// </summary>
public sealed record PublishRequest(
    string? Title = null,
    string? Template = null,
    long? Lab = null,
    string? Yaml = null,
    string? Guide = null,
    string? Checks = null,
    bool GenerateChecks = false,
    bool ShowExplanations = true,
    DateTimeOffset? Starts = null,
    DateTimeOffset? Due = null);

/// <summary>
/// Courses: a student lists the ones they are enrolled in and reads them and their open assignments; an instructor
/// creates courses, keeps their rosters (enrol, remove, import CSV) and publishes assignments, through
/// <see cref="CourseStore"/>, <see cref="RosterImport"/> and <see cref="AssignmentSources"/> as the course page does.
/// Instructor-only routes answer a student 403 whatever the id; a course not the caller's (or none) is 404.
/// </summary>
public static class CoursesApi
{
    private const string CourseWord = "course";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/courses", ListAsync);
        api.MapPost("/courses", CreateAsync);
        api.MapGet("/courses/{courseId:long}", GetAsync);
        api.MapGet("/courses/{courseId:long}/students", StudentsAsync);
        api.MapPost("/courses/{courseId:long}/students", EnrolAsync);
        api.MapDelete("/courses/{courseId:long}/students/{studentId:long}", UnenrolAsync);
        api.MapPost("/courses/{courseId:long}/roster", ImportRosterAsync);
        api.MapGet("/courses/{courseId:long}/assignments", AssignmentsAsync);
        api.MapPost("/courses/{courseId:long}/assignments", PublishAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, CourseStore courses)
    {
        var user = JsonApi.UserOf(context);
        return ApiAnswers.Ok((await courses.ListCoursesAsync(user)).Select(c => ApiCourse.Of(c, user)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CourseStore courses)
    {
        var user = JsonApi.UserOf(context);
        if (user.Role != UserRole.Instructor)
        {
            return ApiAnswers.WrongRole(user, "instructor");
        }

        var (request, refusal) = await ApiAnswers.ReadJsonAsync<CreateCourseRequest>(context);
        if (refusal is not null)
        {
            return refusal;
        }

        var created = await courses.CreateCourseAsync(user, request!.Name ?? string.Empty);
        return created.Succeeded
            ? ApiAnswers.Ok(ApiCourse.Of(created.Value!, user), StatusCodes.Status201Created)
            : ApiAnswers.Refused(created.Problems, "The course");
    }

    private static async Task<IResult> GetAsync(long courseId, HttpContext context, CourseStore courses, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        return await courses.GetCourseAsync(user, courseId) is { } course
            ? ApiAnswers.Ok(ApiCourse.Of(course, user))
            : ApiAnswers.NotFound(logger, user, CourseWord, courseId);
    }

    private static async Task<IResult> StudentsAsync(long courseId, HttpContext context, CourseStore courses, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        return ApiAnswers.Ok(await courses.ListStudentsAsync(user, courseId));
    }

    private static async Task<IResult> EnrolAsync(long courseId, HttpContext context, CourseStore courses, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        var (request, refusal) = await ApiAnswers.ReadJsonAsync<EnrolRequest>(context);
        if (refusal is not null)
        {
            return refusal;
        }

        var enrolled = await courses.EnrolAsync(user, courseId, request!.User ?? string.Empty);
        if (!enrolled.Succeeded)
        {
            return ApiAnswers.Refused(enrolled.Problems, "The enrolment");
        }

        var student = (await courses.ListStudentsAsync(user, courseId)).FirstOrDefault(s => s.Id == enrolled.Value!.Id);
        return student is null ? ApiAnswers.NotFound(logger, user, CourseWord, courseId) : ApiAnswers.Ok(student);
    }

    private static async Task<IResult> UnenrolAsync(long courseId, long studentId, HttpContext context, CourseStore courses, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        return await courses.UnenrolAsync(user, courseId, studentId)
            ? Results.NoContent()
            : ApiAnswers.Fail(StatusCodes.Status404NotFound, "not-found",
                $"No student {studentId} is enrolled in course {courseId}. List them with GET /api/courses/{courseId}/students.");
    }

    private static async Task<IResult> ImportRosterAsync(long courseId, HttpContext context, CourseStore courses, RosterImport rosters, Microsoft.Extensions.Options.IOptions<NetLab.Web.Accounts.OidcOptions> oidc, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        var (csv, refusal) = await ApiAnswers.ReadTextAsync(context, ApiAnswers.MaxRosterBytes, "roster CSV");
        if (refusal is not null)
        {
            return refusal;
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv!));
        // ?sso=true: new accounts sign in through the school's provider (only where the web has single sign-on).
        var singleSignOn = string.Equals(context.Request.Query["sso"], "true", StringComparison.OrdinalIgnoreCase);
        if (singleSignOn && !oidc.Value.Enabled)
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "no-single-sign-on",
                "This web has no single sign-on (Web:Oidc:Authority is not set): import without ?sso=true, so new accounts get one-time passwords.");
        }

        var imported = await rosters.ImportAsync(user, courseId, stream, singleSignOn, context.RequestAborted);
        if (!imported.Succeeded)
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "invalid-roster",
                $"Nothing was imported: {string.Join("; ", imported.Problems)}. Fix those lines (docs/classroom.md, roster format) and send it again.");
        }

        logger.LogInformation("API: {User} imported a roster of {Count} into course {CourseId} ({Created} accounts created)",
            user.Name, imported.Entries.Count, courseId, imported.Entries.Count(e => e.Created));
        // The one-time passwords are in this answer only: no cache keeps a copy.
        context.Response.Headers.CacheControl = "no-store";
        return ApiAnswers.Ok(new ApiRoster(imported.Entries));
    }

    private static async Task<IResult> AssignmentsAsync(long courseId, HttpContext context, CourseStore courses, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await courses.GetCourseAsync(user, courseId) is null)
        {
            return ApiAnswers.NotFound(logger, user, CourseWord, courseId);
        }

        return ApiAnswers.Ok((await courses.ListAssignmentsAsync(user, courseId)).Select(ApiAssignment.Of).ToList());
    }

    private static async Task<IResult> PublishAsync(long courseId, HttpContext context, CourseStore courses, AssignmentSources sources, ILogger<ApiCourse> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        var (request, refusal) = await ApiAnswers.ReadJsonAsync<PublishRequest>(context);
        if (refusal is not null)
        {
            return refusal;
        }

        if (new object?[] { request!.Template, request.Lab, request.Yaml }.Count(s => s is not null) != 1)
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "bad-request",
                "Say what each student's copy starts from, once: \"template\" (a file of labs/), \"lab\" (the id of one of your labs) or \"yaml\".");
        }

        AssignmentSource? source = request.Template is { } template ? sources.OfTemplate(template)
            : request.Lab is { } labId ? await sources.OfLabAsync(user, labId)
            : new AssignmentSource(request.Yaml!, string.Empty);
        if (source is null)
        {
            return request.Template is not null
                ? ApiAnswers.Fail(StatusCodes.Status400BadRequest, "no-such-template", $"There is no template '{request.Template}': GET /api/templates lists them.")
                : ApiAnswers.NotFound(logger, user, "lab", request.Lab!.Value);
        }

        var checks = request.Checks ?? string.Empty;
        if (request.GenerateChecks)
        {
            if (request.Checks is not null)
            {
                return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "bad-request", "Send checks or generateChecks, not both.");
            }

            checks = AssignmentSources.GeneratedChecks(source) ?? string.Empty;
        }

        var published = await courses.PublishAsync(user, courseId, new AssignmentDraft(
            request.Title ?? string.Empty, source.Yaml, request.Guide ?? source.Guide, checks, request.ShowExplanations, request.Starts, request.Due));
        return published.Succeeded
            ? ApiAnswers.Ok(ApiAssignment.Of(published.Value!), StatusCodes.Status201Created)
            : ApiAnswers.Refused(published.Problems, "The assignment");
    }

    /// <summary>Null when <paramref name="user"/> is an instructor teaching the course; else 403 (a student) or 404 (not their course).</summary>
    internal static async Task<IResult?> TaughtAsync(CurrentUser user, long courseId, CourseStore courses, ILogger logger)
    {
        if (user.Role != UserRole.Instructor)
        {
            return ApiAnswers.WrongRole(user, "instructor");
        }

        return await courses.TaughtCourseAsync(user, courseId) is null ? ApiAnswers.NotFound(logger, user, CourseWord, courseId) : null;
    }
}
