using Dapper;
using Microsoft.Data.Sqlite;
using NetLab.Web.Model;

namespace NetLab.Web.Store;

/// <summary>The actions the audit log records (the CHECK of db/008_audit_log.sql lists the same words).</summary>
public static class AuditActions
{
    public const string Apply = "apply";
    public const string Destroy = "destroy";
    public const string Reset = "reset";
    public const string Submit = "submit";
    public const string DestroyAll = "destroy-all";

    /// <summary>The web destroyed an idle applied lab (<see cref="Agent.IdleLabReaper"/>), for its owner.</summary>
    public const string IdleDestroy = "idle-destroy";
}

/// <summary>Who does an action on a lab, and which action the audit row names it (a destroy of an instructor's "destroy all" is <see cref="AuditActions.DestroyAll"/>).</summary>
public sealed record AuditActor(long UserId, string Action);

/// <summary>One row of the audit log as its course's instructor reads it: names looked up now (null once deleted).</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    long ActorId,
    string? ActorName,
    string Action,
    long? LabId,
    long? AssignmentId,
    string? AssignmentTitle,
    long? SubjectId,
    string? SubjectName,
    string Detail);

/// <summary>One page of a course's audit log, newest first; <see cref="Number"/> counts from 1.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Number, bool HasOlder)
{
    public bool HasNewer => Number > 1;
}

/// <summary>
/// The audit log (db/008_audit_log.sql): who applied, destroyed, reset or submitted which student's assignment copy,
/// and when. Rows are written by the store operation that makes the change they describe, on its connection and inside
/// its transaction (<see cref="AppendForLabAsync"/>), so a change that fails or is refused leaves no row, and a row never
/// claims what the store does not hold. Only assignment copies are logged: the log is read per course, and a user's own
/// lab belongs to no course. Append-only: triggers refuse any UPDATE or DELETE, also the web's own.
/// </summary>
public sealed class AuditLog(SqliteDatabase database)
{
    /// <summary>Rows per page of <see cref="ReadAsync"/>.</summary>
    public const int PageSize = 200;

    /// <summary>The longest detail stored (the table's CHECK); longer text is cut, never refused, so an action is never lost to its description.</summary>
    public const int MaxDetailLength = 500;

    /// <summary>
    /// Appends a row for an action on lab <paramref name="labId"/> when it is a student's copy of an assignment (its
    /// course and assignment, the student as subject); writes nothing for any other lab. Returns the rows written (0 or 1).
    /// </summary>
    public static Task<int> AppendForLabAsync(SqliteConnection connection, SqliteTransaction transaction, AuditActor actor, long labId, long atMs, string detail)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(actor);
        return connection.ExecuteAsync(
            "INSERT INTO audit_log (at_ms, actor_id, action, lab_id, course_id, assignment_id, subject_id, detail) " +
            "SELECT @atMs, @actorId, @action, al.lab_id, a.course_id, a.id, al.student_id, @detail " +
            "FROM assignment_labs al JOIN assignments a ON a.id = al.assignment_id WHERE al.lab_id = @labId",
            new { atMs, actorId = actor.UserId, action = actor.Action, labId, detail = Bounded(detail) },
            transaction);
    }

    /// <summary>
    /// Page <paramref name="page"/> (from 1) of the course's log, newest first, for the course's instructor; null for
    /// anyone else and for a course that does not exist (the same answer, so ids cannot be probed).
    /// </summary>
    public async Task<AuditPage?> ReadAsync(CurrentUser instructor, long courseId, int page)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        page = Math.Max(1, page);
        using var connection = database.Open();
        var teaches = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM courses WHERE id = @courseId AND instructor_id = @instructorId", new { courseId, instructorId = instructor.Id });
        if (teaches == 0)
        {
            return null;
        }

        // One row more than a page says whether an older page exists.
        var rows = (await connection.QueryAsync<EntryRow>(
            "SELECT g.id AS Id, g.at_ms AS AtMs, g.actor_id AS ActorId, actor.name AS ActorName, g.action AS Action, g.lab_id AS LabId, " +
            "g.assignment_id AS AssignmentId, a.title AS AssignmentTitle, g.subject_id AS SubjectId, subject.name AS SubjectName, g.detail AS Detail " +
            "FROM audit_log g LEFT JOIN users actor ON actor.id = g.actor_id LEFT JOIN users subject ON subject.id = g.subject_id " +
            "LEFT JOIN assignments a ON a.id = g.assignment_id AND a.course_id = g.course_id " +
            "WHERE g.course_id = @courseId ORDER BY g.id DESC LIMIT @limit OFFSET @offset",
            new { courseId, limit = PageSize + 1, offset = (long)(page - 1) * PageSize })).ToList();
        return new AuditPage([.. rows.Take(PageSize).Select(r => r.ToEntry())], page, rows.Count > PageSize);
    }

    private static string Bounded(string detail) =>
        detail.Length <= MaxDetailLength ? detail : string.Concat(detail.AsSpan(0, MaxDetailLength - 1), "…");

    private sealed class EntryRow
    {
        public long Id { get; init; }

        public long AtMs { get; init; }

        public long ActorId { get; init; }

        public string? ActorName { get; init; }

        public string Action { get; init; } = "";

        public long? LabId { get; init; }

        public long? AssignmentId { get; init; }

        public string? AssignmentTitle { get; init; }

        public long? SubjectId { get; init; }

        public string? SubjectName { get; init; }

        public string Detail { get; init; } = "";

        public AuditEntry ToEntry() => new(
            Id, DateTimeOffset.FromUnixTimeMilliseconds(AtMs), ActorId, ActorName, Action, LabId, AssignmentId, AssignmentTitle, SubjectId, SubjectName, Detail);
    }
}
