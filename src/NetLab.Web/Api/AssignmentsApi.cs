using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>A hand-in: the submission recorded and the grade it was made from.</summary>
public sealed record ApiSubmitted(Submission Submission, ApiGrade Grade);

/// <summary>
/// One assignment: its instructor reads the overview (one row per enrolled student) and every submission; an enrolled
/// student opens their own copy (a lab of theirs, made once) and submits it, graded against the assignment's checks as
/// published (<see cref="AssignmentSubmission"/>, as the lab page's Submit does), and reads their own submissions.
/// </summary>
public static class AssignmentsApi
{
    private const string AssignmentWord = "assignment";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/assignments/{assignmentId:long}", GetAsync);
        api.MapGet("/assignments/{assignmentId:long}/overview", OverviewAsync);
        api.MapGet("/assignments/{assignmentId:long}/submissions", SubmissionsAsync);
        api.MapPost("/assignments/{assignmentId:long}/copy", CopyAsync);
        api.MapPost("/assignments/{assignmentId:long}/submit", SubmitAsync);
    }

    private static async Task<IResult> GetAsync(long assignmentId, HttpContext context, CourseStore courses, ILogger<ApiAssignment> logger)
    {
        var user = JsonApi.UserOf(context);
        return await courses.GetAssignmentAsync(user, assignmentId) is { } assignment
            ? ApiAnswers.Ok(ApiAssignment.Of(assignment))
            : ApiAnswers.NotFound(logger, user, AssignmentWord, assignmentId);
    }

    private static async Task<IResult> OverviewAsync(long assignmentId, HttpContext context, CourseStore courses, ILogger<ApiAssignment> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await TaughtAsync(user, assignmentId, courses, logger) is { } refused)
        {
            return refused;
        }

        return ApiAnswers.Ok(await courses.OverviewAsync(user, assignmentId));
    }

    private static async Task<IResult> SubmissionsAsync(long assignmentId, HttpContext context, CourseStore courses, ILogger<ApiAssignment> logger)
    {
        var user = JsonApi.UserOf(context);
        // Its instructor reads everyone's; an enrolled student their own (the store filters).
        if (await courses.GetAssignmentAsync(user, assignmentId) is null)
        {
            return ApiAnswers.NotFound(logger, user, AssignmentWord, assignmentId);
        }

        return ApiAnswers.Ok(await courses.ListSubmissionsAsync(user, assignmentId));
    }

    private static async Task<IResult> CopyAsync(long assignmentId, HttpContext context, CourseStore courses, ILogger<ApiAssignment> logger)
    {
        var user = JsonApi.UserOf(context);
        if (user.Role != UserRole.Student)
        {
            return ApiAnswers.WrongRole(user, "student");
        }

        if (await courses.GetAssignmentAsync(user, assignmentId) is null)
        {
            return ApiAnswers.NotFound(logger, user, AssignmentWord, assignmentId);
        }

        var copy = await courses.OpenCopyAsync(user, assignmentId);
        return copy.Succeeded ? ApiAnswers.Ok(ApiLab.Of(copy.Value!)) : ApiAnswers.Refused(copy.Problems, "Your copy");
    }

    private static async Task<IResult> SubmitAsync(long assignmentId, HttpContext context, CourseStore courses, AssignmentSubmission submission, ILogger<ApiAssignment> logger)
    {
        var user = JsonApi.UserOf(context);
        if (user.Role != UserRole.Student)
        {
            return ApiAnswers.WrongRole(user, "student");
        }

        if (await courses.GetAssignmentAsync(user, assignmentId) is null)
        {
            return ApiAnswers.NotFound(logger, user, AssignmentWord, assignmentId);
        }

        if (await courses.CopyOfAsync(user.Id, assignmentId) is not { } copy)
        {
            return ApiAnswers.Fail(StatusCodes.Status409Conflict, "no-copy",
                $"You have no copy of assignment {assignmentId} yet: open it (POST /api/assignments/{assignmentId}/copy), apply it and submit again.");
        }

        var outcome = await submission.SubmitAsync(user, copy.Id, context.RequestAborted);
        if (outcome.Submission is { } submitted && outcome.Grading is { Grade: not null } grading)
        {
            return ApiAnswers.Ok(new ApiSubmitted(submitted, ApiGrade.Of(copy.Id, grading)));
        }

        // No grade: why, as a check answers it (not applied, the agent). A grade but no submission: the store said why.
        return outcome.Grading is { Grade: null } failed
            ? LabsApi.Graded(copy.Id, failed)
            : ApiAnswers.Fail(StatusCodes.Status409Conflict, "not-submitted", outcome.Error ?? "Nothing was submitted.");
    }

    /// <summary>Null when <paramref name="user"/> is an instructor and the assignment is of a course they teach; else 403 (a student) or 404.</summary>
    internal static async Task<IResult?> TaughtAsync(CurrentUser user, long assignmentId, CourseStore courses, ILogger logger)
    {
        if (user.Role != UserRole.Instructor)
        {
            return ApiAnswers.WrongRole(user, "instructor");
        }

        return await courses.GetAssignmentAsync(user, assignmentId) is { } assignment && await courses.TaughtCourseAsync(user, assignment.CourseId) is not null
            ? null
            : ApiAnswers.NotFound(logger, user, AssignmentWord, assignmentId);
    }
}
