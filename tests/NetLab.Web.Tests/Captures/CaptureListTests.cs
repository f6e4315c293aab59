using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Controls.Captures;
using NetLab.Web.Model;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Components;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Captures;

/// <summary>The capture control: interfaces to choose, start and stop, the newest frames live, the pcap link.</summary>
public sealed class CaptureListTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly WebTestContext _context = new();

    public CaptureListTests() => _context.Agent.SnapshotOf = _ => TheLabApplied;

    /// <summary>What the agent's event stream starts with once the lab is applied: its interfaces, per namespace.</summary>
    private static IReadOnlyList<LabEvent> TheLabApplied { get; } =
    [
        Snapshot("h1", Interface("lo", 1), Interface("eth0", 2)),
        Snapshot("sw1", Interface("p1", 3)),
    ];

    /// <summary>What the gateway's event stream says while the kernel does not hold the lab.</summary>
    private static LabEvent LabMissing { get; } = Resync("", "The kernel holds no lab named 'demo' yet: apply it to see its interfaces and capture on them.");

    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void Every_interface_of_the_lab_can_be_chosen_and_start_waits_for_a_choice()
    {
        var list = _context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo));

        list.WaitForAssertion(() => Assert.Equal(["", "h1/lo", "h1/eth0", "sw1/p1"], list.FindAll("select.capture-target option").Select(o => o.GetAttribute("value"))), Patience);
        Assert.True(list.Find(".capture-start").HasAttribute("disabled"));
        Assert.True(list.Find(".capture-stop").HasAttribute("disabled"));
        Assert.Empty(list.FindAll(".capture-download"));
    }

    [Fact]
    public async Task Started_capture_lists_frames_live_in_a_bounded_window_and_stops()
    {
        var list = _context.Bunit.Render<CaptureList>(p => p
            .Add(c => c.Lab, Demo)
            .Add(c => c.Window, 3)
            .Add(c => c.Throttle, TimeSpan.FromMilliseconds(10)));
        list.WaitForAssertion(() => Assert.Equal(4, list.FindAll("select.capture-target option").Count), Patience);

        await list.InvokeAsync(() => list.Find("select.capture-target").Change("sw1/p1"));
        await list.InvokeAsync(() => list.Find(".capture-start").Click());

        // The capture's stream is opened by a task of its own: wait for it rather than race it. Not with WaitForAssertion,
        // which looks again only when the component renders, and the request may come after the last render.
        Assert.True(SpinWait.SpinUntil(() => !_context.Agent.Requests.IsEmpty, Patience), "the capture never asked the agent for its stream");
        var (lab, request) = Assert.Single(_context.Agent.Requests);
        Assert.Equal((DemoLab, new CaptureRequest("sw1", "p1")), (lab, request));
        var capture = Assert.Single(_context.Captures.ForLab(CurrentUser.Local, DemoLab));
        Assert.Equal($"/captures/{capture.Id}.pcap", list.Find(".capture-download").GetAttribute("href"));

        await _context.Agent.Stream.Writer.WriteAsync(new CaptureStreamItem(Started: request), Cancel);
        for (var i = 1; i <= 5; i++)
        {
            await _context.Agent.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(i, outgoing: i % 2 == 1)), Cancel);
        }

        list.WaitForAssertion(() => Assert.Equal(["3", "4", "5"], list.FindAll("tr.capture-frame").Select(r => r.GetAttribute("data-number"))), Patience);
        Assert.Contains("IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 32379, seq 1", list.Find("tr.capture-frame[data-number='4'] .capture-summary").TextContent, StringComparison.Ordinal);
        Assert.Contains("in", list.Find("tr.capture-frame[data-number='4']").TextContent, StringComparison.Ordinal);
        list.WaitForAssertion(() => Assert.Equal("capturing on sw1 p1: 5 frames", list.Find(".capture-status").TextContent), Patience);
        Assert.True(list.Find(".capture-start").HasAttribute("disabled"));

        list.Find(".capture-stop").Click();

        await _context.Agent.Cancelled.Task.WaitAsync(Patience, Cancel);
        list.WaitForAssertion(() => Assert.Equal("stopped: 5 frames", list.Find(".capture-status").TextContent), Patience);
        Assert.Equal(5, capture.Frames.Count);
    }

    [Fact]
    public async Task A_capture_that_fails_shows_the_agents_reason()
    {
        var list = _context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo).Add(c => c.Throttle, TimeSpan.FromMilliseconds(10)));
        list.WaitForAssertion(() => Assert.Equal(4, list.FindAll("select.capture-target option").Count), Patience);
        await list.InvokeAsync(() => list.Find("select.capture-target").Change("h1/eth0"));
        await list.InvokeAsync(() => list.Find(".capture-start").Click());

        await _context.Agent.Stream.Writer.WriteAsync(new CaptureStreamItem(Error: new AgentError("kernel-error", "The kernel refused: read a frame from eth0: ENODEV.")), Cancel);

        list.WaitForAssertion(() => Assert.Contains("ENODEV", list.Find(".capture-problem").TextContent, StringComparison.Ordinal), Patience);
        Assert.False(list.Find(".capture-start").HasAttribute("disabled"));
    }

    [Fact]
    public void A_lab_the_kernel_does_not_hold_says_to_apply_it()
    {
        _context.Agent.SnapshotOf = _ => [LabMissing];
        var list = _context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo));
        list.WaitForAssertion(() => Assert.Contains("apply it to see its interfaces and capture on them", list.Find(".capture-problem").TextContent, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task An_apply_on_the_same_page_lists_the_new_interfaces_without_a_reload()
    {
        _context.Agent.SnapshotOf = _ => [LabMissing];
        var list = _context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo));
        list.WaitForAssertion(() => Assert.Contains("apply it", list.Find(".capture-problem").TextContent, StringComparison.Ordinal), Patience);

        // Applied through the page's own service (the apply dialog's): from now on the agent's stream holds the lab.
        _context.Agent.SnapshotOf = _ => TheLabApplied;
        _context.Agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, "name: demo\n")).Value!;
        var applied = await _context.Bunit.Services.GetRequiredService<LabApplication>().ApplyAsync(LabStore.LocalUserId, lab.Id, 1, "name: demo\n", _ => { }, Cancel);
        Assert.True(applied.Result!.Succeeded);

        list.WaitForAssertion(() => Assert.Equal(["", "h1/lo", "h1/eth0", "sw1/p1"], list.FindAll("select.capture-target option").Select(o => o.GetAttribute("value"))), Patience);
        Assert.Empty(list.FindAll(".capture-problem"));
    }

    [Fact]
    public async Task Without_an_agent_the_list_says_so_instead_of_breaking_the_page()
    {
        // What the gateway's event stream says when no agent answers on the socket.
        await using var context = new WebTestContext(agent: new FakeAgentGateway
        {
            SnapshotOf = _ => [Resync("", "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`")],
        });
        var rendered = context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo));
        rendered.WaitForAssertion(() => Assert.Contains("Cannot list the lab's interfaces: The NetLab agent is not running", rendered.Find(".capture-problem").TextContent, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task A_page_opened_again_shows_the_labs_newest_capture()
    {
        var capture = _context.Captures.Start(CurrentUser.Local, Demo, new CaptureRequest("h1", "eth0"));
        await _context.Agent.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(1)), Cancel);
        Assert.True(SpinWait.SpinUntil(() => capture.Count == 1, Patience));

        var list = _context.Bunit.Render<CaptureList>(p => p.Add(c => c.Lab, Demo));

        list.WaitForAssertion(() => Assert.Single(list.FindAll("tr.capture-frame")), Patience);
        Assert.Equal("h1/eth0", list.Find("select.capture-target").GetAttribute("value"));
        capture.Stop();
    }
}
