using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Runs;

public sealed class RunReplayTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<RunReplay> LoadAsync() =>
        (await RunReplay.LoadAsync(new RunStore(_db.Database, TimeProvider.System), LabStore.LocalUserId, await RunFixtures.RecordAsync(_db.Store, _db.Database)))!;

    private static string StateOf(ReplayMoment moment, string element, string name) =>
        moment.Namespaces.Single(n => n.Element == element).Interfaces.Single(i => i.State.Name == name).State.OperState;

    [Fact]
    public async Task Before_the_first_snapshot_there_is_no_state_only_the_apply_progress()
    {
        var replay = await LoadAsync();

        var moment = replay.At(25);

        Assert.Empty(moment.Namespaces);
        Assert.Equal(1, moment.LastOperation!.Index);
        Assert.Null(moment.Applied);
        Assert.Null(moment.Probe);
        Assert.Equal(3, moment.EntryCount);
    }

    [Fact]
    public async Task Stepping_entry_by_entry_separates_entries_of_the_same_millisecond_and_goes_back()
    {
        var replay = await LoadAsync();

        var both = replay.At(100);
        var first = replay.AfterEntries(6);
        var back = replay.AfterEntries(5);

        // Entries 6 and 7 are the snapshots of ns2 and ns3, both stamped 100 ms.
        Assert.Equal(["ns2", "ns3"], both.Namespaces.Select(n => n.Element));
        Assert.Equal((6, 100L), (first.EntryCount, first.OffsetMilliseconds));
        Assert.Equal(["ns2"], first.Namespaces.Select(n => n.Element));
        Assert.Equal((5, 40L), (back.EntryCount, back.OffsetMilliseconds));
        Assert.Empty(back.Namespaces);
        Assert.Equal(0, replay.AfterEntries(-1).EntryCount);
        Assert.Equal(replay.Entries.Count, replay.AfterEntries(int.MaxValue).EntryCount);
    }

    [Fact]
    public async Task The_state_at_t_folds_every_event_up_to_t_and_none_after()
    {
        var replay = await LoadAsync();

        var down = replay.At(150);
        Assert.Equal(["ns2", "ns3"], down.Namespaces.Select(n => n.Element));
        Assert.Equal("down", StateOf(down, "ns2", "macvlan2"));
        Assert.Empty(down.Namespaces[0].Interfaces.Single(i => i.State.Name == "macvlan2").State.Addresses);

        var up = replay.At(200);
        Assert.Equal("up", StateOf(up, "ns2", "macvlan2"));
        Assert.Empty(up.Namespaces[0].Interfaces.Single(i => i.State.Name == "macvlan2").State.Addresses);

        var addressed = replay.At(300);
        Assert.Equal(["100.0.0.2/24"], addressed.Namespaces[0].Interfaces.Single(i => i.State.Name == "macvlan2").State.Addresses);
        Assert.True(addressed.Applied!.Succeeded);
    }

    [Fact]
    public async Task Scrubbing_back_gives_the_same_state_as_folding_from_the_start()
    {
        var replay = await LoadAsync();
        var fresh = (await LoadAsync()).At(150);

        replay.At(700);
        var back = replay.At(150);

        Assert.Equal(fresh.EntryCount, back.EntryCount);
        Assert.Equal(StateOf(fresh, "ns2", "macvlan2"), StateOf(back, "ns2", "macvlan2"));
        Assert.Equal("down", StateOf(back, "ns2", "macvlan2"));
    }

    [Fact]
    public async Task The_probe_of_a_moment_is_the_last_one_taken_before_it()
    {
        var replay = await LoadAsync();

        Assert.Null(replay.At(499).Probe);
        var end = replay.At(replay.DurationMilliseconds);
        Assert.Equal(2, end.Probe!.Results.Count);
        Assert.Equal(700, replay.DurationMilliseconds);
        Assert.Equal(replay.Entries.Count, end.EntryCount);
        Assert.Equal(RunStatus.Succeeded, end.LastEntry!.Status);
    }

    [Fact]
    public async Task Positions_outside_the_run_are_clamped()
    {
        var replay = await LoadAsync();

        Assert.Equal(0, replay.At(-50).OffsetMilliseconds);
        Assert.Equal(1, replay.At(-50).EntryCount);
        Assert.Equal(700, replay.At(10_000).OffsetMilliseconds);
    }

    [Fact]
    public async Task Markers_group_close_entries_of_a_kind_and_keep_every_kind_visible()
    {
        var replay = await LoadAsync();

        var coarse = replay.Markers(buckets: 7);

        // Buckets of 100 ms: the status and three operations share bucket 0, the events 1-3, and so on.
        var operations = Assert.Single(coarse, m => m.Kind == RunEntryKind.Operation);
        Assert.Equal((10L, 3), (operations.OffsetMilliseconds, operations.Count));
        Assert.Contains("(+2 more)", operations.Label, StringComparison.Ordinal);
        Assert.Equal(4, coarse.Where(m => m.Kind == RunEntryKind.Event).Sum(m => m.Count));
        Assert.Single(coarse, m => m.Kind == RunEntryKind.Probe);
        Assert.Equal(replay.Entries.Count, replay.Markers(buckets: 1000).Sum(m => m.Count));
    }

    [Fact]
    public void Before_a_snapshot_the_links_the_apply_made_show_as_its_operations_left_them()
    {
        var start = RunFixtures.Start;
        RunEntry Operation(long sequence, int index, string kind, string source, NetLab.Agent.Client.Contracts.OperationStatus status = NetLab.Agent.Client.Contracts.OperationStatus.Done) =>
            new(sequence, start.AddMilliseconds(10 * sequence), RunEntryKind.Operation,
                Operation: new NetLab.Agent.Client.Contracts.OperationProgress(index, 4, new NetLab.Agent.Client.Contracts.PlannedOperation(index, kind, source, "nl-lab.ns2", "ip ..."), status, 0.1));
        var entries = new List<RunEntry>
        {
            Operation(1, 0, "CreateNamespace", "namespaces.ns2"),
            Operation(2, 1, "CreateLink", "namespaces.ns2.interfaces.macvlan2"),
            Operation(3, 2, "SetLinkUp", "namespaces.ns2.interfaces.macvlan2", NetLab.Agent.Client.Contracts.OperationStatus.Started),
            Operation(4, 2, "SetLinkUp", "namespaces.ns2.interfaces.macvlan2"),
            new(5, start.AddMilliseconds(50), RunEntryKind.Event, Event: Live.LiveEvents.Snapshot("ns2", Live.LiveEvents.Interface("macvlan2", 2))),
        };
        var summary = new RunSummary(1, 1, 1, "lab", 1, "lab", "", "", RunStatus.Succeeded, start, start.AddMilliseconds(50), null);
        var replay = new RunReplay(new RunDetails(summary, "name: lab\n"), entries, []);

        Assert.Empty(replay.At(10).AppliedLinks);
        Assert.Equal([new AppliedLink("ns2", "macvlan2", Up: false)], replay.At(30).AppliedLinks);
        Assert.Equal([new AppliedLink("ns2", "macvlan2", Up: true)], replay.At(40).AppliedLinks);
        // Once the kernel's snapshot of ns2 is there, that is what shows.
        Assert.Empty(replay.At(50).AppliedLinks);
        Assert.Equal("up", replay.At(50).Namespaces.Single().Interfaces.Single().State.OperState);
    }
}
