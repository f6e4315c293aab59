using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Grading;
using NetLab.Web.Quotas;

namespace NetLab.Web.Store;

/// <summary>
/// Experiment runs in SQLite (db/002_runs.sql). Reads and the few row updates are here; what happens during a run is
/// written by a <see cref="RunRecorder"/>. Every operation names the owner and touches only that owner's runs.
/// </summary>
public sealed class RunStore(SqliteDatabase database, TimeProvider time, IOptions<QuotaOptions>? quotas = null)
{
    private readonly QuotaOptions? _quotas = quotas?.Value;

    private const string RunColumns =
        "r.id AS Id, r.owner_id AS OwnerId, r.lab_id AS LabId, l.name AS LabName, r.revision AS Revision, r.kernel_lab AS KernelLab, " +
        "r.title AS Title, r.notes AS Notes, r.status AS Status, r.started_ms AS StartedMs, r.ended_ms AS EndedMs, r.imported_from AS ImportedFrom, " +
        "g.summary AS Grade";

    private const string RunFrom = "FROM runs r JOIN labs l ON l.id = r.lab_id LEFT JOIN run_grades g ON g.run_id = r.id";

    public SqliteDatabase Database => database;

    /// <summary>Starts a run of a revision (status running); the caller records it through <see cref="OpenRecorder"/>.</summary>
    public Task<RunSummary> CreateRunAsync(long ownerId, long labId, int revision, string yaml, string kernelLab, string title, string notes) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        // An immediate transaction (Microsoft.Data.Sqlite's default) holds the write lock from the look to the insert:
        // two runs started at once cannot both take the last place.
        long id;
        using (var transaction = connection.BeginTransaction())
        {
            if (await StoreQuotas.RunRoomAsync(connection, transaction, _quotas, ownerId, Encoding.UTF8.GetByteCount(yaml) + Encoding.UTF8.GetByteCount(notes)) is { } full)
            {
                throw new QuotaExceededException(full);
            }

            id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO runs (owner_id, lab_id, revision, yaml, kernel_lab, title, notes, status, started_ms) " +
                "SELECT @ownerId, id, @revision, @yaml, @kernelLab, @title, @notes, @status, @now FROM labs WHERE id = @labId AND owner_id = @ownerId " +
                "RETURNING id",
                new { ownerId, labId, revision, yaml, kernelLab, title, notes, status = StatusText(RunStatus.Running), now = Now() },
                transaction);
            transaction.Commit();
        }

        return id == 0
            ? throw new InvalidOperationException($"There is no lab {labId} of user {ownerId} to run.")
            : (await GetRunAsync(ownerId, id))!.Summary;
    });

    /// <summary>Whether the owner has room for one more run now (a count and bytes), or which limit it would pass.</summary>
    public async Task<QuotaRefusal?> RoomForRunAsync(long ownerId, long newBytes)
    {
        using var connection = database.Open();
        return await StoreQuotas.RunRoomAsync(connection, null, _quotas, ownerId, newBytes);
    }

    /// <summary>A writer for the run's entries, numbering on from what the run already holds.</summary>
    public RunRecorder OpenRecorder(long runId, RunRecorderOptions? options = null) => new(database, runId, time, options ?? new RunRecorderOptions());

    /// <summary>A lab's runs matching <paramref name="search"/>, newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(long ownerId, long labId, RunSearch? search = null)
    {
        search ??= new RunSearch();
        var text = string.IsNullOrWhiteSpace(search.Text) ? null : $"%{EscapeLike(search.Text.Trim())}%";
        using var connection = database.Open();
        var rows = await connection.QueryAsync<RunRow>(
            $"SELECT {RunColumns} {RunFrom} WHERE r.owner_id = @ownerId AND r.lab_id = @labId " +
            "AND (@text IS NULL OR r.title LIKE @text ESCAPE '\\' OR r.notes LIKE @text ESCAPE '\\') " +
            "AND (@status IS NULL OR r.status = @status) " +
            "AND (@from IS NULL OR r.started_ms >= @from) AND (@to IS NULL OR r.started_ms <= @to) " +
            "ORDER BY r.started_ms DESC, r.id DESC",
            new
            {
                ownerId,
                labId,
                text,
                status = search.Status is { } status ? StatusText(status) : null,
                from = search.From?.ToUnixTimeMilliseconds(),
                to = search.To?.ToUnixTimeMilliseconds(),
            });
        return [.. rows.Select(r => r.ToSummary())];
    }

    /// <summary>How many runs of the lab the owner has recorded (deleting the lab deletes them).</summary>
    public async Task<int> CountRunsAsync(long ownerId, long labId)
    {
        using var connection = database.Open();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM runs WHERE lab_id = @labId AND owner_id = @ownerId", new { labId, ownerId });
    }

    public async Task<RunDetails?> GetRunAsync(long ownerId, long runId)
    {
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(
            $"SELECT {RunColumns}, r.yaml AS Yaml {RunFrom} WHERE r.id = @runId AND r.owner_id = @ownerId", new { runId, ownerId });
        return row is null ? null : new RunDetails(row.ToSummary(), row.Yaml);
    }

    /// <summary>The run's entries after <paramref name="afterSequence"/>, in order; empty for someone else's run.</summary>
    public async Task<IReadOnlyList<RunEntry>> GetEntriesAsync(long ownerId, long runId, long afterSequence = 0)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT e.payload FROM run_entries e JOIN runs r ON r.id = e.run_id " +
            "WHERE e.run_id = $run AND r.owner_id = $owner AND e.sequence > $after ORDER BY e.sequence";
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$owner", ownerId);
        command.Parameters.AddWithValue("$after", afterSequence);
        var entries = new List<RunEntry>();
        using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // The payload's UTF-8 bytes as SQLite holds them: no detour through a UTF-16 string.
            entries.Add(RunJson.Deserialize(reader.GetFieldValue<byte[]>(0)));
        }

        return entries;
    }

    public async Task<IReadOnlyList<RunCapture>> GetCapturesAsync(long ownerId, long runId)
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<CaptureRow>(
            "SELECT c.run_id AS RunId, c.number AS Number, c.element AS Element, c.interface AS Interface, c.snap_length AS SnapLength, " +
            "c.started_ms AS StartedMs, c.ended_ms AS EndedMs, (SELECT COUNT(*) FROM run_frames f WHERE f.run_id = c.run_id AND f.capture = c.number) AS FrameCount " +
            "FROM run_captures c JOIN runs r ON r.id = c.run_id WHERE c.run_id = @runId AND r.owner_id = @ownerId ORDER BY c.number",
            new { runId, ownerId });
        return [.. rows.Select(r => r.ToCapture())];
    }

    public async Task<IReadOnlyList<StoredFrame>> GetFramesAsync(long ownerId, long runId, int capture)
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<FrameRow>(
            "SELECT f.number AS Number, f.at_us AS AtUs, f.original_length AS OriginalLength, f.outgoing AS Outgoing, f.data AS Data " +
            "FROM run_frames f JOIN runs r ON r.id = f.run_id WHERE f.run_id = @runId AND r.owner_id = @ownerId AND f.capture = @capture ORDER BY f.number",
            new { runId, ownerId, capture });
        return [.. rows.Select(r => new StoredFrame(r.Number, r.AtUs, (int)r.OriginalLength, r.Outgoing != 0, r.Data))];
    }

    /// <summary>Changes what search finds a run by; false when there is no such run of the owner.</summary>
    public Task<bool> DescribeAsync(long ownerId, long runId, string title, string notes) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "UPDATE runs SET title = @title, notes = @notes WHERE id = @runId AND owner_id = @ownerId",
            new { title, notes, runId, ownerId }) > 0;
    });

    public Task<bool> DeleteRunAsync(long ownerId, long runId) => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        return await connection.ExecuteAsync("DELETE FROM runs WHERE id = @runId AND owner_id = @ownerId", new { runId, ownerId }) > 0;
    });

    /// <summary>
    /// At start-up: a run still marked running was cut short when the web stopped or crashed. Everything it recorded
    /// is kept; its end is its last entry. Returns how many runs that concerned.
    /// </summary>
    public Task<int> MarkAbandonedRunsInterruptedAsync() => database.WriteAsync(async () =>
    {
        using var connection = database.Open();
        return await connection.ExecuteAsync(
            "UPDATE runs SET status = @interrupted, " +
            "ended_ms = COALESCE((SELECT MAX(at_ms) FROM run_entries e WHERE e.run_id = runs.id), started_ms) WHERE status = @running",
            new { interrupted = StatusText(RunStatus.Interrupted), running = StatusText(RunStatus.Running) });
    });

    /// <summary>
    /// Stores a whole run at once (an import), in one transaction: all of it or, on any failure, nothing. Each capture's
    /// frames are enumerated once, as they are inserted, so they may be read from a file as they go.
    /// </summary>
    public Task<RunSummary> InsertCompleteRunAsync(
        long ownerId,
        long labId,
        RunSummary run,
        string yaml,
        IReadOnlyList<RunEntry> entries,
        IReadOnlyList<(RunCapture Capture, IEnumerable<StoredFrame> Frames)> captures,
        string importedFrom) =>
        database.WriteAsync(() => InsertCompleteRunCoreAsync(ownerId, labId, run, yaml, entries, captures, importedFrom));

    private async Task<RunSummary> InsertCompleteRunCoreAsync(
        long ownerId,
        long labId,
        RunSummary run,
        string yaml,
        IReadOnlyList<RunEntry> entries,
        IReadOnlyList<(RunCapture Capture, IEnumerable<StoredFrame> Frames)> captures,
        string importedFrom)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (await StoreQuotas.RunRoomAsync(connection, transaction, _quotas, ownerId, newBytes: 0) is { } full)
        {
            throw new QuotaExceededException(full);
        }

        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO runs (owner_id, lab_id, revision, yaml, kernel_lab, title, notes, status, started_ms, ended_ms, imported_from) " +
            "VALUES (@ownerId, @labId, @Revision, @yaml, @KernelLab, @Title, @Notes, @status, @started, @ended, @importedFrom) RETURNING id",
            new
            {
                ownerId,
                labId,
                run.Revision,
                yaml,
                run.KernelLab,
                run.Title,
                run.Notes,
                status = StatusText(run.Status == RunStatus.Running ? RunStatus.Interrupted : run.Status),
                started = run.Started.ToUnixTimeMilliseconds(),
                ended = run.Ended?.ToUnixTimeMilliseconds(),
                importedFrom,
            },
            transaction);
        using (var insert = RunRecorder.EntryInsert(connection, transaction))
        {
            foreach (var entry in entries)
            {
                RunRecorder.BindEntry(insert, id, entry);
                await insert.Command.ExecuteNonQueryAsync();
            }
        }

        foreach (var (capture, frames) in captures)
        {
            await connection.ExecuteAsync(
                "INSERT INTO run_captures (run_id, number, element, interface, snap_length, started_ms, ended_ms) VALUES (@id, @Number, @Element, @Interface, @SnapLength, @started, @ended)",
                new { id, capture.Number, capture.Element, capture.Interface, capture.SnapLength, started = capture.Started.ToUnixTimeMilliseconds(), ended = capture.Ended?.ToUnixTimeMilliseconds() },
                transaction);
            using var insertFrame = RunRecorder.FrameInsert(connection, transaction);
            foreach (var frame in frames)
            {
                RunRecorder.BindFrame(insertFrame, id, capture.Number, frame);
                await insertFrame.Command.ExecuteNonQueryAsync();
            }
        }

        // An archive's size is known once it is in: over the account's room, none of it is kept (the transaction is not committed).
        if (await StoreQuotas.BytesRoomAsync(connection, transaction, _quotas, ownerId, newBytes: 0) is { } overfull)
        {
            throw new QuotaExceededException(overfull);
        }

        transaction.Commit();
        return (await GetRunAsync(ownerId, id))!.Summary;
    }

    /// <summary>
    /// Records one grading ("Check my work") as a whole run, in one transaction: the run (the applied revision's number
    /// and YAML, status succeeded when the agent graded, failed when it did not), its entries (started, the grade,
    /// finished), and for a grade its row in run_grades and every check's result in run_check_results. Null when the
    /// owner has no such lab. Only what the agent answered is stored as a grade: an imported run's grade entry stays in
    /// its entries (its replay shows it) but is never a grade, since an archive is anyone's text.
    /// </summary>
    public Task<RunSummary?> RecordGradingAsync(long ownerId, long labId, GradingRecord grading) => database.WriteAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(grading);
        var now = time.GetUtcNow();
        var started = grading.Started <= now ? grading.Started : now;
        var status = grading.Grade is null ? RunStatus.Failed : RunStatus.Succeeded;
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        // A grading is a run like any other: "Check my work" pressed in a loop must not pass the runs a role may keep.
        if (await StoreQuotas.RunRoomAsync(connection, transaction, _quotas, ownerId,
            Encoding.UTF8.GetByteCount(grading.Yaml) + Encoding.UTF8.GetByteCount(grading.Checks)) is { } full)
        {
            throw new QuotaExceededException(full);
        }

        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO runs (owner_id, lab_id, revision, yaml, kernel_lab, title, notes, status, started_ms, ended_ms) " +
            "SELECT @ownerId, id, @Revision, @Yaml, @KernelLab, @Title, '', @status, @started, @ended FROM labs WHERE id = @labId AND owner_id = @ownerId " +
            "RETURNING id",
            new
            {
                ownerId,
                labId,
                grading.Revision,
                grading.Yaml,
                grading.KernelLab,
                grading.Title,
                status = StatusText(status),
                started = started.ToUnixTimeMilliseconds(),
                ended = now.ToUnixTimeMilliseconds(),
            },
            transaction);
        if (id == 0)
        {
            return null;
        }

        var checkCount = grading.Grade?.Checks.Count;
        List<RunEntry> entries =
        [
            new(1, started, RunEntryKind.Status, Message: $"Check my work: revision {grading.Revision} graded against the lab's checks", Status: RunStatus.Running),
        ];
        if (grading.Grade is { } grade)
        {
            entries.Add(new(2, now, RunEntryKind.Grade, Grade: grade));
        }

        entries.Add(new(entries.Count + 1, now, RunEntryKind.Status, Status: status,
            Message: grading.Grade is { } graded ? $"Graded: {graded.Summary}" : $"Grading failed: {grading.Failure}"));
        using (var insert = RunRecorder.EntryInsert(connection, transaction))
        {
            foreach (var entry in entries)
            {
                RunRecorder.BindEntry(insert, id, entry);
                await insert.Command.ExecuteNonQueryAsync();
            }
        }

        if (grading.Grade is { } result)
        {
            await connection.ExecuteAsync(
                "INSERT INTO run_grades (run_id, checks, passed, failed, not_checked, total, score, summary, graded_ms) " +
                "VALUES (@id, @Checks, @Passed, @Failed, @NotChecked, @total, @Score, @Summary, @now)",
                new { id, grading.Checks, result.Passed, result.Failed, result.NotChecked, total = checkCount, result.Score, result.Summary, now = now.ToUnixTimeMilliseconds() },
                transaction);
            await connection.ExecuteAsync(
                "INSERT INTO run_check_results (run_id, number, check_id, text, outcome, observed, reason, explanation, fix) " +
                "VALUES (@id, @Number, @Id, @Text, @Outcome, @Observed, @Reason, @Explanation, @Fix)",
                result.Checks.Select((c, i) => new { id, Number = i + 1, c.Id, c.Text, Outcome = OutcomeText(c.Outcome), c.Observed, c.Reason, c.Explanation, c.Fix }),
                transaction);
        }

        // The grade's size (entries, per-check results) is known once it is in: over the account's room, none of it is kept.
        if (await StoreQuotas.BytesRoomAsync(connection, transaction, _quotas, ownerId, newBytes: 0) is { } overfull)
        {
            throw new QuotaExceededException(overfull);
        }

        transaction.Commit();
        return (await GetRunAsync(ownerId, id))?.Summary;
    });

    /// <summary>The grade stored with a run, with every check's result in order; null for a run without one or someone else's run.</summary>
    public async Task<StoredGrade?> GetGradeAsync(long ownerId, long runId)
    {
        using var connection = database.Open();
        var grade = await connection.QuerySingleOrDefaultAsync<GradeRow>(
            "SELECT g.run_id AS RunId, g.checks AS Checks, g.passed AS Passed, g.failed AS Failed, g.not_checked AS NotChecked, g.total AS Total, " +
            "g.score AS Score, g.summary AS Summary, g.graded_ms AS GradedMs FROM run_grades g JOIN runs r ON r.id = g.run_id " +
            "WHERE g.run_id = @runId AND r.owner_id = @ownerId",
            new { runId, ownerId });
        if (grade is null)
        {
            return null;
        }

        var results = await connection.QueryAsync<CheckResultRow>(
            "SELECT check_id AS Id, text AS Text, outcome AS Outcome, observed AS Observed, reason AS Reason, explanation AS Explanation, fix AS Fix " +
            "FROM run_check_results WHERE run_id = @runId ORDER BY number",
            new { runId });
        return new StoredGrade(grade.RunId, grade.Checks, (int)grade.Passed, (int)grade.Failed, (int)grade.NotChecked, (int)grade.Total, grade.Score,
            grade.Summary, FromMs(grade.GradedMs), [.. results.Select(r => r.ToView())]);
    }

    internal static string OutcomeText(CheckOutcome outcome) => JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());

    internal static string StatusText(RunStatus status) => status.ToString().ToLowerInvariant();

    internal static RunStatus ParseStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    // Classes with setters, not positional records: Dapper matches a constructor by column types, which SQLite
    // reports as BLOB for an empty result or a NULL expression.
    private sealed class RunRow
    {
        public long Id { get; init; }

        public long OwnerId { get; init; }

        public long LabId { get; init; }

        public string LabName { get; init; } = "";

        public long Revision { get; init; }

        public string KernelLab { get; init; } = "";

        public string Title { get; init; } = "";

        public string Notes { get; init; } = "";

        public string Status { get; init; } = "";

        public long StartedMs { get; init; }

        public long? EndedMs { get; init; }

        public string? ImportedFrom { get; init; }

        public string? Grade { get; init; }

        public string Yaml { get; init; } = "";

        public RunSummary ToSummary() => new(
            Id, OwnerId, LabId, LabName, (int)Revision, KernelLab, Title, Notes, ParseStatus(Status), FromMs(StartedMs),
            EndedMs is { } ended ? FromMs(ended) : null, ImportedFrom, Grade);
    }

    private sealed class GradeRow
    {
        public long RunId { get; init; }

        public string Checks { get; init; } = "";

        public long Passed { get; init; }

        public long Failed { get; init; }

        public long NotChecked { get; init; }

        public long Total { get; init; }

        public double Score { get; init; }

        public string Summary { get; init; } = "";

        public long GradedMs { get; init; }
    }

    private sealed class CheckResultRow
    {
        public string Id { get; init; } = "";

        public string Text { get; init; } = "";

        public string Outcome { get; init; } = "";

        public string? Observed { get; init; }

        public string? Reason { get; init; }

        public string? Explanation { get; init; }

        public string? Fix { get; init; }

        public CheckGradeView ToView() => new(Id, Text, Enum.Parse<CheckOutcome>(Outcome, ignoreCase: true), Observed, Reason, Explanation, Fix);
    }

    private sealed class CaptureRow
    {
        public long RunId { get; init; }

        public long Number { get; init; }

        public string Element { get; init; } = "";

        public string Interface { get; init; } = "";

        public long SnapLength { get; init; }

        public long StartedMs { get; init; }

        public long? EndedMs { get; init; }

        public long FrameCount { get; init; }

        public RunCapture ToCapture() => new(
            RunId, (int)Number, Element, Interface, (int)SnapLength, FromMs(StartedMs), EndedMs is { } ended ? FromMs(ended) : null,
            (int)FrameCount);
    }

    private sealed class FrameRow
    {
        public long Number { get; init; }

        public long AtUs { get; init; }

        public long OriginalLength { get; init; }

        public long Outgoing { get; init; }

        public byte[] Data { get; init; } = [];
    }
}

/// <summary>Formatting shared by run pages and exports.</summary>
public static class RunTimes
{
    public static string Format(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
