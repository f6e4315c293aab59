using Dapper;
using Microsoft.Data.Sqlite;
using NetLab.Web.Quotas;

namespace NetLab.Web.Store;

/// <summary>
/// The store's side of the quotas: what an account holds (labs, runs, bytes), counted inside the transaction that
/// would add to it, so two requests at once cannot both pass the last free place.
/// </summary>
internal static class StoreQuotas
{
    private const string HowToFreeLabs = "Delete a lab you no longer need (Labs page, the lab's Delete) to make room.";
    private const string HowToFreeBytes = "Delete runs you no longer need (a lab's Runs tab) or labs with long histories to make room.";
    private const string HowToFreeRuns = "Delete runs you no longer need (a lab's Runs tab) to make room.";

    /// <summary>Room for one more lab of <paramref name="newBytes"/> bytes, or why not.</summary>
    public static async Task<QuotaRefusal?> LabRoomAsync(SqliteConnection connection, SqliteTransaction transaction, QuotaOptions? options, long ownerId, long newBytes)
    {
        if (options is null)
        {
            return null;
        }

        var (role, quota) = await QuotaOfAsync(connection, transaction, options, ownerId).ConfigureAwait(false);
        if (quota.Labs is { } allowed)
        {
            var labs = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM labs WHERE owner_id = @ownerId", new { ownerId }, transaction).ConfigureAwait(false);
            if (labs + 1 > allowed)
            {
                return new QuotaRefusal($"labs per {role}", allowed, labs, 1, HowToFreeLabs, "labs");
            }
        }

        return await BytesRoomAsync(connection, transaction, role, quota, ownerId, newBytes).ConfigureAwait(false);
    }

    /// <summary>Room for <paramref name="newBytes"/> more bytes of the account's (a revision's YAML), or why not.</summary>
    public static async Task<QuotaRefusal?> BytesRoomAsync(SqliteConnection connection, SqliteTransaction transaction, QuotaOptions? options, long ownerId, long newBytes)
    {
        if (options is null)
        {
            return null;
        }

        var (role, quota) = await QuotaOfAsync(connection, transaction, options, ownerId).ConfigureAwait(false);
        return await BytesRoomAsync(connection, transaction, role, quota, ownerId, newBytes).ConfigureAwait(false);
    }

    /// <summary>Room for one more run of <paramref name="newBytes"/> bytes, or why not.</summary>
    public static async Task<QuotaRefusal?> RunRoomAsync(SqliteConnection connection, SqliteTransaction? transaction, QuotaOptions? options, long ownerId, long newBytes)
    {
        if (options is null)
        {
            return null;
        }

        var (role, quota) = await QuotaOfAsync(connection, transaction, options, ownerId).ConfigureAwait(false);
        if (quota.Runs is { } allowed)
        {
            var runs = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE owner_id = @ownerId", new { ownerId }, transaction).ConfigureAwait(false);
            if (runs + 1 > allowed)
            {
                return new QuotaRefusal($"recorded runs per {role}", allowed, runs, 1, HowToFreeRuns, "runs");
            }
        }

        return await BytesRoomAsync(connection, transaction, role, quota, ownerId, newBytes).ConfigureAwait(false);
    }

    /// <summary>The bytes the account's labs (revisions, checks) and runs (entries, frames, grades) take in the store (text as UTF-8).</summary>
    public static Task<long> StoredBytesAsync(SqliteConnection connection, SqliteTransaction? transaction, long ownerId) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT " +
            "COALESCE((SELECT SUM(LENGTH(CAST(r.yaml AS BLOB)) + LENGTH(CAST(r.note AS BLOB))) FROM lab_revisions r JOIN labs l ON l.id = r.lab_id WHERE l.owner_id = @ownerId), 0) + " +
            "COALESCE((SELECT SUM(LENGTH(CAST(yaml AS BLOB)) + LENGTH(CAST(notes AS BLOB))) FROM runs WHERE owner_id = @ownerId), 0) + " +
            "COALESCE((SELECT SUM(LENGTH(CAST(e.payload AS BLOB))) FROM run_entries e JOIN runs u ON u.id = e.run_id WHERE u.owner_id = @ownerId), 0) + " +
            "COALESCE((SELECT SUM(LENGTH(f.data)) FROM run_frames f JOIN runs u ON u.id = f.run_id WHERE u.owner_id = @ownerId), 0) + " +
            // A lab's checks, and a graded run's checks and per-check results, are text an account writes as much as YAML.
            "COALESCE((SELECT SUM(LENGTH(CAST(checks AS BLOB))) FROM labs WHERE owner_id = @ownerId), 0) + " +
            "COALESCE((SELECT SUM(LENGTH(CAST(g.checks AS BLOB)) + LENGTH(CAST(g.summary AS BLOB))) FROM run_grades g JOIN runs u ON u.id = g.run_id WHERE u.owner_id = @ownerId), 0) + " +
            "COALESCE((SELECT SUM(LENGTH(CAST(c.text AS BLOB)) + COALESCE(LENGTH(CAST(c.observed AS BLOB)), 0) + COALESCE(LENGTH(CAST(c.reason AS BLOB)), 0) + " +
            "COALESCE(LENGTH(CAST(c.explanation AS BLOB)), 0) + COALESCE(LENGTH(CAST(c.fix AS BLOB)), 0)) FROM run_check_results c JOIN runs u ON u.id = c.run_id WHERE u.owner_id = @ownerId), 0)",
            new { ownerId },
            transaction);

    private static async Task<QuotaRefusal?> BytesRoomAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string role, RoleQuota quota, long ownerId, long newBytes)
    {
        if (quota.StoredBytes is not { } allowed)
        {
            return null;
        }

        var stored = await StoredBytesAsync(connection, transaction, ownerId).ConfigureAwait(false);
        return stored + newBytes > allowed ? new QuotaRefusal($"stored bytes per {role}", allowed, stored, newBytes, HowToFreeBytes, "bytes") : null;
    }

    private static async Task<(string Role, RoleQuota Quota)> QuotaOfAsync(SqliteConnection connection, SqliteTransaction? transaction, QuotaOptions options, long ownerId)
    {
        var role = UserStore.ParseRole(await connection.ExecuteScalarAsync<string?>(
            "SELECT role FROM users WHERE id = @ownerId", new { ownerId }, transaction).ConfigureAwait(false)) ?? UserRole.Student;
        return (UserStore.RoleName(role), options.Of(role));
    }
}
