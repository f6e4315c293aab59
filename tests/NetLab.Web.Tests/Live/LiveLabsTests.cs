using NetLab.Web.Agent;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetLab.Web.Components.Controls.Live;
using NetLab.Web.Components.Controls.Topology;
using NetLab.Web.Model;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Components;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Live;

/// <summary>
/// One live subscription per lab: many watchers (tabs, the canvas and the tables of a page) cost the agent one event
/// stream and one counter poll, and the stream ends, after the grace, when the last watcher goes.
/// </summary>
public sealed class LiveLabsTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(At);
    private readonly FakeAgentGateway _agent = new()
    {
        SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1), Interface("macvlan2", 2))],
        State = new(DemoLab, [new("ns2", "nl-demo.ns2", [Interface("lo", 1), Interface("macvlan2", 2, rx: 1000)])]),
    };

    private readonly LiveLabs _live;
    private readonly WebTestContext _context;

    public LiveLabsTests()
    {
        _live = new LiveLabs(_agent, _time, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.FromSeconds(5) };
        _context = new WebTestContext(services => services.AddSingleton(_live), _agent);
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        _live.Dispose();
    }

    [Fact]
    public async Task Twenty_tabs_and_a_page_of_canvas_and_tables_cost_one_event_stream_and_one_counter_poll()
    {
        var tabs = Enumerable.Range(0, 20).Select(_ => _live.Watch(Demo)).ToList();
        var tables = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));
        var canvas = _context.Bunit.Render<TopologyCanvas>(p => p
            .Add(c => c.Yaml, RepositoryFiles.Lab("macvlan-bridge.yaml"))
            .Add(c => c.KernelLab, Demo));
        tables.WaitForAssertion(() => Assert.Equal(2, tables.FindAll("tr.live-interface").Count), Patience);

        Assert.Equal(1, _agent.WatchCalls);
        Assert.Equal(1, _agent.ActiveWatchers);
        Assert.Equal(1, _live.Subscriptions);
        Assert.All(tabs, tab => Assert.Same(tabs[0].State, tab.State));

        // One beat of the counter clock: one reading of the lab's state for all of them.
        Assert.Equal(0, _agent.StateCalls);
        _time.Advance(LiveLabState.CounterInterval);
        Assert.True(SpinWait.SpinUntil(() => _agent.StateCalls >= 1, Patience), "the counters were never read");
        await Task.Delay(200, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(1, _agent.StateCalls);

        // Everyone leaves: the stream stays for the grace (a reload comes back within it), then it is cancelled.
        tabs.ForEach(tab => tab.Dispose());
        await tables.InvokeAsync(() => tables.Instance.Dispose());
        await canvas.InvokeAsync(async () => await canvas.Instance.DisposeAsync());
        Assert.Equal(1, _agent.ActiveWatchers);
        _time.Advance(_live.Grace);
        await _agent.WaitForWatchersAsync(0);
        Assert.Equal(0, _live.Subscriptions);
        Assert.Equal(1, _agent.WatchCalls);
    }

    [Fact]
    public async Task A_watcher_back_within_the_grace_keeps_the_stream_and_its_state()
    {
        var first = _live.Watch(Demo);
        await _agent.WaitForWatchersAsync(1);
        Assert.True(SpinWait.SpinUntil(() => first.State.Namespaces.Count == 1, Patience));
        first.Dispose();

        _time.Advance(_live.Grace / 2);
        using var again = _live.Watch(Demo);
        _time.Advance(_live.Grace);

        Assert.Same(first.State, again.State);
        Assert.Equal(1, _agent.WatchCalls);
        Assert.Equal(1, _agent.ActiveWatchers);
    }

    [Fact]
    public async Task A_subscription_acts_for_the_labs_owner_and_is_shared_only_by_watchers_naming_the_same_owner()
    {
        using var owners = _live.Watch(Demo);
        using var again = _live.Watch(Demo);
        using var anothers = _live.Watch(Demo with { OwnerId = 99 });

        await _agent.WaitForWatchersAsync(2);
        Assert.Same(owners.State, again.State);
        Assert.NotSame(owners.State, anothers.State);
        Assert.Equal(
            [OwnedKernelLab.ActingUserOf(Demo.OwnerId), OwnedKernelLab.ActingUserOf(99)],
            _agent.Acting.Where(a => a.Call == "watch").Select(a => a.Lab.ActingUser).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Each_lab_has_its_own_subscription()
    {
        using var demo = _live.Watch(Demo);
        using var other = _live.Watch(Demo with { Name = "other" });

        await _agent.WaitForWatchersAsync(2);
        Assert.NotSame(demo.State, other.State);
        Assert.Equal(2, _live.Subscriptions);
    }
}
