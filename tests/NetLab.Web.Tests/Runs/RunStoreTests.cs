using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

public sealed class RunStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly RunStore _runs;

    public RunStoreTests() => _runs = new RunStore(_db.Database, TimeProvider.System);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_recorded_run_reads_back_in_order_with_its_kinds_times_and_payloads()
    {
        var id = await RunFixtures.RecordAsync(_db.Store, _db.Database);

        var run = await _runs.GetRunAsync(LabStore.LocalUserId, id);
        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, id);

        Assert.Equal(RunStatus.Succeeded, run!.Summary.Status);
        Assert.Equal(RunFixtures.Start.AddMilliseconds(700), run.Summary.Ended);
        Assert.Contains("macvlan2", run.Yaml, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(
            [RunEntryKind.Status, RunEntryKind.Operation, RunEntryKind.Operation, RunEntryKind.Operation, RunEntryKind.Applied, RunEntryKind.Event, RunEntryKind.Event,
             RunEntryKind.Event, RunEntryKind.Event, RunEntryKind.CaptureStarted, RunEntryKind.Probe, RunEntryKind.CaptureEnded, RunEntryKind.Status],
            entries.Select(e => e.Kind));
        Assert.Equal([0, 10, 20, 30, 40, 100, 100, 200, 300, 400, 500, 600, 700], entries.Select(e => (e.At - RunFixtures.Start).TotalMilliseconds));
        Assert.Equal("macvlan2", entries[5].Event!.Snapshot!.Interfaces[1].Name);
        Assert.Equal(NeighborOutcome.Answered, entries[10].Probe!.Results[0].Neighbor);
        Assert.Equal(RunStatus.Succeeded, entries[^1].Status);

        var capture = Assert.Single(await _runs.GetCapturesAsync(LabStore.LocalUserId, id));
        Assert.Equal((1, "ns2", "macvlan2", 2, RunFixtures.Start.AddMilliseconds(600)), (capture.Number, capture.Element, capture.Interface, capture.FrameCount, capture.Ended));
        var frames = await _runs.GetFramesAsync(LabStore.LocalUserId, id, 1);
        Assert.Equal([true, false], frames.Select(f => f.Outgoing));
        Assert.Equal(RunFixtures.Frame(2), frames[1].Data);
    }

    [Fact]
    public async Task An_operation_is_stamped_when_the_agent_finished_it_yet_times_never_go_back_nor_ahead_of_now()
    {
        // A burst of progress lines arriving together at 80 ms, finished by the agent at 20, 60 and 90 ms: the first is
        // before the run's first entry, the last after the moment it arrived.
        var stamps = await StampsOfABurstAsync("burst", arrival: 80, async recorder =>
        {
            foreach (var (index, finished) in new[] { (0, 20), (1, 60), (2, 90) })
            {
                var progress = FakeAgentGateway.ProgressOf(index, OperationStatus.Done) with { At = RunFixtures.Start.AddMilliseconds(finished) };
                await recorder.AppendAsync(RunEntryKind.Operation, operation: progress);
            }

            await recorder.AppendAsync(RunEntryKind.Status, message: "done");
        });

        Assert.Equal([50, 50, 60, 80, 80], stamps);
    }

    [Fact]
    public async Task A_kernel_event_is_stamped_when_the_agent_read_it_within_the_same_bounds()
    {
        // Three link changes the agent read at 40, 70 and 95 ms reach the web together at 90 ms.
        var stamps = await StampsOfABurstAsync("events", arrival: 90, async recorder =>
        {
            foreach (var read in new[] { 40, 70, 95 })
            {
                var change = new LabEvent(LabEventKind.InterfaceChanged, "events", "ns2", RunFixtures.Start.AddMilliseconds(read), InterfaceName: "macvlan2");
                await recorder.AppendAsync(RunEntryKind.Event, labEvent: change);
            }
        });

        Assert.Equal([50, 50, 70, 90], stamps);
    }

    /// <summary>
    /// Records a run whose first entry is appended at 50 ms and the rest (<paramref name="burst"/>) with the clock at
    /// <paramref name="arrival"/> ms; returns the stored stamps in milliseconds from the fixtures' start.
    /// </summary>
    private async Task<IEnumerable<double>> StampsOfABurstAsync(string name, double arrival, Func<RunRecorder, Task> burst)
    {
        var lab = (await _db.Store.CreateBlankAsync(LabStore.LocalUserId, name)).Value!;
        var clock = new ManualClock(RunFixtures.Start.AddMilliseconds(50));
        var runs = new RunStore(_db.Database, clock);
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, $"name: {name}\n", name, "", "");
        await using (var recorder = runs.OpenRecorder(run.Id))
        {
            await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);
            clock.Now = RunFixtures.Start.AddMilliseconds(arrival);
            await burst(recorder);
        }

        var entries = await runs.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        return entries.Select(e => (e.At - RunFixtures.Start).TotalMilliseconds);
    }

    [Fact]
    public async Task Entries_appended_from_many_threads_get_one_gapless_sequence_in_commit_order()
    {
        var lab = (await _db.Store.CreateBlankAsync(LabStore.LocalUserId, "busy")).Value!;
        var run = await _runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: busy\n", "busy", "", "");
        var committed = new List<long>();
        await using (var recorder = _runs.OpenRecorder(run.Id, new RunRecorderOptions(MaxBatch: 64)))
        {
            recorder.Committed += batch =>
            {
                lock (committed)
                {
                    committed.AddRange(batch.Select(e => e.Sequence));
                }
            };
            await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(async () =>
            {
                for (var i = 0; i < 250; i++)
                {
                    _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed($"ns{thread}", Interface("eth0", i + 1)));
                }

                await recorder.FlushAsync();
            }, TestContext.Current.CancellationToken)));
            await recorder.FlushAsync();
        }

        var stored = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), stored.Select(e => e.Sequence));
        Assert.Equal(stored.Select(e => e.Sequence), committed);
        // Per producer, the order of its calls is kept.
        foreach (var thread in Enumerable.Range(0, 8))
        {
            Assert.Equal(Enumerable.Range(1, 250), stored.Where(e => e.Event!.Element == $"ns{thread}").Select(e => e.Event!.Interface!.Index));
        }
    }

    [Fact]
    public async Task A_write_that_returned_is_in_the_files_when_the_process_dies_without_closing()
    {
        var lab = (await _db.Store.CreateBlankAsync(LabStore.LocalUserId, "crash")).Value!;
        var run = await _runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: crash\n", "crash", "", "");
        var recorder = _runs.OpenRecorder(run.Id);
        for (var i = 0; i < 100; i++)
        {
            _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", i + 1)));
        }

        await recorder.AppendAsync(RunEntryKind.Status, message: "shown to the user");

        // What a kill -9 leaves: the database and WAL files as they are, with the recorder's connection still open
        // (no checkpoint, no close). A copy of the files is opened as the next web process would open them.
        var crashed = Path.Combine(_db.Folder, "crashed");
        Directory.CreateDirectory(crashed);
        foreach (var file in Directory.GetFiles(_db.Folder, "netlab.db*"))
        {
            File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        }

        Assert.True(File.Exists(Path.Combine(crashed, "netlab.db-wal")), "the test must read the WAL the recorder wrote, not a checkpointed file");
        var reopened = new RunStore(new SqliteDatabase(Path.Combine(crashed, "netlab.db")), TimeProvider.System);
        var entries = await reopened.GetEntriesAsync(LabStore.LocalUserId, run.Id);
        Assert.Equal(101, entries.Count);
        Assert.Equal("shown to the user", entries[^1].Message);

        Assert.Equal(1, await reopened.MarkAbandonedRunsInterruptedAsync());
        Assert.Equal(RunStatus.Interrupted, (await reopened.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary.Status);
        await recorder.DisposeAsync();
    }

    [Fact]
    public async Task Search_finds_runs_by_text_in_title_or_notes_status_and_date()
    {
        var first = await RunFixtures.RecordAsync(_db.Store, _db.Database, "vepa without hairpin", "ns2 cannot reach ns3");
        var second = await RunFixtures.RecordAsync(_db.Store, _db.Database, "bridge mode", "100% replied_ok");
        var lab = (await _runs.GetRunAsync(LabStore.LocalUserId, first))!.Summary.LabId;
        await _runs.DescribeAsync(LabStore.LocalUserId, second, "bridge mode", "100% replied_ok");
        using (var connection = _db.Database.Open())
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE runs SET status = 'failed', started_ms = started_ms - 86400000 WHERE id = {first}";
            command.ExecuteNonQuery();
        }

        async Task<long[]> Find(RunSearch search) => [.. (await _runs.ListRunsAsync(LabStore.LocalUserId, lab, search)).Select(r => r.Id)];

        Assert.Equal([second, first], await Find(new RunSearch()));
        Assert.Equal([first], await Find(new RunSearch("HAIRPIN")));
        Assert.Equal([first], await Find(new RunSearch("cannot reach")));
        Assert.Equal([second], await Find(new RunSearch("100%")));
        Assert.Empty(await Find(new RunSearch("100_")));
        Assert.Equal([first], await Find(new RunSearch(Status: RunStatus.Failed)));
        Assert.Equal([second], await Find(new RunSearch(From: RunFixtures.Start.AddHours(-1))));
        Assert.Equal([first], await Find(new RunSearch(To: RunFixtures.Start.AddHours(-1))));
    }

    [Fact]
    public async Task Another_user_sees_none_of_the_runs()
    {
        var id = await RunFixtures.RecordAsync(_db.Store, _db.Database);
        var other = await _db.Store.EnsureUserAsync("other");

        Assert.Null(await _runs.GetRunAsync(other, id));
        Assert.Empty(await _runs.GetEntriesAsync(other, id));
        Assert.Empty(await _runs.GetCapturesAsync(other, id));
        Assert.False(await _runs.DeleteRunAsync(other, id));
        var labId = (await _runs.GetRunAsync(LabStore.LocalUserId, id))!.Summary.LabId;
        await Assert.ThrowsAsync<InvalidOperationException>(() => _runs.CreateRunAsync(other, labId, 1, "", "x", "", ""));
    }

    [Fact]
    public async Task Deleting_a_run_removes_its_entries_captures_and_frames()
    {
        var id = await RunFixtures.RecordAsync(_db.Store, _db.Database);

        Assert.True(await _runs.DeleteRunAsync(LabStore.LocalUserId, id));

        using var connection = _db.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM run_entries) + (SELECT COUNT(*) FROM run_captures) + (SELECT COUNT(*) FROM run_frames)";
        Assert.Equal(0L, (long)command.ExecuteScalar()!);
    }

    [Fact]
    public void The_runs_migration_is_recorded_and_creates_the_run_tables()
    {
        using var connection = _db.Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT (SELECT COUNT(*) FROM schema_version WHERE version = 2 AND name = '002_runs.sql') || ',' || " +
            "(SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'run%' ORDER BY name))";
        // 006 adds run_grades and run_check_results beside them.
        Assert.Equal("1,run_captures,run_check_results,run_entries,run_frames,run_grades,runs", command.ExecuteScalar());
    }

    [Fact]
    public void A_run_recorded_before_address_events_had_an_index_field_reads_back_with_the_index()
    {
        const string Old = """{"sequence":7,"at":"2026-01-01T00:00:00+00:00","kind":"event","event":{"kind":"addressAdded","lab":"demo","element":"ns2","at":"2026-01-01T00:00:00+00:00","address":"10.0.0.2/24","message":"ifindex 5"}}""";

        var entry = RunJson.Deserialize(Old);

        Assert.Equal((5, null), (entry.Event!.InterfaceIndex, entry.Event.Message));
        var resync = RunJson.Deserialize(Old.Replace("addressAdded", "resync", StringComparison.Ordinal));
        Assert.Equal((null, "ifindex 5"), (resync.Event!.InterfaceIndex, resync.Event.Message));
    }
}
