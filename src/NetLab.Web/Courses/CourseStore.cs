using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Labs;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>
/// Courses, rosters, assignments, students' copies and submissions (db/007_courses.sql). Every operation names the
/// user it acts for and answers only what that user may see: a course and its assignments are its instructor's to
/// manage; an enrolled student sees the course and the assignments already open; anyone else gets "not found" (null,
/// or the same refusal as for a course that does not exist), never "forbidden", so ids cannot be probed.
/// </summary>
public sealed class CourseStore(SqliteDatabase database, LabStore labs, UserStore users, TimeProvider time)
{
    public const int MaxNameLength = 100;
    public const int MaxGuideLength = 256 * 1024;

    private const string CourseColumns = "c.id AS Id, c.instructor_id AS InstructorId, c.name AS Name, c.created_ms AS CreatedMs";

    private const string AssignmentColumns =
        "a.id AS Id, a.course_id AS CourseId, a.title AS Title, a.template_yaml AS TemplateYaml, a.guide AS Guide, a.checks AS Checks, " +
        "a.show_explanations AS ShowExplanations, a.starts_ms AS StartsMs, a.due_ms AS DueMs, a.published_ms AS PublishedMs";

    private const int SqliteConstraintError = 19;

    /// <summary>Creates a course of <paramref name="instructor"/>'s.</summary>
    public Task<StoreResult<Course>> CreateCourseAsync(CurrentUser instructor, string name) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(instructor);
        name = name?.Trim() ?? string.Empty;
        if (instructor.Role != UserRole.Instructor)
        {
            return StoreResult<Course>.Refused("role", "only an instructor creates courses", "ask an instructor to create the course and enrol you");
        }

        if (TitleProblem(name, "course name") is { } problem)
        {
            return StoreResult<Course>.Refused("name", problem, "a course name is one line of at most 100 characters");
        }

        using var connection = database.Open();
        try
        {
            var id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO courses (instructor_id, name, created_ms) VALUES (@instructorId, @name, @now) RETURNING id",
                new { instructorId = instructor.Id, name, now = Now() });
            return StoreResult<Course>.Success((await FindCourseAsync(connection, instructor, id))!);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
        {
            return StoreResult<Course>.Refused("name", $"you have a course named '{name}' already", "choose another name");
        }
    });

    /// <summary>An instructor's own courses; a student's enrolled ones; by name.</summary>
    public async Task<IReadOnlyList<Course>> ListCoursesAsync(CurrentUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<CourseRow>(
            $"SELECT {CourseColumns} FROM courses c WHERE c.instructor_id = @id " +
            "OR EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.student_id = @id) ORDER BY c.name",
            new { id = user.Id });
        return [.. rows.Select(r => r.ToCourse())];
    }

    /// <summary>The course when <paramref name="user"/> teaches it or is enrolled in it; else null.</summary>
    public async Task<Course?> GetCourseAsync(CurrentUser user, long courseId)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        return await FindCourseAsync(connection, user, courseId);
    }

    /// <summary>Enrols the existing account <paramref name="userName"/> (a student) in the instructor's course.</summary>
    public async Task<StoreResult<UserAccount>> EnrolAsync(CurrentUser instructor, long courseId, string userName)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        if (await TaughtCourseAsync(instructor, courseId) is null)
        {
            return NoSuchCourse<UserAccount>(courseId);
        }

        var account = await users.FindAsync(userName?.Trim() ?? string.Empty);
        if (account is null)
        {
            return StoreResult<UserAccount>.Refused("user", $"there is no account '{userName}'", "create it first (netlab user add NAME --role student), or import a roster, which creates missing accounts");
        }

        if (account.Role != UserRole.Student)
        {
            return StoreResult<UserAccount>.Refused("user", $"'{account.Name}' is an instructor's account", "enrol student accounts only");
        }

        await database.WriteAsync(async () =>
        {
            using var connection = database.Open();
            return await connection.ExecuteAsync(
                "INSERT INTO enrolments (course_id, student_id, enrolled_ms) VALUES (@courseId, @studentId, @now) ON CONFLICT DO NOTHING",
                new { courseId, studentId = account.Id, now = Now() });
        });
        return StoreResult<UserAccount>.Success(account);
    }

    /// <summary>Removes a student from the course (their account, labs and submissions stay); false when not the instructor's course or not enrolled.</summary>
    public Task<bool> UnenrolAsync(CurrentUser instructor, long courseId, long studentId) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(instructor);
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "DELETE FROM enrolments WHERE course_id = @courseId AND student_id = @studentId " +
            "AND course_id IN (SELECT id FROM courses WHERE instructor_id = @instructorId)",
            new { courseId, studentId, instructorId = instructor.Id }) > 0;
    });

    /// <summary>The course's roster, by name; empty when it is not the instructor's course.</summary>
    public async Task<IReadOnlyList<EnrolledStudent>> ListStudentsAsync(CurrentUser instructor, long courseId)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<StudentRow>(
            "SELECT u.id AS Id, u.name AS Name, u.display_name AS DisplayName, u.disabled AS Disabled, e.enrolled_ms AS EnrolledMs " +
            "FROM enrolments e JOIN users u ON u.id = e.student_id JOIN courses c ON c.id = e.course_id " +
            "WHERE e.course_id = @courseId AND c.instructor_id = @instructorId ORDER BY u.name COLLATE NOCASE",
            new { courseId, instructorId = instructor.Id });
        return [.. rows.Select(r => new EnrolledStudent(r.Id, r.Name, r.DisplayName, r.Disabled != 0, FromMs(r.EnrolledMs)))];
    }

    /// <summary>
    /// Publishes an assignment in the instructor's course: the template must be a valid lab, the checks (when given) a
    /// valid checks file for that lab, the due time after the start.
    /// </summary>
    public async Task<StoreResult<Assignment>> PublishAsync(CurrentUser instructor, long courseId, AssignmentDraft draft)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        ArgumentNullException.ThrowIfNull(draft);
        if (await TaughtCourseAsync(instructor, courseId) is null)
        {
            return NoSuchCourse<Assignment>(courseId);
        }

        var title = draft.Title?.Trim() ?? string.Empty;
        if (TitleProblem(title, "title") is { } titleProblem)
        {
            return StoreResult<Assignment>.Refused("title", titleProblem, "a title is one line of at most 100 characters");
        }

        if (draft.Guide.Length > MaxGuideLength)
        {
            return StoreResult<Assignment>.Refused("guide", $"the guide has {draft.Guide.Length} characters, more than {MaxGuideLength}", "shorten it");
        }

        if (draft.Due is { } due && draft.Starts is { } starts && due <= starts)
        {
            return StoreResult<Assignment>.Refused("due", "the due time is not after the start time", "move the due time later or the start earlier");
        }

        var loaded = LabFormat.LoadAndValidate(draft.TemplateYaml ?? string.Empty, LabFileFormat.Yaml);
        if (!loaded.Succeeded)
        {
            return StoreResult<Assignment>.Refused([.. loaded.Problems.Select(p => p with { Path = $"template.{p.Path}" })]);
        }

        if (!string.IsNullOrWhiteSpace(draft.Checks))
        {
            var checks = ChecksFormat.LoadAndValidate(draft.Checks, LabFileFormat.Yaml, loaded.Lab!);
            if (checks.Document is null)
            {
                return StoreResult<Assignment>.Refused([.. checks.Problems.Select(p => p with { Path = $"checks.{p.Path}" })]);
            }
        }

        return await database.WriteAsync(async () =>
        {
            using var connection = database.Open();
            try
            {
                var id = await connection.ExecuteScalarAsync<long>(
                    "INSERT INTO assignments (course_id, title, template_yaml, guide, checks, show_explanations, starts_ms, due_ms, published_ms) " +
                    "VALUES (@courseId, @title, @yaml, @guide, @checks, @explain, @starts, @due, @now) RETURNING id",
                    new
                    {
                        courseId,
                        title,
                        yaml = draft.TemplateYaml,
                        guide = draft.Guide,
                        checks = draft.Checks ?? string.Empty,
                        explain = draft.ShowExplanations ? 1 : 0,
                        starts = draft.Starts?.ToUnixTimeMilliseconds(),
                        due = draft.Due?.ToUnixTimeMilliseconds(),
                        now = Now(),
                    });
                return StoreResult<Assignment>.Success((await FindAssignmentAsync(connection, instructor, id))!);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
            {
                return StoreResult<Assignment>.Refused("title", $"the course has an assignment '{title}' already", "choose another title");
            }
        });
    }

    /// <summary>The course's assignments <paramref name="user"/> may see (a student: those open now), by publication.</summary>
    public async Task<IReadOnlyList<Assignment>> ListAssignmentsAsync(CurrentUser user, long courseId)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<AssignmentRow>(
            $"SELECT {AssignmentColumns} FROM assignments a WHERE a.course_id = @courseId AND {VisibleAssignment} ORDER BY a.published_ms, a.id",
            new { courseId, userId = user.Id, now = Now() });
        return [.. rows.Select(r => r.ToAssignment())];
    }

    /// <summary>The assignment when <paramref name="user"/> may see it (its instructor; an enrolled student once it is open); else null.</summary>
    public async Task<Assignment?> GetAssignmentAsync(CurrentUser user, long assignmentId)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        return await FindAssignmentAsync(connection, user, assignmentId);
    }

    /// <summary>
    /// The student's own copy of the assignment: made once (a lab of theirs whose revision 1 is the template), then the
    /// same lab at every open, also when two opens race. Null when the student may not open it (not enrolled, not open yet).
    /// </summary>
    public async Task<StoreResult<LabSummary>> OpenCopyAsync(CurrentUser student, long assignmentId)
    {
        ArgumentNullException.ThrowIfNull(student);
        var assignment = await GetAssignmentAsync(student, assignmentId);
        if (assignment is null || !await IsEnrolledAsync(student.Id, assignment.CourseId))
        {
            return StoreResult<LabSummary>.Refused("assignment", $"there is no assignment {assignmentId} open to you", "open an assignment from your course's page");
        }

        if (await CopyOfAsync(student.Id, assignmentId) is { } existing)
        {
            return StoreResult<LabSummary>.Success(existing);
        }

        var created = await labs.CreateAsync(student.Id, assignment.TemplateYaml, await FreeLabNameAsync(student.Id, assignment), $"from assignment {assignment.Title}");
        if (!created.Succeeded)
        {
            // A racing open may have taken the free name with its copy a moment ago: that copy is the student's.
            return await CopyOfAsync(student.Id, assignmentId) is { } raced ? StoreResult<LabSummary>.Success(raced) : created;
        }

        // The copy grades with the assignment's checks (Check my work reads the lab's checks); they were validated
        // against this same template at publish, so saving them cannot be refused for their content.
        if (!string.IsNullOrWhiteSpace(assignment.Checks))
        {
            var saved = await labs.SaveChecksAsync(student.Id, created.Value!.Id, assignment.Checks);
            if (!saved.Succeeded)
            {
                await labs.DeleteAsync(student.Id, created.Value!.Id);
                return StoreResult<LabSummary>.Refused(saved.Problems);
            }
        }

        var inserted = await database.WriteAsync(async () =>
        {
            using var connection = database.Open();
            return await connection.ExecuteAsync(
                "INSERT INTO assignment_labs (assignment_id, student_id, lab_id) VALUES (@assignmentId, @studentId, @labId) ON CONFLICT DO NOTHING",
                new { assignmentId, studentId = student.Id, labId = created.Value!.Id });
        });
        if (inserted == 0)
        {
            // Another open made the copy first: that one is the student's; this one goes.
            await labs.DeleteAsync(student.Id, created.Value!.Id);
            return await CopyOfAsync(student.Id, assignmentId) is { } first
                ? StoreResult<LabSummary>.Success(first)
                : StoreResult<LabSummary>.Refused("assignment", "the copy could not be made", "open the assignment again");
        }

        return created;
    }

    /// <summary>The lab that is <paramref name="studentId"/>'s copy of the assignment, or null.</summary>
    public async Task<LabSummary?> CopyOfAsync(long studentId, long assignmentId)
    {
        using var connection = database.Open();
        var labId = await connection.ExecuteScalarAsync<long?>(
            "SELECT lab_id FROM assignment_labs WHERE assignment_id = @assignmentId AND student_id = @studentId", new { assignmentId, studentId });
        return labId is { } id ? await labs.GetLabAsync(studentId, id) : null;
    }

    /// <summary>The assignment whose copy lab <paramref name="labId"/> is (the student's own, enrolled, open), or null.</summary>
    public async Task<Assignment?> AssignmentOfLabAsync(CurrentUser student, long labId)
    {
        ArgumentNullException.ThrowIfNull(student);
        using var connection = database.Open();
        var assignmentId = await connection.ExecuteScalarAsync<long?>(
            "SELECT al.assignment_id FROM assignment_labs al JOIN assignments a ON a.id = al.assignment_id " +
            "JOIN enrolments e ON e.course_id = a.course_id AND e.student_id = al.student_id " +
            "WHERE al.lab_id = @labId AND al.student_id = @studentId",
            new { labId, studentId = student.Id });
        return assignmentId is { } id ? await FindAssignmentAsync(connection, student, id) : null;
    }

    /// <summary>
    /// Records a student's hand-in of the assignment: <paramref name="runId"/> must be a graded run (Check my work) of
    /// the student's own copy, graded with the assignment's checks as published; passed and total are that run's grade,
    /// never the caller's figures, so a grade cannot be made up or taken from checks the student rewrote. Late when
    /// after the due time.
    /// </summary>
    public async Task<StoreResult<Submission>> SubmitAsync(CurrentUser student, long assignmentId, long runId)
    {
        ArgumentNullException.ThrowIfNull(student);
        var assignment = await GetAssignmentAsync(student, assignmentId);
        if (assignment is null || !await IsEnrolledAsync(student.Id, assignment.CourseId))
        {
            return StoreResult<Submission>.Refused("assignment", $"there is no assignment {assignmentId} open to you", "submit from your copy of an assignment");
        }

        return await database.WriteAsync(async () =>
        {
            using var connection = database.Open();
            var grade = await connection.QuerySingleOrDefaultAsync<GradeRow>(
                "SELECT g.passed AS Passed, g.total AS Total, g.checks AS Checks, r.lab_id AS LabId FROM run_grades g " +
                "JOIN runs r ON r.id = g.run_id JOIN assignment_labs l ON l.lab_id = r.lab_id " +
                "WHERE g.run_id = @runId AND r.owner_id = @studentId AND l.assignment_id = @assignmentId AND l.student_id = @studentId",
                new { runId, assignmentId, studentId = student.Id });
            if (grade is null)
            {
                return StoreResult<Submission>.Refused("run", $"run {runId} is no graded run of your copy of '{assignment.Title}'", "press Check my work in your copy, then submit that run");
            }

            if (!string.Equals(grade.Checks, assignment.Checks, StringComparison.Ordinal))
            {
                return StoreResult<Submission>.Refused("run", $"run {runId} was graded with other checks than the assignment's", "put the assignment's checks back in the Checks tab (or open a fresh copy), press Check my work, then submit that run");
            }

            var now = time.GetUtcNow();
            var late = assignment.Due is { } due && now > due;
            // The submission and its audit row are one transaction: neither is kept without the other.
            using var transaction = connection.BeginTransaction();
            var submissionId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO submissions (assignment_id, student_id, run_id, passed, total, submitted_ms, late) " +
                "VALUES (@assignmentId, @studentId, @runId, @Passed, @Total, @now, @late) RETURNING id",
                new { assignmentId, studentId = student.Id, runId, grade.Passed, grade.Total, now = now.ToUnixTimeMilliseconds(), late = late ? 1 : 0 }, transaction);
            await AuditLog.AppendForLabAsync(connection, transaction, new AuditActor(student.Id, AuditActions.Submit), grade.LabId, now.ToUnixTimeMilliseconds(),
                $"run {runId}: {grade.Passed} of {grade.Total} checks passed{(late ? ", late" : "")}");
            transaction.Commit();
            return StoreResult<Submission>.Success(new Submission(submissionId, assignmentId, student.Id, runId, (int)grade.Passed, (int)grade.Total, now, late));
        });
    }

    /// <summary>
    /// The submissions <paramref name="user"/> may see: all of the assignment's for its instructor, a student's own
    /// otherwise; newest first.
    /// </summary>
    public async Task<IReadOnlyList<Submission>> ListSubmissionsAsync(CurrentUser user, long assignmentId)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<SubmissionRow>(
            "SELECT s.id AS Id, s.assignment_id AS AssignmentId, s.student_id AS StudentId, s.run_id AS RunId, s.passed AS Passed, s.total AS Total, " +
            "s.submitted_ms AS SubmittedMs, s.late AS Late FROM submissions s JOIN assignments a ON a.id = s.assignment_id JOIN courses c ON c.id = a.course_id " +
            "WHERE s.assignment_id = @assignmentId AND (c.instructor_id = @userId OR s.student_id = @userId) ORDER BY s.submitted_ms DESC, s.id DESC",
            new { assignmentId, userId = user.Id });
        return [.. rows.Select(r => new Submission(r.Id, r.AssignmentId, r.StudentId, r.RunId, (int)r.Passed, (int)r.Total, FromMs(r.SubmittedMs), r.Late != 0))];
    }

    /// <summary>
    /// The assignment's overview for its instructor: one row per enrolled student, by user name, in one query; empty for
    /// anyone else.
    /// </summary>
    public async Task<IReadOnlyList<OverviewRow>> OverviewAsync(CurrentUser instructor, long assignmentId)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        using var connection = database.Open();
        var rows = await connection.QueryAsync<OverviewRowData>(
            "SELECT u.id AS StudentId, u.name AS UserName, u.display_name AS DisplayName, l.id AS LabId, l.current_revision AS CurrentRevision, " +
            "l.applied_revision AS AppliedRevision, MAX(l.updated_ms, COALESCE(l.applied_ms, 0)) AS ActivityMs, " +
            "s.id AS SubmissionId, s.run_id AS RunId, s.passed AS Passed, s.total AS Total, s.submitted_ms AS SubmittedMs, s.late AS Late, " +
            "g.passed AS GradePassed, g.total AS GradeTotal, g.graded_ms AS GradedMs " +
            "FROM assignments a JOIN courses c ON c.id = a.course_id AND c.instructor_id = @instructorId " +
            "JOIN enrolments e ON e.course_id = c.id JOIN users u ON u.id = e.student_id " +
            "LEFT JOIN assignment_labs al ON al.assignment_id = a.id AND al.student_id = u.id LEFT JOIN labs l ON l.id = al.lab_id " +
            "LEFT JOIN submissions s ON s.id = (SELECT id FROM submissions WHERE assignment_id = a.id AND student_id = u.id ORDER BY submitted_ms DESC, id DESC LIMIT 1) " +
            "LEFT JOIN run_grades g ON g.run_id = (SELECT rg.run_id FROM run_grades rg JOIN runs r ON r.id = rg.run_id WHERE r.lab_id = l.id AND r.owner_id = u.id AND r.imported_from IS NULL ORDER BY rg.graded_ms DESC, rg.run_id DESC LIMIT 1) " +
            "WHERE a.id = @assignmentId ORDER BY u.name COLLATE NOCASE",
            new { assignmentId, instructorId = instructor.Id });
        return [.. rows.Select(r => new OverviewRow(
            r.StudentId, r.UserName, r.DisplayName, r.LabId, (int?)r.CurrentRevision, (int?)r.AppliedRevision,
            r.LabId is null ? null : FromMs(Math.Max(r.ActivityMs ?? 0, r.GradedMs ?? 0)),
            r.GradePassed is { } passed ? new CheckResult((int)passed, (int)r.GradeTotal!.Value, FromMs(r.GradedMs!.Value)) : null,
            r.SubmissionId is { } id ? new Submission(id, assignmentId, r.StudentId, r.RunId, (int)r.Passed, (int)r.Total, FromMs(r.SubmittedMs), r.Late != 0) : null))];
    }

    /// <summary>The course when <paramref name="instructor"/> teaches it; else null.</summary>
    public async Task<Course?> TaughtCourseAsync(CurrentUser instructor, long courseId)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        var course = await GetCourseAsync(instructor, courseId);
        return course?.InstructorId == instructor.Id ? course : null;
    }

    /// <summary>Null when <paramref name="text"/> is a usable one-line name or title, else what is wrong.</summary>
    public static string? TitleProblem(string text, string what) =>
        string.IsNullOrWhiteSpace(text) ? $"the {what} is empty"
        : text.Length > MaxNameLength ? $"the {what} has {text.Length} characters, more than {MaxNameLength}"
        : text.Any(char.IsControl) ? $"the {what} holds control characters (a tab or line break)"
        : null;

    internal static StoreResult<T> NoSuchCourse<T>(long courseId)
        where T : class => StoreResult<T>.Refused("course", $"there is no course {courseId} of yours", "open one of your courses from the Courses page");

    // Its instructor sees every assignment; an enrolled student those whose start has come.
    private const string VisibleAssignment =
        "EXISTS (SELECT 1 FROM courses c WHERE c.id = a.course_id AND (c.instructor_id = @userId OR " +
        "(EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.student_id = @userId) AND (a.starts_ms IS NULL OR a.starts_ms <= @now))))";

    private async Task<bool> IsEnrolledAsync(long studentId, long courseId)
    {
        using var connection = database.Open();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM enrolments WHERE course_id = @courseId AND student_id = @studentId", new { courseId, studentId }) > 0;
    }

    /// <summary>A lab name of the student's that is free: the template's YAML name, else with -2, -3, ...</summary>
    private async Task<string> FreeLabNameAsync(long studentId, Assignment assignment)
    {
        var taken = (await labs.ListLabsAsync(studentId)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var baseName = LabFormat.Load(assignment.TemplateYaml, LabFileFormat.Yaml).Lab?.Name is { } name && LabName.Problem(name) is null
            ? name
            : string.Create(CultureInfo.InvariantCulture, $"assignment-{assignment.Id}");
        for (var n = 1; ; n++)
        {
            var suffix = n == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"-{n}");
            var candidate = baseName[..Math.Min(baseName.Length, LabName.MaxLength - suffix.Length)] + suffix;
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    private async Task<Course?> FindCourseAsync(SqliteConnection connection, CurrentUser user, long courseId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CourseRow>(
            $"SELECT {CourseColumns} FROM courses c WHERE c.id = @courseId AND (c.instructor_id = @userId " +
            "OR EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.student_id = @userId))",
            new { courseId, userId = user.Id });
        return row?.ToCourse();
    }

    private async Task<Assignment?> FindAssignmentAsync(SqliteConnection connection, CurrentUser user, long assignmentId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<AssignmentRow>(
            $"SELECT {AssignmentColumns} FROM assignments a WHERE a.id = @assignmentId AND {VisibleAssignment}",
            new { assignmentId, userId = user.Id, now = Now() });
        return row?.ToAssignment();
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private sealed class CourseRow
    {
        public long Id { get; init; }

        public long InstructorId { get; init; }

        public string Name { get; init; } = "";

        public long CreatedMs { get; init; }

        public Course ToCourse() => new(Id, InstructorId, Name, FromMs(CreatedMs));
    }

    private sealed class AssignmentRow
    {
        public long Id { get; init; }

        public long CourseId { get; init; }

        public string Title { get; init; } = "";

        public string TemplateYaml { get; init; } = "";

        public string Guide { get; init; } = "";

        public string Checks { get; init; } = "";

        public long ShowExplanations { get; init; }

        public long? StartsMs { get; init; }

        public long? DueMs { get; init; }

        public long PublishedMs { get; init; }

        public Assignment ToAssignment() => new(
            Id, CourseId, Title, TemplateYaml, Guide, Checks, ShowExplanations != 0,
            StartsMs is { } starts ? FromMs(starts) : null, DueMs is { } due ? FromMs(due) : null, FromMs(PublishedMs));
    }

    private sealed class StudentRow
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public string DisplayName { get; init; } = "";

        public long Disabled { get; init; }

        public long EnrolledMs { get; init; }
    }

    private sealed class OverviewRowData
    {
        public long StudentId { get; init; }

        public string UserName { get; init; } = "";

        public string DisplayName { get; init; } = "";

        public long? LabId { get; init; }

        public long? CurrentRevision { get; init; }

        public long? AppliedRevision { get; init; }

        public long? ActivityMs { get; init; }

        public long? SubmissionId { get; init; }

        public long? GradePassed { get; init; }

        public long? GradeTotal { get; init; }

        public long? GradedMs { get; init; }

        public long? RunId { get; init; }

        public long Passed { get; init; }

        public long Total { get; init; }

        public long SubmittedMs { get; init; }

        public long Late { get; init; }
    }

    private sealed class GradeRow
    {
        public long Passed { get; init; }

        public long Total { get; init; }

        public string Checks { get; init; } = "";

        public long LabId { get; init; }
    }

    private sealed class SubmissionRow
    {
        public long Id { get; init; }

        public long AssignmentId { get; init; }

        public long StudentId { get; init; }

        public long? RunId { get; init; }

        public long Passed { get; init; }

        public long Total { get; init; }

        public long SubmittedMs { get; init; }

        public long Late { get; init; }
    }
}
