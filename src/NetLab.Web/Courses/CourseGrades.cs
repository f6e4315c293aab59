using System.Globalization;
using Dapper;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>One student's grade in one assignment: their last submission (null fields when they submitted nothing).</summary>
public sealed record GradeRow(string UserName, string DisplayName, string Assignment, DateTimeOffset? Submitted, bool? Late, int? Passed, int? Total);

/// <summary>
/// A course's grades for its instructor (issue 13 section 4): one row per enrolled student and assignment, with the
/// student's last submission, as the store recorded it from the graded run. Anyone else gets "no such course".
/// </summary>
public sealed class CourseGrades(SqliteDatabase database, CourseStore courses, ILogger<CourseGrades> logger)
{
    /// <summary>The columns of grades.csv, in order.</summary>
    public static readonly IReadOnlyList<string> Header = ["username", "display_name", "assignment", "submitted_at", "late", "passed", "total"];

    /// <summary>
    /// The course's grades, by student name then assignment publication; null when <paramref name="instructor"/> does not
    /// teach course <paramref name="courseId"/> (or there is none): logged.
    /// </summary>
    public async Task<IReadOnlyList<GradeRow>?> ListAsync(CurrentUser instructor, long courseId)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        if (await courses.TaughtCourseAsync(instructor, courseId) is null)
        {
            logger.LogWarning("Refused the grades of course {CourseId} to {User} (account {UserId}): not a course they teach", courseId, instructor.Name, instructor.Id);
            return null;
        }

        using var connection = database.Open();
        var rows = await connection.QueryAsync<Row>(
            "SELECT u.name AS UserName, u.display_name AS DisplayName, a.title AS Assignment, " +
            "s.submitted_ms AS SubmittedMs, s.late AS Late, s.passed AS Passed, s.total AS Total " +
            "FROM courses c JOIN enrolments e ON e.course_id = c.id JOIN users u ON u.id = e.student_id " +
            "JOIN assignments a ON a.course_id = c.id " +
            // The last submission counts, as on the overview (a student may submit again).
            "LEFT JOIN submissions s ON s.id = (SELECT id FROM submissions WHERE assignment_id = a.id AND student_id = u.id ORDER BY submitted_ms DESC, id DESC LIMIT 1) " +
            "WHERE c.id = @courseId AND c.instructor_id = @instructorId ORDER BY u.name COLLATE NOCASE, a.published_ms, a.id",
            new { courseId, instructorId = instructor.Id });
        return [.. rows.Select(r => new GradeRow(
            r.UserName, r.DisplayName, r.Assignment,
            r.SubmittedMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            r.Late is { } late ? late != 0 : null,
            (int?)r.Passed, (int?)r.Total))];
    }

    /// <summary>The grades as CSV (<see cref="Header"/>), times in UTC ISO 8601, formula-looking cells escaped (<see cref="SpreadsheetCsv"/>).</summary>
    public static string ToCsv(IEnumerable<GradeRow> grades) => SpreadsheetCsv.Write(Header, grades.Select(g => (IReadOnlyList<string?>)
    [
        g.UserName,
        g.DisplayName,
        g.Assignment,
        g.Submitted?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        g.Late is { } late ? (late ? "yes" : "no") : null,
        g.Passed?.ToString(CultureInfo.InvariantCulture),
        g.Total?.ToString(CultureInfo.InvariantCulture),
    ]));

    /// <summary>GET /courses/{courseId}/grades.csv: the course's instructor's; anyone else, the answer of a course that does not exist (logged).</summary>
    public static async Task<IResult> HandleAsync(long courseId, CourseGrades grades, CurrentUser user)
    {
        ArgumentNullException.ThrowIfNull(grades);
        ArgumentNullException.ThrowIfNull(user);
        if (await grades.ListAsync(user, courseId) is not { } rows)
        {
            return Results.NotFound($"There is no course {courseId} of yours: the grades of a course are its instructor's, from the course's page.");
        }

        return Results.File(System.Text.Encoding.UTF8.GetBytes(ToCsv(rows)), "text/csv", $"course-{courseId.ToString(CultureInfo.InvariantCulture)}-grades.csv");
    }

    private sealed class Row
    {
        public string UserName { get; init; } = "";

        public string DisplayName { get; init; } = "";

        public string Assignment { get; init; } = "";

        public long? SubmittedMs { get; init; }

        public long? Late { get; init; }

        public long? Passed { get; init; }

        public long? Total { get; init; }
    }
}
