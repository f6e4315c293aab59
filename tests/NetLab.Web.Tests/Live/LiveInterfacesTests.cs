using Bunit;
using Microsoft.AspNetCore.Components;
using NetLab.Web.Components.Controls.Live;
using NetLab.Web.Tests.Components;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Live;

public sealed class LiveInterfacesTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly WebTestContext _context = new();

    public LiveInterfacesTests()
    {
        _context.Bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _context.Agent.SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1, operState: "unknown", carrier: true), Interface("macvlan2", 2, parent: "eth0", addresses: ["10.0.0.2/24"]))];
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void Interfaces_of_the_snapshot_are_shown_with_state_mac_and_addresses()
    {
        var live = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));

        live.WaitForAssertion(() => Assert.Equal(["lo", "macvlan2"], live.FindAll("tr.live-interface").Select(r => r.GetAttribute("data-interface"))), Patience);
        var macvlan = live.Find("tr[data-interface=macvlan2]");
        Assert.Contains("live-state-up", macvlan.QuerySelector(".live-state")!.ClassName);
        Assert.Contains("02:00:00:00:00:02", macvlan.TextContent);
        Assert.Contains("10.0.0.2/24", macvlan.TextContent);
        Assert.Contains("eth0", macvlan.TextContent);
        Assert.Contains("live-state-unknown", live.Find("tr[data-interface=lo] .live-state").ClassName);
        Assert.Contains("unknown · carrier", live.Find("tr[data-interface=lo] .live-state").TextContent);
    }

    [Fact]
    public async Task A_link_set_down_outside_netlab_turns_its_chip_red()
    {
        var live = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));
        await _context.Agent.WaitForWatchersAsync(1);

        _context.Agent.Publish(Changed("ns2", Interface("macvlan2", 2, operState: "down", carrier: false)));

        live.WaitForAssertion(() => Assert.Contains("live-state-down", live.Find("tr[data-interface=macvlan2] .live-state").ClassName), Patience);
        Assert.Contains("10.0.0.2/24", live.Find("tr[data-interface=macvlan2]").TextContent);
    }

    [Fact]
    public async Task A_burst_of_changes_costs_about_as_many_renders_as_a_single_change()
    {
        var live = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));
        await _context.Agent.WaitForWatchersAsync(1);
        live.WaitForAssertion(() => Assert.Equal(2, live.FindAll("tr.live-interface").Count), Patience);
        await Task.Delay(300, Xunit.TestContext.Current.CancellationToken);

        // RenderCount counts the re-rendered children (chips, sparklines) too, so a single change is the yardstick.
        var beforeSingle = live.RenderCount;
        _context.Agent.Publish(Changed("ns2", Interface("macvlan2", 2, operState: "down")));
        live.WaitForAssertion(() => Assert.Contains("live-state-down", live.Find("tr[data-interface=macvlan2] .live-state").ClassName), Patience);
        await Task.Delay(300, Xunit.TestContext.Current.CancellationToken);
        var single = live.RenderCount - beforeSingle;

        var beforeBurst = live.RenderCount;
        _context.Agent.Publish(Enumerable.Range(0, 200).Select(i => Changed("ns2", Interface("macvlan2", 2, operState: i % 2 == 0 ? "down" : "up"))));
        live.WaitForAssertion(() => Assert.Contains("live-state-up", live.Find("tr[data-interface=macvlan2] .live-state").ClassName), Patience);
        await Task.Delay(300, Xunit.TestContext.Current.CancellationToken);

        Assert.InRange(live.RenderCount - beforeBurst, single, 3 * single);
    }

    [Fact]
    public void A_prerender_does_not_subscribe()
    {
        _context.Bunit.SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var live = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));

        Assert.NotNull(live.Find(".live-waiting"));
        Assert.Equal(0, _context.Agent.ActiveWatchers);
    }

    [Fact]
    public async Task Disposing_the_component_ends_its_subscription()
    {
        var live = _context.Bunit.Render<LiveInterfaces>(p => p.Add(c => c.Lab, Demo));
        await _context.Agent.WaitForWatchersAsync(1);

        live.Instance.Dispose();

        await _context.Agent.WaitForWatchersAsync(0);
    }
}
