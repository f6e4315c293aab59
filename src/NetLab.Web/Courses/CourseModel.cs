namespace NetLab.Web.Courses;

/// <summary>A course: its instructor's, with students enrolled in it.</summary>
public sealed record Course(long Id, long InstructorId, string Name, DateTimeOffset Created);

/// <summary>
/// An assignment as published: the template's YAML, guide and checks as they were then, when students may open it and
/// when it is due, and whether students read why a failed check failed.
/// </summary>
public sealed record Assignment(
    long Id,
    long CourseId,
    string Title,
    string TemplateYaml,
    string Guide,
    string Checks,
    bool ShowExplanations,
    DateTimeOffset? Starts,
    DateTimeOffset? Due,
    DateTimeOffset Published)
{
    /// <summary>Open to students at <paramref name="now"/>: no start time, or it has come.</summary>
    public bool IsOpen(DateTimeOffset now) => Starts is not { } starts || starts <= now;
}

/// <summary>What an instructor publishes.</summary>
public sealed record AssignmentDraft(
    string Title,
    string TemplateYaml,
    string Guide = "",
    string Checks = "",
    bool ShowExplanations = true,
    DateTimeOffset? Starts = null,
    DateTimeOffset? Due = null);

/// <summary>A student's hand-in: the graded run (null once that run is deleted), passed of total checks, late or not.</summary>
public sealed record Submission(long Id, long AssignmentId, long StudentId, long? RunId, int Passed, int Total, DateTimeOffset Submitted, bool Late);

/// <summary>One student of a course's roster.</summary>
public sealed record EnrolledStudent(long Id, string Name, string DisplayName, bool Disabled, DateTimeOffset Enrolled);

/// <summary>
/// One student's row of an assignment's overview: their copy (if opened), what of it is applied, when it last
/// changed, their latest check and their latest submission.
/// </summary>
public sealed record OverviewRow(
    long StudentId,
    string UserName,
    string DisplayName,
    long? LabId,
    int? CurrentRevision,
    int? AppliedRevision,
    DateTimeOffset? LastActivity,
    CheckResult? LastCheck,
    Submission? LastSubmission);

/// <summary>The latest "Check my work" of a student's copy: passed of total checks, and when.</summary>
public sealed record CheckResult(int Passed, int Total, DateTimeOffset Graded);
