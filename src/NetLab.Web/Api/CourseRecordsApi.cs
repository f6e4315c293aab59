using NetLab.Web.Courses;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>A student's copy reset: the copy's new current revision (the template).</summary>
public sealed record ApiReset(long LabId, int Revision, string Note, DateTimeOffset Created);

/// <summary>
/// What an instructor does to a course's students' copies and records beyond the roster and assignments, as the pages
/// do it: reset a student's copy and destroy all applied copies of an assignment (<see cref="AssignmentLabs"/>), read the
/// course's audit log (<see cref="AuditLog"/>) and its grades (<see cref="CourseGrades"/>; the CSV download is
/// <c>/courses/{id}/grades.csv</c>). Instructors only (a student gets 403 whatever the id); an assignment or course
/// not theirs, or none, is 404 like a missing one.
/// </summary>
public static class CourseRecordsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/assignments/{assignmentId:long}/students/{studentId:long}/reset", ResetAsync);
        api.MapPost("/assignments/{assignmentId:long}/destroy-all", DestroyAllAsync);
        api.MapGet("/courses/{courseId:long}/audit", AuditAsync);
        api.MapGet("/courses/{courseId:long}/grades", GradesAsync);
    }

    private static async Task<IResult> ResetAsync(long assignmentId, long studentId, HttpContext context, CourseStore courses, AssignmentLabs labs, ILogger<ApiReset> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await AssignmentsApi.TaughtAsync(user, assignmentId, courses, logger) is { } refused)
        {
            return refused;
        }

        var reset = await labs.ResetAsync(user, assignmentId, studentId, context.RequestAborted);
        return reset.Revision is { } revision
            ? ApiAnswers.Ok(new ApiReset(revision.LabId, revision.Number, revision.Note, revision.Created))
            : ApiAnswers.Fail(StatusCodes.Status409Conflict, "not-reset", reset.Error ?? "The copy was not reset.");
    }

    private static async Task<IResult> DestroyAllAsync(long assignmentId, HttpContext context, CourseStore courses, AssignmentLabs labs, ILogger<ApiReset> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await AssignmentsApi.TaughtAsync(user, assignmentId, courses, logger) is { } refused)
        {
            return refused;
        }

        // Every copy is tried, past failures; the answer lists each failure with why (200 also when some failed).
        var outcome = await labs.DestroyAllAsync(user, assignmentId, _ => { }, context.RequestAborted);
        return outcome.Error is { } error
            ? ApiAnswers.Fail(StatusCodes.Status409Conflict, "not-destroyed", error)
            : ApiAnswers.Ok(outcome);
    }

    private static async Task<IResult> AuditAsync(long courseId, int? page, HttpContext context, CourseStore courses, AuditLog audit, ILogger<ApiReset> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await CoursesApi.TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        if (page is < 1)
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "bad-page", $"page {page} is not a page: pages count from 1 (?page=1 is the newest).");
        }

        return await audit.ReadAsync(user, courseId, page ?? 1) is { } read
            ? ApiAnswers.Ok(read)
            : ApiAnswers.NotFound(logger, user, "course", courseId);
    }

    private static async Task<IResult> GradesAsync(long courseId, HttpContext context, CourseStore courses, CourseGrades grades, ILogger<ApiReset> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await CoursesApi.TaughtAsync(user, courseId, courses, logger) is { } refused)
        {
            return refused;
        }

        return await grades.ListAsync(user, courseId) is { } rows
            ? ApiAnswers.Ok(rows)
            : ApiAnswers.NotFound(logger, user, "course", courseId);
    }
}
