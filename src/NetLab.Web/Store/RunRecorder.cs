using Microsoft.Data.Sqlite;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Store;

/// <summary>How a <see cref="RunRecorder"/> batches.</summary>
/// <param name="MaxBatch">Writes per transaction at most, so that one burst cannot hold the first write's commit back for long.</param>
/// <param name="BatchWindow">
/// How long the writer waits for more after the first write of a batch. Zero (the default) takes only what is already
/// waiting: while one transaction commits the next batch gathers by itself, so a burst is batched without delaying a
/// lone write.
/// </param>
public sealed record RunRecorderOptions(int MaxBatch = 4096, TimeSpan BatchWindow = default)
{
    /// <summary>
    /// How long a write the store refuses as busy or locked (another connection holds the write lock longer than the
    /// connection's busy timeout, say a large import) is tried again, with growing pauses, before the recorder gives up
    /// and marks its run failed.
    /// </summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Writes held in memory (queued, or in a batch not committed yet) at most. Past it, kernel events and captured
    /// frames are dropped and counted, and the gap is recorded as a status entry once there is room again; the run's
    /// own steps are never dropped.
    /// </summary>
    public int MaxPendingWrites { get; init; } = 200_000;

    /// <summary>Bytes of captured frames held in memory at most (as a live capture holds); past it frames are dropped and counted.</summary>
    public long MaxPendingFrameBytes { get; init; } = 64L * 1024 * 1024;
}

/// <summary>
/// Writes one run as it happens: entries, capture rows and frames, each numbered in the order it was appended, in small
/// batches (one transaction each) on a connection of its own. Every append returns a task that completes when its batch
/// is committed, and <see cref="Committed"/> reports the entries of each committed batch in order: show those, and a
/// crash of the web (kill -9) loses nothing that was shown. WAL with synchronous=NORMAL: a committed transaction is in
/// the WAL file before COMMIT returns, so a killed process loses nothing committed (only a power cut could lose the last
/// transactions, which no one was shown yet if the machine went dark).
/// A write the store refuses as busy or locked is tried again (<see cref="RunRecorderOptions.RetryFor"/>) while appends
/// queue up, bounded (<see cref="RunRecorderOptions.MaxPendingWrites"/>): events and frames over the bound are dropped,
/// counted, and reported as a status entry where the gap is. A recorder that gives up (the store stayed busy, or
/// refused a write outright) fails every waiting append and marks its run failed with the reason, so a run is never
/// left "running" by a recorder that stopped.
/// </summary>
public sealed class RunRecorder : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly RunRecorderOptions _options;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private List<PendingWrite> _pending = [];
    private TaskCompletionSource _pendingCommit = NewCommit();
    private long _nextSequence;
    private Exception? _failure;
    private bool _closed;
    private long _heldWrites;
    private long _heldFrameBytes;
    private long _droppedEvents;
    private long _droppedFrames;
    private long _reportedEvents;
    private long _reportedFrames;
    private long _retries;

    internal RunRecorder(SqliteDatabase database, long runId, TimeProvider time, RunRecorderOptions options)
    {
        _database = database;
        _time = time;
        _options = options;
        RunId = runId;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM run_entries WHERE run_id = $run";
            command.Parameters.AddWithValue("$run", runId);
            _nextSequence = (long)command.ExecuteScalar()! + 1;
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    public long RunId { get; }

    /// <summary>Kernel events not recorded because <see cref="RunRecorderOptions.MaxPendingWrites"/> writes were waiting.</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Captured frames not recorded because the recorder's memory bounds were reached.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    /// <summary>Writes the store refused as busy or locked and that were tried again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Why the recorder gave up, or null while it records.</summary>
    public string? FailureReason { get; private set; }

    private DateTimeOffset _lastStamp = DateTimeOffset.MinValue;

    /// <summary>
    /// The entries of a batch just committed, in order; raised on the writer's thread, so a listener marshals before
    /// touching UI state and must not block.
    /// </summary>
    public event Action<IReadOnlyList<RunEntry>>? Committed;

    /// <summary>Appends an entry (stamped as <see cref="Stamp"/> says); the task completes when it is committed.</summary>
    public Task AppendAsync(RunEntryKind kind, OperationProgress? operation = null, ApplyResult? applied = null, LabEvent? labEvent = null,
        ProbeReport? probe = null, RunCaptureInfo? capture = null, string? message = null, RunStatus? status = null) =>
        Enqueue(sequence => new PendingWrite(new RunEntry(sequence, Stamp(operation?.At ?? labEvent?.At), kind, operation, applied, labEvent, probe, capture, message, status)),
            drop: kind == RunEntryKind.Event ? Droppable.Event : Droppable.No);

    /// <summary>Records that a capture was armed: its row (so its frames can follow) and a timeline entry.</summary>
    public Task CaptureStartedAsync(RunCaptureInfo capture, int snapLength) =>
        Enqueue(sequence => new PendingWrite(new RunEntry(sequence, Stamp(), RunEntryKind.CaptureStarted, Capture: capture)) { CaptureRow = (capture, snapLength) });

    public Task CaptureEndedAsync(RunCaptureInfo capture, string? message = null) =>
        Enqueue(sequence => new PendingWrite(new RunEntry(sequence, Stamp(), RunEntryKind.CaptureEnded, Capture: capture, Message: message)) { EndsCapture = true });

    /// <summary>A captured frame of a capture whose start was appended before.</summary>
    public Task AppendFrameAsync(int capture, CapturedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var stored = new StoredFrame(frame.Number, ToMicroseconds(frame.At), frame.OriginalLength, frame.Outgoing, frame.Data);
        return Enqueue(_ => new PendingWrite(null) { Frame = (capture, stored) }, numbered: false, drop: Droppable.Frame, frameBytes: stored.Data.Length);
    }

    /// <summary>The run's last entry and its status and end time in the runs row, in one transaction.</summary>
    public Task FinishAsync(RunStatus status, string message) =>
        Enqueue(sequence => new PendingWrite(new RunEntry(sequence, Stamp(), RunEntryKind.Status, Message: message, Status: status)) { Finishes = status });

    /// <summary>Waits until everything appended so far is committed.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            ThrowIfFailed();
            var wasEmpty = _pending.Count == 0;
            ReportGap();
            if (_pending.Count == 0)
            {
                // Whatever was taken is being committed with the previous task; an empty batch commits at once.
                _pending.Add(new PendingWrite(null));
                _heldWrites++;
            }

            if (wasEmpty)
            {
                _wake.Release();
            }

            return _pendingCommit.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_failure is null && !_closed)
            {
                // A gap no later write reported is recorded before the end.
                var wasEmpty = _pending.Count == 0;
                ReportGap();
                if (wasEmpty && _pending.Count > 0)
                {
                    _wake.Release();
                }
            }

            _closed = true;
        }

        _stopping.Cancel();
        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while idle.
        }

        _stopping.Dispose();
        _wake.Dispose();
    }

    internal static long ToMicroseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static PreparedInsert EntryInsert(SqliteConnection connection, SqliteTransaction transaction) => new(
        connection, transaction,
        "INSERT INTO run_entries (run_id, sequence, at_ms, kind, payload) VALUES ($run, $sequence, $at, $kind, $payload)",
        "$run", "$sequence", "$at", "$kind", "$payload");

    internal static void BindEntry(PreparedInsert insert, long runId, RunEntry entry) =>
        insert.Bind(runId, entry.Sequence, entry.At.ToUnixTimeMilliseconds(), KindText(entry.Kind), RunJson.Serialize(entry));

    internal static PreparedInsert FrameInsert(SqliteConnection connection, SqliteTransaction transaction) => new(
        connection, transaction,
        "INSERT INTO run_frames (run_id, capture, number, at_us, original_length, outgoing, data) VALUES ($run, $capture, $number, $at, $length, $outgoing, $data)",
        "$run", "$capture", "$number", "$at", "$length", "$outgoing", "$data");

    internal static void BindFrame(PreparedInsert insert, long runId, int capture, StoredFrame frame) =>
        insert.Bind(runId, capture, frame.Number, frame.AtMicroseconds, frame.OriginalLength, frame.Outgoing ? 1 : 0, frame.Data);

    internal static string KindText(RunEntryKind kind) => kind switch
    {
        RunEntryKind.Operation => "operation",
        RunEntryKind.Applied => "applied",
        RunEntryKind.Event => "event",
        RunEntryKind.Probe => "probe",
        RunEntryKind.CaptureStarted => "captureStarted",
        RunEntryKind.CaptureEnded => "captureEnded",
        RunEntryKind.Grade => "grade",
        _ => "status",
    };

    /// <summary>
    /// An entry's time, under the lock: for an operation, when the agent finished it, and for a kernel event, when the
    /// agent read it from the kernel (both reach the web in bursts, and the replay should show each at its own moment);
    /// else now; never before the previous
    /// entry's, because the replay finds a moment's entries by binary search over times in sequence order.
    /// </summary>
    private DateTimeOffset Stamp(DateTimeOffset? happened = null)
    {
        var now = _time.GetUtcNow();
        var at = happened is { } reported && reported < now ? reported : now;
        _lastStamp = at > _lastStamp ? at : _lastStamp;
        return _lastStamp;
    }

    private Task Enqueue(Func<long, PendingWrite> create, bool numbered = true, Droppable drop = Droppable.No, int frameBytes = 0)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                // A task, not a throw: events and frames are appended without awaiting, and a failed recorder must not
                // break the loop that feeds it.
                return Task.FromException(Failed());
            }

            ObjectDisposedException.ThrowIf(_closed, this);
            if (drop != Droppable.No
                && (_heldWrites >= _options.MaxPendingWrites || (drop == Droppable.Frame && _heldFrameBytes + frameBytes > _options.MaxPendingFrameBytes)))
            {
                // The store is behind (busy, or slower than the events): this one is not recorded, only counted.
                _ = drop == Droppable.Event ? _droppedEvents++ : _droppedFrames++;
                return DroppedWrite;
            }

            var wasEmpty = _pending.Count == 0;
            ReportGap();
            // Numbered under the lock, so the order of the sequence is the order of the calls.
            _pending.Add(create(numbered ? _nextSequence++ : 0));
            _heldWrites++;
            _heldFrameBytes += frameBytes;
            if (wasEmpty)
            {
                _wake.Release();
            }

            return _pendingCommit.Task;
        }
    }

    /// <summary>Under the lock: a status entry for what was dropped since the last report, before the next write.</summary>
    private void ReportGap()
    {
        var (events, frames) = (_droppedEvents - _reportedEvents, _droppedFrames - _reportedFrames);
        if (events == 0 && frames == 0)
        {
            return;
        }

        (_reportedEvents, _reportedFrames) = (_droppedEvents, _droppedFrames);
        var lost = string.Join(" and ", new[] { events > 0 ? $"{events} kernel events" : null, frames > 0 ? $"{frames} captured frames" : null }.OfType<string>());
        var message = $"Not recorded: {lost}. The store fell behind, and a recorder holds at most {_options.MaxPendingWrites} writes " +
            $"and {_options.MaxPendingFrameBytes / (1024 * 1024)} MiB of frames in memory; the replay misses them here.";
        _pending.Add(new PendingWrite(new RunEntry(_nextSequence++, Stamp(), RunEntryKind.Status, Message: message)));
        _heldWrites++;
    }

    private InvalidOperationException Failed() => new($"Recording run {RunId} failed: {FailureReason ?? _failure!.Message}", _failure);

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw Failed();
        }

        ObjectDisposedException.ThrowIf(_closed, this);
    }

    private async Task WriteLoopAsync()
    {
        using var connection = _database.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=NORMAL";
            pragma.ExecuteNonQuery();
        }

        while (true)
        {
            try
            {
                await _wake.WaitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Closing: what was appended before the close is still written.
                if (!HasPending())
                {
                    return;
                }
            }

            if (_options.BatchWindow > TimeSpan.Zero && !_stopping.IsCancellationRequested)
            {
                await Task.Delay(_options.BatchWindow, _time).ConfigureAwait(false);
            }

            while (TakeBatch(out var batch, out var commit))
            {
                var (entries, error) = await WriteWithRetriesAsync(connection, batch).ConfigureAwait(false);
                if (error is not null)
                {
                    var reason = error is SqliteException sqlite && IsTransient(sqlite)
                        ? $"the store stayed busy for {_options.RetryFor.TotalSeconds:0} s ({error.Message}), after {Retries} tries"
                        : StoreFullException.IsDiskFull(error)
                            ? StoreFullException.MessageFor(_database.DatabaseFile)
                            : $"the store refused a write ({error.Message})";
                    lock (_gate)
                    {
                        FailureReason = reason;
                        _failure = error;
                    }

                    commit.SetException(Failed());
                    FailPending(Failed());
                    await MarkRunFailedAsync(connection, reason).ConfigureAwait(false);
                    return;
                }

                lock (_gate)
                {
                    _heldWrites -= batch.Count;
                    _heldFrameBytes -= batch.Sum(w => (long)(w.Frame?.Frame.Data.Length ?? 0));
                }

                commit.SetResult();
                if (entries!.Count > 0)
                {
                    Committed?.Invoke(entries);
                }
            }
        }
    }

    /// <summary>
    /// Writes a batch, trying again while the store answers busy or locked (another connection holds the write lock
    /// past this connection's busy timeout), with pauses from 50 ms doubling to 2 s, for at most
    /// <see cref="RunRecorderOptions.RetryFor"/>. A failed try rolls its transaction back, so each try writes all of the
    /// batch or nothing. Returns the committed entries, or the error it gave up on.
    /// </summary>
    private async Task<(List<RunEntry>? Entries, Exception? Error)> WriteWithRetriesAsync(SqliteConnection connection, List<PendingWrite> batch)
    {
        var started = _time.GetTimestamp();
        var pause = FirstRetryPause;
        while (true)
        {
            try
            {
                return (Write(connection, batch), null);
            }
            catch (SqliteException error) when (IsTransient(error) && _time.GetElapsedTime(started) + pause < _options.RetryFor)
            {
                Interlocked.Increment(ref _retries);
            }
            catch (Exception error)
            {
                return (null, error);
            }

            await Task.Delay(pause, _time).ConfigureAwait(false);
            pause = pause * 2 < LastRetryPause ? pause * 2 : LastRetryPause;
        }
    }

    /// <summary>
    /// The recorder gave up: the run ends failed, with the reason as its last entry, so that it does not stay "running"
    /// until the next start of the web. Tried as long as the writes were, also while the disk is full (the entry is
    /// small, and space freed meanwhile lets it through); if the store still refuses, the next start marks the run
    /// interrupted.
    /// </summary>
    private async Task MarkRunFailedAsync(SqliteConnection connection, string reason)
    {
        var started = _time.GetTimestamp();
        var pause = FirstRetryPause;
        while (true)
        {
            try
            {
                using var transaction = connection.BeginTransaction();
                long sequence;
                using (var last = connection.CreateCommand())
                {
                    last.Transaction = transaction;
                    last.CommandText = "SELECT COALESCE(MAX(sequence), 0) + 1 FROM run_entries WHERE run_id = $run";
                    last.Parameters.AddWithValue("$run", RunId);
                    sequence = (long)last.ExecuteScalar()!;
                }

                var at = _time.GetUtcNow();
                var entry = new RunEntry(sequence, at, RunEntryKind.Status, Message: $"Recording stopped: {reason}. What was recorded before is kept.", Status: RunStatus.Failed);
                using (var insert = EntryInsert(connection, transaction))
                {
                    BindEntry(insert, RunId, entry);
                    insert.Command.ExecuteNonQuery();
                }

                using (var update = connection.CreateCommand())
                {
                    update.Transaction = transaction;
                    update.CommandText = "UPDATE runs SET status = $failed, ended_ms = $at WHERE id = $run AND status = $running";
                    update.Parameters.AddWithValue("$run", RunId);
                    update.Parameters.AddWithValue("$failed", RunStore.StatusText(RunStatus.Failed));
                    update.Parameters.AddWithValue("$running", RunStore.StatusText(RunStatus.Running));
                    update.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                    update.ExecuteNonQuery();
                }

                transaction.Commit();
                return;
            }
            catch (SqliteException error) when ((IsTransient(error) || StoreFullException.IsDiskFull(error)) && _time.GetElapsedTime(started) + pause < _options.RetryFor)
            {
                await Task.Delay(pause, _time).ConfigureAwait(false);
                pause = pause * 2 < LastRetryPause ? pause * 2 : LastRetryPause;
            }
            catch (SqliteException)
            {
                // Nothing more this recorder can do; the web's next start marks the run interrupted.
                return;
            }
        }
    }

    /// <summary>SQLITE_BUSY and SQLITE_LOCKED: another connection holds the lock; the same write may pass later.</summary>
    private static bool IsTransient(SqliteException error) => error.SqliteErrorCode is 5 or 6;

    private static readonly TimeSpan FirstRetryPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LastRetryPause = TimeSpan.FromSeconds(2);

    /// <summary>What a dropped append returns: canceled, so awaiting it says it was not recorded, and nobody has to observe it.</summary>
    private static readonly Task DroppedWrite = Task.FromCanceled(new CancellationToken(canceled: true));

    private bool TakeBatch(out List<PendingWrite> batch, out TaskCompletionSource commit)
    {
        lock (_gate)
        {
            batch = _pending;
            commit = _pendingCommit;
            if (batch.Count == 0)
            {
                return false;
            }

            if (batch.Count > _options.MaxBatch)
            {
                // The rest stays pending with the same commit task: it completes once the last of them is written.
                _pending = batch.GetRange(_options.MaxBatch, batch.Count - _options.MaxBatch);
                batch = batch.GetRange(0, _options.MaxBatch);
                commit = NewCommit();
                return true;
            }

            _pending = [];
            _pendingCommit = NewCommit();
            return true;
        }
    }

    private bool HasPending()
    {
        lock (_gate)
        {
            return _pending.Count > 0;
        }
    }

    private void FailPending(Exception error)
    {
        lock (_gate)
        {
            _pending = [];
            _pendingCommit.TrySetException(error);
        }
    }

    private List<RunEntry> Write(SqliteConnection connection, List<PendingWrite> batch)
    {
        var entries = new List<RunEntry>(batch.Count);
        using var transaction = connection.BeginTransaction();
        using var insertEntry = EntryInsert(connection, transaction);
        PreparedInsert? insertFrame = null;
        try
        {
            foreach (var write in batch)
            {
                if (write.CaptureRow is var (capture, snapLength))
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = "INSERT INTO run_captures (run_id, number, element, interface, snap_length, started_ms) VALUES ($run, $number, $element, $interface, $snap, $at)";
                    command.Parameters.AddWithValue("$run", RunId);
                    command.Parameters.AddWithValue("$number", capture.Number);
                    command.Parameters.AddWithValue("$element", capture.Element);
                    command.Parameters.AddWithValue("$interface", capture.Interface);
                    command.Parameters.AddWithValue("$snap", snapLength);
                    command.Parameters.AddWithValue("$at", write.Entry!.At.ToUnixTimeMilliseconds());
                    command.ExecuteNonQuery();
                }

                if (write.EndsCapture)
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = "UPDATE run_captures SET ended_ms = $at WHERE run_id = $run AND number = $number";
                    command.Parameters.AddWithValue("$run", RunId);
                    command.Parameters.AddWithValue("$number", write.Entry!.Capture!.Number);
                    command.Parameters.AddWithValue("$at", write.Entry.At.ToUnixTimeMilliseconds());
                    command.ExecuteNonQuery();
                }

                if (write.Frame is var (frameCapture, frame))
                {
                    insertFrame ??= FrameInsert(connection, transaction);
                    BindFrame(insertFrame, RunId, frameCapture, frame);
                    insertFrame.Command.ExecuteNonQuery();
                }

                if (write.Entry is { } entry)
                {
                    BindEntry(insertEntry, RunId, entry);
                    insertEntry.Command.ExecuteNonQuery();
                    entries.Add(entry);
                }

                if (write.Finishes is { } status)
                {
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = "UPDATE runs SET status = $status, ended_ms = $at WHERE id = $run";
                    command.Parameters.AddWithValue("$run", RunId);
                    command.Parameters.AddWithValue("$status", RunStore.StatusText(status));
                    command.Parameters.AddWithValue("$at", write.Entry!.At.ToUnixTimeMilliseconds());
                    command.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }
        finally
        {
            insertFrame?.Dispose();
        }

        return entries;
    }

    private static TaskCompletionSource NewCommit() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private enum Droppable
    {
        No,
        Event,
        Frame,
    }

    private sealed record PendingWrite(RunEntry? Entry)
    {
        public (RunCaptureInfo Capture, int SnapLength)? CaptureRow { get; init; }

        public bool EndsCapture { get; init; }

        public (int Capture, StoredFrame Frame)? Frame { get; init; }

        public RunStatus? Finishes { get; init; }
    }
}

/// <summary>An INSERT prepared once and bound row by row (Dapper would build its parameters again for every row).</summary>
internal sealed class PreparedInsert : IDisposable
{
    private readonly SqliteParameter[] _parameters;

    public PreparedInsert(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        Command = connection.CreateCommand();
        Command.Transaction = transaction;
        Command.CommandText = sql;
        _parameters = [.. names.Select(name => Command.Parameters.Add(new SqliteParameter { ParameterName = name }))];
        Command.Prepare();
    }

    public SqliteCommand Command { get; }

    public void Bind(params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i];
        }
    }

    public void Dispose() => Command.Dispose();
}
