using Dapper;

namespace NetLab.Web.Store;

/// <summary>An applied lab and the last time anyone worked on it, with its owner's role (whose idle limit applies).</summary>
public sealed record AppliedLabActivity(long OwnerId, long LabId, string Name, UserRole OwnerRole, DateTimeOffset LastActivity);

/// <summary>
/// When applied labs were last worked on (issue 13 section 6, idle labs). Work is what the store already records - a
/// new revision, an apply, saved checks, a run started or ended, a run still going counting as now - and the owner's
/// "Keep it applied" (<c>labs.kept_ms</c>, migration 009). Page views are not work: a tab left open overnight must not
/// hold a class's namespaces.
/// </summary>
public sealed class LabActivity(SqliteDatabase database, TimeProvider time)
{
    // One expression for "last worked on", used by the list and by the single-lab read so the page's warning and the
    // reaper can never disagree. A running run (ended_ms NULL) is work going on now.
    private const string ActivitySelect =
        "SELECT l.owner_id AS OwnerId, l.id AS LabId, l.name AS Name, u.role AS Role, " +
        "MAX(l.updated_ms, COALESCE(l.applied_ms, 0), COALESCE(l.checks_updated_ms, 0), COALESCE(l.kept_ms, 0), " +
        "COALESCE((SELECT MAX(MAX(r.started_ms, COALESCE(r.ended_ms, @now))) FROM runs r WHERE r.lab_id = l.id), 0)) AS ActivityMs " +
        "FROM labs l JOIN users u ON u.id = l.owner_id WHERE l.applied_revision IS NOT NULL";

    /// <summary>Every applied lab of every owner, oldest activity first (for the web's own reaper, never shown to a user).</summary>
    public async Task<IReadOnlyList<AppliedLabActivity>> ListAppliedAsync()
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<ActivityRow>($"{ActivitySelect} ORDER BY ActivityMs, l.id", new { now = Now() });
        return [.. rows.Select(r => r.ToActivity())];
    }

    /// <summary>The owner's applied lab with its last activity; null when it is not applied or not theirs.</summary>
    public async Task<AppliedLabActivity?> GetAppliedAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<ActivityRow>(
            $"{ActivitySelect} AND l.id = @labId AND l.owner_id = @ownerId", new { now = Now(), labId, ownerId });
        return row?.ToActivity();
    }

    /// <summary>The owner keeps the lab applied on purpose: counts as work now. False when it is not applied or not theirs.</summary>
    public Task<bool> KeepAsync(long ownerId, long labId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "UPDATE labs SET kept_ms = @now WHERE id = @labId AND owner_id = @ownerId AND applied_revision IS NOT NULL",
            new { now = Now(), labId, ownerId }) > 0;
    });

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class ActivityRow
    {
        public long OwnerId { get; init; }

        public long LabId { get; init; }

        public string Name { get; init; } = "";

        public string Role { get; init; } = "";

        public long ActivityMs { get; init; }

        public AppliedLabActivity ToActivity() => new(
            OwnerId, LabId, Name, UserStore.ParseRole(Role) ?? UserRole.Student,
            DateTimeOffset.FromUnixTimeMilliseconds(ActivityMs));
    }
}
