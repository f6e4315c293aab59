using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Labs;
using NetLab.Web.Quotas;

namespace NetLab.Web.Store;

/// <summary>
/// Labs and their revisions in SQLite. Every operation names the owner, so one user never sees or changes another's
/// labs. Only YAML that the lab validator accepts is stored: invalid text is refused with its problems and nothing
/// is written, so every stored revision can be exported or applied.
/// </summary>
public sealed class LabStore(SqliteDatabase database, TimeProvider time, IOptions<QuotaOptions>? quotas = null)
{
    private readonly QuotaOptions? _quotas = quotas?.Value;

    /// <summary>The single local user the first migration creates.</summary>
    public const long LocalUserId = 1;

    private const string LabColumns =
        "id AS Id, owner_id AS OwnerId, name AS Name, created_ms AS CreatedMs, updated_ms AS UpdatedMs, " +
        "current_revision AS CurrentRevision, applied_revision AS AppliedRevision, applied_ms AS AppliedMs, " +
        "kernel_name AS KernelName, kernel_legacy AS KernelLegacy";

    /// <summary>
    /// A new lab's kernel name (as migration 005 gave the labs before it): up to 16 characters of its name, '-', 4
    /// random hex digits and its id in hex. Unique because ids are (the random part has a fixed width); random so a
    /// store made afresh does not meet the kernel labs of an old one under the same names. Made here rather than in
    /// SQL so the summary CreateAsync returns carries exactly what it wrote.
    /// </summary>
    private static string NewKernelName(string labName, long labId) =>
        NetLab.Core.Planning.NamingScheme.KernelLabStem(labName) +
        System.Security.Cryptography.RandomNumberGenerator.GetHexString(4, lowercase: true) +
        labId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    // Qualified because the revision queries join labs (which has its own created_ms) to check the owner.
    private const string RevisionColumns =
        "r.lab_id AS LabId, r.number AS Number, r.parent_number AS ParentNumber, r.yaml AS Yaml, r.note AS Note, r.created_ms AS CreatedMs";

    /// <summary>A limit the change would pass (<see cref="QuotaRefusal"/>), as the store's refusal: nothing was written.</summary>
    private static StoreResult<T> QuotaRefused<T>(QuotaRefusal refusal)
        where T : class => StoreResult<T>.Refused("quota", refusal.Message, refusal.HowToFree);

    /// <summary>The YAML of a new empty lab.</summary>
    public static string BlankYaml(string name) => $"name: {name}\n";

    /// <summary>Returns the user's id, creating the user when new.</summary>
    public Task<long> EnsureUserAsync(string name) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        await connection.ExecuteAsync(
            "INSERT INTO users (name, created_ms) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING",
            new { name, now = Now() });
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE name = @name", new { name });
    });

    public async Task<IReadOnlyList<LabSummary>> ListLabsAsync(long ownerId)
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<LabRow>(
            $"SELECT {LabColumns} FROM labs WHERE owner_id = @ownerId ORDER BY name", new { ownerId });
        return [.. rows.Select(r => r.ToSummary())];
    }

    public async Task<LabSummary?> GetLabAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        return (await FindLabAsync(connection, ownerId, labId, null))?.ToSummary();
    }

    public Task<StoreResult<LabSummary>> CreateBlankAsync(long ownerId, string name) =>
        CreateAsync(ownerId, BlankYaml(name), name, "blank lab");

    /// <summary>
    /// Creates a lab from YAML (a template's text or an imported file). The lab's name is <paramref name="name"/> or,
    /// when absent, the name written in the YAML.
    /// </summary>
    public Task<StoreResult<LabSummary>> CreateAsync(long ownerId, string yaml, string? name = null, string note = "created") => database.WriteAsync(async () =>
    {
        var loaded = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        if (!loaded.Succeeded)
        {
            return StoreResult<LabSummary>.Refused(loaded.Problems);
        }

        var labName = string.IsNullOrWhiteSpace(name) ? loaded.Lab!.Name : name.Trim();
        if (LabName.Problem(labName) is { } nameProblem)
        {
            return StoreResult<LabSummary>.Refused("name", nameProblem, "lab names become part of kernel namespace names");
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (await StoreQuotas.LabRoomAsync(connection, transaction, _quotas, ownerId, Encoding.UTF8.GetByteCount(yaml)) is { } full)
        {
            return QuotaRefused<LabSummary>(full);
        }

        var now = Now();
        long labId;
        try
        {
            labId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO labs (owner_id, name, created_ms, updated_ms, current_revision) VALUES (@ownerId, @labName, @now, @now, 1) RETURNING id",
                new { ownerId, labName, now }, transaction);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
        {
            return NameTaken(labName);
        }

        var kernelName = NewKernelName(labName, labId);
        await connection.ExecuteAsync("UPDATE labs SET kernel_name = @kernelName WHERE id = @labId", new { kernelName, labId }, transaction);
        await InsertRevisionAsync(connection, transaction, labId, 1, null, yaml, note, now);
        transaction.Commit();
        return StoreResult<LabSummary>.Success((await FindLabAsync(connection, ownerId, labId, null))!.ToSummary() with { KernelName = kernelName });
    });

    public Task<StoreResult<LabSummary>> RenameAsync(long ownerId, long labId, string newName) => database.WriteAsync(async () =>
    {
        newName = newName.Trim();
        if (LabName.Problem(newName) is { } nameProblem)
        {
            return StoreResult<LabSummary>.Refused("name", nameProblem, "lab names become part of kernel namespace names");
        }

        using var connection = database.Open();
        try
        {
            var changed = await connection.ExecuteAsync(
                "UPDATE labs SET name = @newName, updated_ms = @now WHERE id = @labId AND owner_id = @ownerId",
                new { newName, now = Now(), labId, ownerId });
            if (changed == 0)
            {
                return NoSuchLab(labId);
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
        {
            return NameTaken(newName);
        }

        return StoreResult<LabSummary>.Success((await FindLabAsync(connection, ownerId, labId, null))!.ToSummary());
    });

    /// <summary>Deletes the lab and all its revisions; false when the owner has no such lab.</summary>
    public Task<bool> DeleteAsync(long ownerId, long labId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "DELETE FROM labs WHERE id = @labId AND owner_id = @ownerId", new { labId, ownerId }) > 0;
    });

    /// <summary>
    /// Saves YAML as a new revision whose parent is the current one, and makes it current. Revisions that undo left
    /// behind are kept (history is never deleted); redo then follows the newest child.
    /// </summary>
    public Task<StoreResult<LabRevision>> SaveRevisionAsync(long ownerId, long labId, string yaml, string note = "") => database.WriteAsync(async () =>
    {
        var loaded = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        if (!loaded.Succeeded)
        {
            return StoreResult<LabRevision>.Refused(loaded.Problems);
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var lab = await FindLabAsync(connection, ownerId, labId, transaction);
        if (lab is null)
        {
            return StoreResult<LabRevision>.Refused(NoSuchLab(labId).Problems);
        }

        if (await StoreQuotas.BytesRoomAsync(connection, transaction, _quotas, ownerId, Encoding.UTF8.GetByteCount(yaml) + Encoding.UTF8.GetByteCount(note)) is { } full)
        {
            return QuotaRefused<LabRevision>(full);
        }

        var number = 1 + await connection.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(number), 0) FROM lab_revisions WHERE lab_id = @labId", new { labId }, transaction);
        var now = Now();
        await InsertRevisionAsync(connection, transaction, labId, number, (int?)lab.CurrentRevision, yaml, note, now);
        await connection.ExecuteAsync(
            "UPDATE labs SET current_revision = @number, updated_ms = @now WHERE id = @labId", new { number, now, labId }, transaction);
        transaction.Commit();
        return StoreResult<LabRevision>.Success(new LabRevision(labId, number, (int?)lab.CurrentRevision, yaml, note, FromMs(now)));
    });

    /// <summary>All revisions, newest first; empty when the owner has no such lab.</summary>
    public async Task<IReadOnlyList<LabRevision>> ListRevisionsAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<RevisionRow>(
            $"SELECT {RevisionColumns} FROM lab_revisions r JOIN labs l ON l.id = r.lab_id " +
            "WHERE r.lab_id = @labId AND l.owner_id = @ownerId ORDER BY r.number DESC",
            new { labId, ownerId });
        return [.. rows.Select(r => r.ToRevision())];
    }

    public async Task<LabRevision?> GetRevisionAsync(long ownerId, long labId, int number)
    {
        using var connection = database.Open();
        return await GetRevisionAsync(connection, null, ownerId, labId, number);
    }

    public async Task<LabRevision?> GetCurrentRevisionAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var lab = await FindLabAsync(connection, ownerId, labId, null);
        return lab?.CurrentRevision is { } current ? await GetRevisionAsync(connection, null, ownerId, labId, (int)current) : null;
    }

    /// <summary>Moves the current revision to its parent; null (nothing changed) at the first revision.</summary>
    public Task<LabRevision?> UndoAsync(long ownerId, long labId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var current = await CurrentAsync(connection, transaction, ownerId, labId);
        if (current?.Parent is not { } parent)
        {
            return null;
        }

        return await MoveCurrentAsync(connection, transaction, ownerId, labId, parent);
    });

    /// <summary>Moves the current revision to its newest child; null (nothing changed) when it has none.</summary>
    public Task<LabRevision?> RedoAsync(long ownerId, long labId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var current = await CurrentAsync(connection, transaction, ownerId, labId);
        if (current is null)
        {
            return null;
        }

        var child = await connection.ExecuteScalarAsync<int?>(
            "SELECT MAX(number) FROM lab_revisions WHERE lab_id = @labId AND parent_number = @number",
            new { labId, number = current.Number }, transaction);
        return child is { } next ? await MoveCurrentAsync(connection, transaction, ownerId, labId, next) : null;
    });

    public async Task<bool> CanUndoAsync(long ownerId, long labId) =>
        (await GetCurrentRevisionAsync(ownerId, labId))?.Parent is not null;

    public async Task<bool> CanRedoAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var current = await CurrentAsync(connection, null, ownerId, labId);
        return current is not null && await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM lab_revisions WHERE lab_id = @labId AND parent_number = @number",
            new { labId, number = current.Number }) > 0;
    }

    /// <summary>
    /// Records that the agent applied this revision (the owner's apply: an assignment copy's audit row is written in the
    /// same transaction); false when the lab or revision does not exist.
    /// </summary>
    public Task<bool> MarkAppliedAsync(long ownerId, long labId, int number) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var now = Now();
        var changed = await connection.ExecuteAsync(
            "UPDATE labs SET applied_revision = @number, applied_ms = @now, kernel_legacy = 0 WHERE id = @labId AND owner_id = @ownerId " +
            "AND EXISTS (SELECT 1 FROM lab_revisions WHERE lab_id = @labId AND number = @number)",
            new { number, now, labId, ownerId }, transaction) > 0;
        if (changed)
        {
            await AuditLog.AppendForLabAsync(connection, transaction, new AuditActor(ownerId, AuditActions.Apply), labId, now, $"revision {number}");
        }

        transaction.Commit();
        return changed;
    });

    public async Task<LabRevision?> GetAppliedRevisionAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var lab = await FindLabAsync(connection, ownerId, labId, null);
        return lab?.AppliedRevision is { } applied ? await GetRevisionAsync(connection, null, ownerId, labId, (int)applied) : null;
    }

    /// <summary>
    /// Records that the kernel no longer holds the lab (it was destroyed); false when there is no such lab. With
    /// <paramref name="audit"/>, an assignment copy's audit row is written in the same transaction.
    /// </summary>
    public Task<bool> ClearAppliedAsync(long ownerId, long labId, AuditActor? audit = null) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var changed = await connection.ExecuteAsync(
            "UPDATE labs SET applied_revision = NULL, applied_ms = NULL, kernel_legacy = 0 WHERE id = @labId AND owner_id = @ownerId",
            new { labId, ownerId }, transaction) > 0;
        if (changed && audit is not null)
        {
            await AuditLog.AppendForLabAsync(connection, transaction, audit, labId, Now(), "kernel lab destroyed");
        }

        transaction.Commit();
        return changed;
    });

    /// <summary>
    /// An instructor's reset of a student's copy, in one transaction: a new revision (child of the current one) with
    /// <paramref name="yaml"/>, made current; nothing recorded as applied (the caller destroyed the kernel lab first);
    /// the lab's checks set to <paramref name="checks"/>; the audit row. Refused, with nothing written, when the lab is
    /// gone or its applied state is no longer what the caller saw (<paramref name="seen"/>: the student applied or
    /// destroyed meanwhile, so the kernel may hold what the caller did not destroy). The owner's byte quota is not asked:
    /// the instructor acts, and the template's size was accepted when the assignment was published.
    /// </summary>
    public Task<StoreResult<LabRevision>> ResetAsync(LabSummary seen, string yaml, string checks, string note, AuditActor audit) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(audit);
        var loaded = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        if (!loaded.Succeeded)
        {
            return StoreResult<LabRevision>.Refused(loaded.Problems);
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var lab = await FindLabAsync(connection, seen.OwnerId, seen.Id, transaction);
        if (lab is null)
        {
            return StoreResult<LabRevision>.Refused(NoSuchLab(seen.Id).Problems);
        }

        if (lab.AppliedRevision != seen.AppliedRevision || lab.AppliedMs != seen.Applied?.ToUnixTimeMilliseconds())
        {
            return StoreResult<LabRevision>.Refused("applied",
                "the student applied or destroyed the lab while the reset ran, so it was not reset",
                "reset again: the reset destroys what the kernel holds now");
        }

        var number = 1 + await connection.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(number), 0) FROM lab_revisions WHERE lab_id = @labId", new { labId = seen.Id }, transaction);
        var now = Now();
        await InsertRevisionAsync(connection, transaction, seen.Id, number, (int?)lab.CurrentRevision, yaml, note, now);
        await connection.ExecuteAsync(
            "UPDATE labs SET current_revision = @number, updated_ms = @now, applied_revision = NULL, applied_ms = NULL, kernel_legacy = 0, " +
            "checks = @checks, checks_updated_ms = @now WHERE id = @labId",
            new { number, now, checks = string.IsNullOrWhiteSpace(checks) ? "" : checks, labId = seen.Id }, transaction);
        await AuditLog.AppendForLabAsync(connection, transaction, audit, seen.Id, now, $"revision {number} from the template");
        transaction.Commit();
        return StoreResult<LabRevision>.Success(new LabRevision(seen.Id, number, (int?)lab.CurrentRevision, yaml, note, FromMs(now)));
    });

    /// <summary>Every applied lab of every owner with its applied revision's YAML (for the quotas' count of applied namespaces, never shown to a user).</summary>
    public async Task<IReadOnlyList<AppliedLab>> ListAppliedLabsAsync()
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<AppliedRow>(
            "SELECT l.owner_id AS OwnerId, l.id AS LabId, l.name AS Name, l.applied_revision AS Revision, l.applied_ms AS AppliedMs, r.yaml AS Yaml " +
            "FROM labs l JOIN lab_revisions r ON r.lab_id = l.id AND r.number = l.applied_revision ORDER BY l.id");
        return [.. rows.Select(r => new AppliedLab(r.OwnerId, r.LabId, r.Name, (int)r.Revision, FromMs(r.AppliedMs ?? 0), r.Yaml))];
    }

    /// <summary>
    /// Every lab of every owner applied before kernel names of their own (<see cref="LabSummary.LegacyKernel"/>), with
    /// its applied revision's YAML: those labs share one namespace of names (their YAML <c>name</c>) across all users,
    /// so which of them holds a kernel lab is a question across owners (asked by the web itself when such a lab is
    /// destroyed, deleted or reconciled, never shown to another user).
    /// </summary>
    public async Task<IReadOnlyList<AppliedLab>> ListLegacyAppliedLabsAsync()
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<AppliedRow>(
            "SELECT l.owner_id AS OwnerId, l.id AS LabId, l.name AS Name, l.applied_revision AS Revision, l.applied_ms AS AppliedMs, r.yaml AS Yaml " +
            "FROM labs l JOIN lab_revisions r ON r.lab_id = l.id AND r.number = l.applied_revision WHERE l.kernel_legacy = 1 ORDER BY l.id");
        return [.. rows.Select(r => new AppliedLab(r.OwnerId, r.LabId, r.Name, (int)r.Revision, FromMs(r.AppliedMs ?? 0), r.Yaml))];
    }

    /// <summary>
    /// Every lab of every owner (for the web's own start-up work, never shown to a user).
    /// </summary>
    public async Task<IReadOnlyList<LabSummary>> ListAllLabsAsync()
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<LabRow>($"SELECT {LabColumns} FROM labs ORDER BY id");
        return [.. rows.Select(r => r.ToSummary())];
    }

    /// <summary>
    /// Sets the applied revision (null: none) only if the lab still records what <paramref name="seen"/> recorded (revision
    /// and time): a reconciliation that read the store before an apply or destroy finished must not undo what that
    /// recorded. False when nothing was changed.
    /// </summary>
    public Task<bool> ReplaceAppliedAsync(LabSummary seen, int? applied) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(seen);
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "UPDATE labs SET applied_revision = @applied, applied_ms = CASE WHEN @applied IS NULL THEN NULL ELSE @now END, " +
            "kernel_legacy = CASE WHEN @applied IS NULL THEN 0 ELSE kernel_legacy END " +
            "WHERE id = @labId AND owner_id = @ownerId AND applied_revision IS @expected AND applied_ms IS @expectedMs " +
            "AND (@applied IS NULL OR EXISTS (SELECT 1 FROM lab_revisions WHERE lab_id = @labId AND number = @applied))",
            new
            {
                applied,
                expected = seen.AppliedRevision,
                expectedMs = seen.Applied?.ToUnixTimeMilliseconds(),
                now = Now(),
                labId = seen.Id,
                ownerId = seen.OwnerId,
            }) > 0;
    });

    /// <summary>
    /// Makes the last applied revision current again (as undo does, nothing is deleted); null when the lab was never
    /// applied.
    /// </summary>
    public Task<LabRevision?> ResetToAppliedAsync(long ownerId, long labId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var lab = await FindLabAsync(connection, ownerId, labId, transaction);
        return lab?.AppliedRevision is { } applied
            ? await MoveCurrentAsync(connection, transaction, ownerId, labId, (int)applied)
            : null;
    });

    /// <summary>The lab's checks (the text of a checks file, '' for none); null when the owner has no such lab.</summary>
    public async Task<LabChecks?> GetChecksAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<ChecksRow>(
            "SELECT id AS LabId, checks AS Text, checks_updated_ms AS UpdatedMs FROM labs WHERE id = @labId AND owner_id = @ownerId",
            new { labId, ownerId });
        return row?.ToChecks();
    }

    /// <summary>
    /// Stores the lab's checks, after reading them and checking them against the lab's current revision (the checks
    /// validator: every element, interface and address they name must be the lab's, no check twice): refused with
    /// every problem, each with its line, and nothing is written. The size is bounded before anything is parsed.
    /// Blank text removes the checks.
    /// </summary>
    public Task<StoreResult<LabChecks>> SaveChecksAsync(long ownerId, long labId, string text) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > ChecksFormat.MaxDocumentBytes)
        {
            return StoreResult<LabChecks>.Refused("checks",
                $"the checks are {bytes} bytes; checks may be at most {ChecksFormat.MaxDocumentBytes} bytes (256 KiB)",
                $"keep the checks that grade what the assignment teaches (at most {ChecksFormat.MaxChecks}), without long comments");
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var current = await CurrentAsync(connection, transaction, ownerId, labId);
        if (current is null)
        {
            return StoreResult<LabChecks>.Refused(NoSuchLab(labId).Problems);
        }

        var stored = string.IsNullOrWhiteSpace(text) ? "" : text;
        if (stored.Length > 0)
        {
            // Stored revisions are valid (SaveRevisionAsync refuses any other), so the lab reads.
            var lab = LabFormat.LoadAndValidate(current.Yaml, LabFileFormat.Yaml).Lab!;
            var checks = ChecksFormat.LoadAndValidate(stored, LabFileFormat.Yaml, lab);
            if (!checks.Succeeded)
            {
                return StoreResult<LabChecks>.Refused(checks.Problems);
            }
        }

        // Checks count toward the stored bytes: only what they grow by needs room (shorter checks always save).
        var before = await connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE(LENGTH(CAST(checks AS BLOB)), 0) FROM labs WHERE id = @labId AND owner_id = @ownerId", new { labId, ownerId }, transaction);
        var growth = Encoding.UTF8.GetByteCount(stored) - before;
        if (growth > 0 && await StoreQuotas.BytesRoomAsync(connection, transaction, _quotas, ownerId, growth) is { } full)
        {
            return QuotaRefused<LabChecks>(full);
        }

        var now = Now();
        await connection.ExecuteAsync(
            "UPDATE labs SET checks = @stored, checks_updated_ms = @now WHERE id = @labId AND owner_id = @ownerId",
            new { stored, now, labId, ownerId }, transaction);
        transaction.Commit();
        return StoreResult<LabChecks>.Success(new LabChecks(labId, stored, FromMs(now)));
    });

    // SQLITE_CONSTRAINT: here, the (owner, name) uniqueness.
    private const int SqliteConstraintError = 19;

    private static StoreResult<LabSummary> NameTaken(string name) =>
        StoreResult<LabSummary>.Refused("name", $"you already have a lab named '{name}'", "choose another name or rename the other lab");

    private static StoreResult<LabSummary> NoSuchLab(long labId) =>
        StoreResult<LabSummary>.Refused("lab", $"there is no lab {labId} of yours", "it may have been deleted; reload the list");

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static Task<LabRow?> FindLabAsync(SqliteConnection connection, long ownerId, long labId, SqliteTransaction? transaction) =>
        connection.QuerySingleOrDefaultAsync<LabRow>(
            $"SELECT {LabColumns} FROM labs WHERE id = @labId AND owner_id = @ownerId", new { labId, ownerId }, transaction);

    private static async Task<LabRevision?> GetRevisionAsync(SqliteConnection connection, SqliteTransaction? transaction, long ownerId, long labId, int number)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RevisionRow>(
            $"SELECT {RevisionColumns} FROM lab_revisions r JOIN labs l ON l.id = r.lab_id " +
            "WHERE r.lab_id = @labId AND l.owner_id = @ownerId AND r.number = @number",
            new { labId, ownerId, number }, transaction);
        return row?.ToRevision();
    }

    private static async Task<LabRevision?> CurrentAsync(SqliteConnection connection, SqliteTransaction? transaction, long ownerId, long labId)
    {
        var lab = await FindLabAsync(connection, ownerId, labId, transaction);
        return lab?.CurrentRevision is { } current ? await GetRevisionAsync(connection, transaction, ownerId, labId, (int)current) : null;
    }

    private async Task<LabRevision?> MoveCurrentAsync(SqliteConnection connection, SqliteTransaction transaction, long ownerId, long labId, int number)
    {
        await connection.ExecuteAsync(
            "UPDATE labs SET current_revision = @number, updated_ms = @now WHERE id = @labId AND owner_id = @ownerId",
            new { number, now = Now(), labId, ownerId }, transaction);
        var revision = await GetRevisionAsync(connection, transaction, ownerId, labId, number);
        transaction.Commit();
        return revision;
    }

    private static Task InsertRevisionAsync(
        SqliteConnection connection, SqliteTransaction transaction, long labId, int number, int? parent, string yaml, string note, long now) =>
        connection.ExecuteAsync(
            "INSERT INTO lab_revisions (lab_id, number, parent_number, yaml, note, created_ms) VALUES (@labId, @number, @parent, @yaml, @note, @now)",
            new { labId, number, parent, yaml, note, now }, transaction);

    private sealed record LabRow(
        long Id, long OwnerId, string Name, long CreatedMs, long UpdatedMs, long? CurrentRevision, long? AppliedRevision, long? AppliedMs,
        string? KernelName, long KernelLegacy)
    {
        public LabSummary ToSummary() => new(
            Id, OwnerId, Name, FromMs(CreatedMs), FromMs(UpdatedMs), (int?)CurrentRevision, (int?)AppliedRevision,
            AppliedMs is { } ms ? FromMs(ms) : null)
        {
            KernelName = KernelName ?? Name,
            LegacyKernel = KernelLegacy != 0 && AppliedRevision is not null,
        };
    }

    private sealed record ChecksRow(long LabId, string Text, long? UpdatedMs)
    {
        public LabChecks ToChecks() => new(LabId, Text, UpdatedMs is { } ms ? FromMs(ms) : null);
    }

    private sealed record AppliedRow(long OwnerId, long LabId, string Name, long Revision, long? AppliedMs, string Yaml);

    private sealed record RevisionRow(long LabId, long Number, long? ParentNumber, string Yaml, string Note, long CreatedMs)
    {
        public LabRevision ToRevision() => new(LabId, (int)Number, (int?)ParentNumber, Yaml, Note, FromMs(CreatedMs));
    }
}
