using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Live;

public sealed class LiveLabStateTests
{
    private readonly LiveLabState _state = new(DemoLab);

    private LiveInterface Only(string element, string name) =>
        Assert.Single(Assert.Single(_state.Namespaces, n => n.Element == element).Interfaces, i => i.State.Name == name);

    [Fact]
    public async Task The_snapshot_comes_first_then_changes_from_the_source()
    {
        var source = new FakeAgentGateway { SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1), Interface("macvlan2", 2))] };
        using var stop = new CancellationTokenSource();
        var changes = 0;
        _state.Changed += () => Interlocked.Increment(ref changes);
        var running = _state.RunAsync(source, Demo, TimeProvider.System, stop.Token);

        await source.WaitForWatchersAsync(1);
        source.Publish(Changed("ns2", Interface("macvlan2", 2, operState: "down", carrier: false)));
        await WaitUntilAsync(() => Volatile.Read(ref changes) >= 2);

        var space = Assert.Single(_state.Namespaces);
        Assert.Equal("nl-demo-ns2", space.KernelName);
        Assert.Equal(["lo", "macvlan2"], space.Interfaces.Select(i => i.State.Name));
        Assert.Equal("down", Only("ns2", "macvlan2").State.OperState);
        await stop.CancelAsync();
        await running;
        Assert.Equal(0, source.ActiveWatchers);
    }

    [Fact]
    public void A_link_change_keeps_the_addresses_and_parent_known_from_the_snapshot()
    {
        _state.Apply(Snapshot("ns2", Interface("macvlan2", 5, parent: "eth0", addresses: ["10.0.0.2/24"], rx: 100)));

        _state.Apply(Changed("ns2", Interface("macvlan2", 5, operState: "lowerlayerdown", carrier: false)));

        var link = Only("ns2", "macvlan2").State;
        Assert.Equal("lowerlayerdown", link.OperState);
        Assert.False(link.Carrier);
        Assert.Equal(["10.0.0.2/24"], link.Addresses);
        Assert.Equal("eth0", link.Parent);
        Assert.Equal(100UL, link.RxBytes);
    }

    [Fact]
    public void Addresses_come_and_go_with_their_events()
    {
        _state.Apply(Snapshot("ns1", Interface("eth0", 2, addresses: ["10.0.0.1/24"])));

        _state.Apply(AddressAdded("ns1", "eth0", "fe80::1/64"));
        _state.Apply(AddressAdded("ns1", "eth0", "fe80::1/64"));
        _state.Apply(AddressRemoved("ns1", "eth0", "10.0.0.1/24"));

        Assert.Equal(["fe80::1/64"], Only("ns1", "eth0").State.Addresses);
    }

    [Fact]
    public void Address_events_that_name_the_interface_by_index_as_the_agent_sends_them_find_it()
    {
        _state.Apply(Snapshot("ns2", Interface("lo", 1), Interface("macvlan2", 2, addresses: ["100.0.0.2/24", "fe80::1/64"])));

        _state.Apply(new LabEvent(LabEventKind.AddressRemoved, DemoLab, "ns2", At, Address: "fe80::1/64", InterfaceIndex: 2));
        _state.Apply(new LabEvent(LabEventKind.AddressAdded, DemoLab, "ns2", At, Address: "127.0.0.1/8", InterfaceIndex: 1));
        // The text is not read back: an event without the index (or a name) changes nothing.
        _state.Apply(new LabEvent(LabEventKind.AddressAdded, DemoLab, "ns2", At, Address: "10.9.9.9/8", Message: "ifindex 2"));

        Assert.Equal(["100.0.0.2/24"], Only("ns2", "macvlan2").State.Addresses);
        Assert.Equal(["127.0.0.1/8"], Only("ns2", "lo").State.Addresses);
    }

    [Fact]
    public void A_removed_interface_disappears_and_a_new_one_appears()
    {
        _state.Apply(Snapshot("ns1", Interface("lo", 1), Interface("eth0", 2)));

        _state.Apply(Removed("ns1", "eth0"));
        _state.Apply(Changed("ns1", Interface("vlan10", 7)));

        Assert.Equal(["lo", "vlan10"], _state.Namespaces[0].Interfaces.Select(i => i.State.Name));
    }

    [Fact]
    public void A_resync_marks_the_namespace_until_its_fresh_snapshot_replaces_it()
    {
        _state.Apply(Snapshot("ns1", Interface("lo", 1), Interface("eth0", 2)));
        _state.Apply(Snapshot("ns2", Interface("lo", 1)));

        _state.Apply(Resync("ns1"));
        Assert.True(_state.Namespaces.Single(n => n.Element == "ns1").Resyncing);

        _state.Apply(Snapshot("ns1", Interface("lo", 1), Interface("eth1", 3)));

        var ns1 = _state.Namespaces.Single(n => n.Element == "ns1");
        Assert.False(ns1.Resyncing);
        Assert.Equal(["lo", "eth1"], ns1.Interfaces.Select(i => i.State.Name));
        Assert.Equal(["ns1", "ns2"], _state.Namespaces.Select(n => n.Element));
    }

    [Fact]
    public void A_broken_stream_clears_the_state_with_the_reason_until_fresh_snapshots_arrive()
    {
        _state.Apply(Snapshot("ns1", Interface("lo", 1)));

        _state.Apply(Resync("", "The agent is not running."));

        Assert.Empty(_state.Namespaces);
        Assert.Equal("The agent is not running.", _state.Problem);

        _state.Apply(Snapshot("ns1", Interface("lo", 1)));
        Assert.Null(_state.Problem);
        Assert.Single(_state.Namespaces);
    }

    [Fact]
    public void Rates_come_from_successive_counter_readings_and_keep_thirty_samples()
    {
        _state.Apply(Snapshot("ns1", Interface("eth0", 2)));
        for (var second = 0; second <= 40; second++)
        {
            var counters = new LabState(DemoLab, [new NamespaceState("ns1", "nl-demo-ns1", [Interface("eth0", 2, rx: (ulong)second * 1000, tx: (ulong)second * 500)])]);
            _state.ApplyCounters(counters, At.AddSeconds(second));
        }

        var eth0 = Only("ns1", "eth0");
        Assert.Equal(1000, eth0.RxBytesPerSecond, precision: 6);
        Assert.Equal(500, eth0.TxBytesPerSecond, precision: 6);
        Assert.Equal(LiveLabState.SampleCapacity, eth0.Rates.Length);
        Assert.Equal(At.AddSeconds(40), eth0.Rates[^1].At);
        Assert.Equal(40_000UL, eth0.State.RxBytes);
    }

    [Fact]
    public void A_reading_names_the_parent_in_another_namespace_that_the_snapshot_could_not()
    {
        _state.Apply(Snapshot("ns2", Interface("macvlan2", 2, operState: "up")));

        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns2", "k", [Interface("macvlan2", 2, operState: "down", parent: "h1/eth0")])]), At);

        var link = Only("ns2", "macvlan2").State;
        Assert.Equal("h1/eth0", link.Parent);
        Assert.Equal("up", link.OperState);
    }

    [Fact]
    public void Counters_that_go_backwards_start_over_instead_of_a_huge_rate()
    {
        _state.Apply(Snapshot("ns1", Interface("eth0", 2)));
        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns1", "k", [Interface("eth0", 2, rx: 5000)])]), At);
        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns1", "k", [Interface("eth0", 2, rx: 10)])]), At.AddSeconds(1));
        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns1", "k", [Interface("eth0", 2, rx: 210)])]), At.AddSeconds(3));

        var eth0 = Only("ns1", "eth0");
        Assert.Equal(100, eth0.RxBytesPerSecond, precision: 6);
        Assert.Single(eth0.Rates);
    }

    [Fact]
    public void A_fresh_snapshot_keeps_the_rate_history_of_interfaces_still_there()
    {
        _state.Apply(Snapshot("ns1", Interface("eth0", 2)));
        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns1", "k", [Interface("eth0", 2, rx: 0)])]), At);
        _state.ApplyCounters(new LabState(DemoLab, [new NamespaceState("ns1", "k", [Interface("eth0", 2, rx: 300)])]), At.AddSeconds(1));

        _state.Apply(Snapshot("ns1", Interface("eth0", 2, operState: "down")));

        Assert.Equal(300, Only("ns1", "eth0").RxBytesPerSecond, precision: 6);
    }

    [Theory]
    [InlineData(0, "0 B/s")]
    [InlineData(999, "999 B/s")]
    [InlineData(1234, "1.23 kB/s")]
    [InlineData(45_600, "45.6 kB/s")]
    [InlineData(3_000_000, "3 MB/s")]
    public void Rates_read_as_people_read_them(double bytesPerSecond, string text) =>
        Assert.Equal(text, RateText.Format(bytesPerSecond));

    [Fact]
    public void A_draft_is_named_by_its_yaml_name_else_by_the_store_name()
    {
        Assert.Equal("vlan-888", LabDraft.Of(RepositoryFiles.Lab("vlan-888.yaml"), "renamed").Name);
        Assert.Equal("renamed", LabDraft.Of("", "renamed").Name);
        Assert.Equal("renamed", LabDraft.Of("not: [a lab", "renamed").Name);
    }

    [Fact]
    public void The_sparkline_puts_the_highest_value_at_the_top() =>
        Assert.Equal("0,20 50,0 100,10", RateText.SparklinePoints([0, 10, 5], 100, 20));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
