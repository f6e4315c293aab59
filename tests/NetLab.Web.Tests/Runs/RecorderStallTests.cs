using Dapper;
using Microsoft.Data.Sqlite;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// A live run's recorder while another connection holds the store's write lock longer than the busy timeout (a large
/// import does): it waits and goes on, holds a bounded number of writes meanwhile and reports what it dropped, and
/// when it gives up it marks its run failed with the reason instead of leaving it "running".
/// </summary>
public sealed class RecorderStallTests : IDisposable
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);
    private readonly TempDatabase _db = new();
    private readonly SqliteDatabase _database;
    private readonly RunStore _runs;

    public RecorderStallTests()
    {
        // The same file, with connections that give up waiting for a lock after 1 s instead of 30.
        _database = new SqliteDatabase(_db.Database.DatabaseFile, busyTimeout: BusyTimeout);
        _runs = new RunStore(_database, TimeProvider.System);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_run_recorded_while_another_connection_holds_the_write_lock_past_the_busy_timeout_goes_on_once_it_is_released()
    {
        var run = await NewRunAsync("stalled");
        await using var recorder = _runs.OpenRecorder(run.Id);
        await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);

        Task during;
        using (var importer = Lock())
        {
            for (var i = 0; i < 50; i++)
            {
                _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2, i % 2 == 0 ? "up" : "down")));
            }

            during = recorder.AppendAsync(RunEntryKind.Status, message: "appended while the store was locked");
            // Three busy timeouts: the writer's first try has failed with SQLITE_BUSY and it is trying again.
            await Task.Delay(BusyTimeout * 3, TestContext.Current.CancellationToken);
            Assert.False(during.IsCompleted, $"the write completed while the store was locked: {during.Status}");
            Assert.True(recorder.Retries >= 1, "the recorder did not try again");
            importer.Commit();
        }

        await during.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2, "up")));
        await recorder.FinishAsync(RunStatus.Succeeded, "done");

        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        Assert.Equal(Enumerable.Range(1, 54).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(51, entries.Count(e => e.Kind == RunEntryKind.Event));
        Assert.Equal(0, recorder.DroppedEvents);
        Assert.Null(recorder.FailureReason);
        Assert.Equal(RunStatus.Succeeded, (await _runs.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary.Status);
    }

    [Fact]
    public async Task While_the_store_is_locked_events_over_the_bound_are_dropped_counted_and_reported_where_the_gap_is()
    {
        var run = await NewRunAsync("bounded");
        await using var recorder = _runs.OpenRecorder(run.Id, new RunRecorderOptions { MaxPendingWrites = 20 });

        Task before, after;
        using (var importer = Lock())
        {
            before = recorder.AppendAsync(RunEntryKind.Status, message: "before");
            var events = Enumerable.Range(0, 100).Select(i => recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("eth0", i + 1)))).ToList();
            after = recorder.AppendAsync(RunEntryKind.Status, message: "after");
            Assert.Equal(81, events.Count(e => e.IsCanceled));
            Assert.Equal(81, recorder.DroppedEvents);
            await Task.Delay(BusyTimeout * 1.5, TestContext.Current.CancellationToken);
            importer.Commit();
        }

        await Task.WhenAll(before, after).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await recorder.FlushAsync();

        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        Assert.Equal(Enumerable.Range(1, 1 + 19 + 1 + 1).Select(i => (long)i), entries.Select(e => e.Sequence));
        // The 19 events that fit (with "before", 20 writes) are kept in order; the report stands where the gap is.
        Assert.Equal(Enumerable.Range(1, 19), entries.Where(e => e.Kind == RunEntryKind.Event).Select(e => e.Event!.Interface!.Index));
        var gap = entries[^2];
        Assert.Equal(RunEntryKind.Status, gap.Kind);
        Assert.StartsWith("Not recorded: 81 kernel events.", gap.Message, StringComparison.Ordinal);
        Assert.Contains("at most 20 writes", gap.Message, StringComparison.Ordinal);
        Assert.Equal("after", entries[^1].Message);
    }

    [Fact]
    public async Task A_recorder_that_gives_up_on_a_busy_store_marks_its_run_failed_with_the_reason()
    {
        var run = await NewRunAsync("gives-up");
        await using var recorder = _runs.OpenRecorder(run.Id, new RunRecorderOptions { RetryFor = TimeSpan.FromSeconds(2) });
        await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);

        Task stuck;
        using (var importer = Lock())
        {
            stuck = recorder.AppendAsync(RunEntryKind.Status, message: "never written");
            await WaitUntilAsync(() => recorder.FailureReason is not null);
            importer.Commit();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => stuck);
        Assert.Contains("the store stayed busy for 2 s", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => recorder.AppendAsync(RunEntryKind.Status, message: "after giving up"));

        await WaitUntilAsync(async () => (await _runs.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary.Status == RunStatus.Failed);
        var last = (await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id))[^1];
        Assert.Equal((2L, RunStatus.Failed), (last.Sequence, last.Status!.Value));
        Assert.StartsWith("Recording stopped: the store stayed busy for 2 s", last.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_the_store_refuses_outright_ends_the_run_failed_at_once()
    {
        var run = await NewRunAsync("refused");
        await using var recorder = _runs.OpenRecorder(run.Id);

        // A frame of a capture that was never started: the foreign key refuses it, and no retry would help.
        var frame = recorder.AppendFrameAsync(7, new NetLab.Agent.Client.Contracts.CapturedFrame(1, RunFixtures.Start, 16, RunFixtures.Frame(1), false));

        await Assert.ThrowsAsync<InvalidOperationException>(() => frame);
        Assert.Equal(0, recorder.Retries);
        Assert.Contains("the store refused a write", recorder.FailureReason, StringComparison.Ordinal);
        await WaitUntilAsync(async () => (await _runs.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary.Status == RunStatus.Failed);
        Assert.Contains("FOREIGN KEY", (await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id))[^1].Message, StringComparison.Ordinal);
    }

    private async Task<RunSummary> NewRunAsync(string name)
    {
        var lab = (await new LabStore(_database, TimeProvider.System).CreateBlankAsync(LabStore.LocalUserId, name)).Value!;
        return await _runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, LabStore.BlankYaml(name), name, "", "");
    }

    /// <summary>Another connection holding the write lock, as a large import's transaction does, until committed or disposed.</summary>
    private Holder Lock()
    {
        var connection = _database.Open();
        connection.Execute("BEGIN IMMEDIATE");
        return new Holder(connection);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed class Holder(SqliteConnection connection) : IDisposable
    {
        private bool _done;

        public void Commit()
        {
            connection.Execute("COMMIT");
            _done = true;
        }

        public void Dispose()
        {
            if (!_done)
            {
                connection.Execute("ROLLBACK");
            }

            connection.Dispose();
        }
    }
}
