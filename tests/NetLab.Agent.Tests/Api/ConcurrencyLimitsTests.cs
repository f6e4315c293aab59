using System.Net;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// The agent's limits on long-lived requests, through its socket against the fake engine: at the default limits (16
/// captures, 4 per lab, 64 event streams, one doctor run, one check per lab) the next request is a 429 busy whose
/// message names the limit and what frees room, the engine is not asked, and a slot comes back when its request ends.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ConcurrencyLimitsTests
{
    /// <summary>A guard against a hang, never a measurement.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fifth_capture_on_one_lab_is_busy_naming_the_per_lab_limit_while_another_lab_may_still_capture()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.AddRange([FakeLabEngine.StateOf("demo"), FakeLabEngine.StateOf("other")]);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var open = new List<IAsyncEnumerator<CaptureStreamItem>>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                open.Add(await StartCaptureAsync(agent, "demo", leave.Token));
            }

            var busy = await Assert.ThrowsAsync<AgentClientException>(() => StartCaptureAsync(agent, "demo", leave.Token));

            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
            Assert.Contains("Lab 'demo' has 4 captures running, the limit per lab (4 at once", busy.Error.Message, StringComparison.Ordinal);
            Assert.Contains("Stop one of the lab's captures", busy.Error.Message, StringComparison.Ordinal);
            Assert.Equal(4, agent.Engine.Calls.Count(c => c.StartsWith("capture demo", StringComparison.Ordinal)));
            open.Add(await StartCaptureAsync(agent, "other", leave.Token));
        }
        finally
        {
            await CloseAllAsync(leave, open);
        }
    }

    [Fact]
    public async Task A_seventeenth_capture_is_busy_naming_the_agents_limit_and_a_slot_comes_back_when_a_client_leaves()
    {
        await using var agent = await TestAgent.StartAsync();
        string[] labs = ["a", "b", "c", "d", "e"];
        agent.Engine.Labs.AddRange(labs.Select(FakeLabEngine.StateOf));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        using var leaveFirst = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var open = new List<IAsyncEnumerator<CaptureStreamItem>>();
        try
        {
            var first = await StartCaptureAsync(agent, "a", leaveFirst.Token);
            for (var i = 1; i < 16; i++)
            {
                open.Add(await StartCaptureAsync(agent, labs[i / 4], leave.Token));
            }

            var busy = await Assert.ThrowsAsync<AgentClientException>(() => StartCaptureAsync(agent, "e", leave.Token));

            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
            Assert.Contains("The agent runs 16 captures, its limit (16 at once", busy.Error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("capture e", StringComparison.Ordinal));

            await CloseAllAsync(leaveFirst, [first]);
            Assert.True(SpinWait.SpinUntil(() => agent.Host.Limits.Captures == 15, Patience), $"the capture whose client left should give its slot back ({agent.Host.Limits.Captures} held)");
            open.Add(await StartCaptureAsync(agent, "e", leave.Token));
        }
        finally
        {
            await CloseAllAsync(leave, open);
        }
    }

    [Fact]
    public async Task A_sixty_fifth_event_stream_is_busy_naming_the_limit_and_a_slot_comes_back_when_a_watcher_leaves()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        using var leaveFirst = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var open = new List<IAsyncEnumerator<LabEvent>>();
        try
        {
            var first = await WatchAsync(agent, leaveFirst.Token);
            for (var i = 1; i < 64; i++)
            {
                open.Add(await WatchAsync(agent, leave.Token));
            }

            var busy = await Assert.ThrowsAsync<AgentClientException>(() => WatchAsync(agent, leave.Token));

            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
            Assert.Contains("The agent serves 64 event streams, its limit (64 at once", busy.Error.Message, StringComparison.Ordinal);
            Assert.Equal(64, agent.Engine.Calls.Count(c => c == "events demo"));

            await CloseAllAsync(leaveFirst, [first]);
            Assert.True(SpinWait.SpinUntil(() => agent.Host.Limits.EventStreams == 63, Patience), $"the stream whose client left should give its slot back ({agent.Host.Limits.EventStreams} held)");
            open.Add(await WatchAsync(agent, leave.Token));
        }
        finally
        {
            await CloseAllAsync(leave, open);
        }
    }

    [Fact]
    public async Task A_doctor_run_while_one_is_in_progress_is_busy_saying_to_ask_again()
    {
        await using var agent = await TestAgent.StartAsync();

        AgentClientException busy;
        using (agent.Host.Limits.StartDoctor())
        {
            busy = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.DoctorAsync(Cancel));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
        Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
        Assert.Contains("A doctor run is in progress (1 at a time", busy.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Ask again when it has ended", busy.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_check_of_a_lab_being_checked_is_busy_without_waiting_while_another_lab_is_checked()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.AddRange([FakeLabEngine.StateOf("demo"), FakeLabEngine.StateOf("other")]);

        using (agent.Host.Limits.StartProbe("demo"))
        {
            var busy = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.ProbeAsync("demo", new ProbeRequest(), Cancel));

            Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
            Assert.Contains("A connectivity check of lab 'demo' is running (1 per lab at a time", busy.Error.Message, StringComparison.Ordinal);
            Assert.Contains("10000 ms at the longest", busy.Error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("probe demo", StringComparison.Ordinal));
            Assert.Equal(3, (await agent.Client.ProbeAsync("other", new ProbeRequest(), Cancel)).Results.Count);
        }

        Assert.Equal(3, (await agent.Client.ProbeAsync("demo", new ProbeRequest(), Cancel)).Results.Count);
    }

    [Fact]
    public async Task An_apply_the_engine_refuses_at_the_namespace_limit_is_a_429_busy_before_the_stream()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.ApplyThrows = new NetLab.Agent.Engine.AgentBusyException("Cannot apply lab seed: it would create 4 namespaces, and the agent holds 4094 of at most 4096 for all labs together.");

        var busy = await Assert.ThrowsAsync<AgentClientException>(async () => await agent.Client.ApplyAsync(new LabDocument(Labs.ValidYaml), Cancel).ToListAsync(Cancel));

        Assert.Equal(HttpStatusCode.TooManyRequests, busy.StatusCode);
        Assert.Equal(AgentErrorCodes.Busy, busy.Error.Code);
        Assert.Contains("of at most 4096 for all labs together", busy.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lab_over_the_per_lab_namespace_limit_is_an_invalid_lab_naming_it_and_the_engine_is_not_asked()
    {
        await using var agent = await TestAgent.StartAsync();
        var yaml = "name: big\nnamespaces:\n" + string.Concat(Enumerable.Range(0, 257).Select(i => $"  ns{i}: {{}}\n"));

        var problem = Assert.Single(await agent.Client.ValidateAsync(new LabDocument(yaml), Cancel));
        var planned = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.PlanAsync(new LabDocument(yaml), Cancel));

        Assert.Equal("namespaces.ns256", problem.Path);
        Assert.Contains("a lab may have at most 256", problem.Message, StringComparison.Ordinal);
        Assert.Equal(AgentErrorCodes.InvalidLab, planned.Error.Code);
        Assert.Empty(agent.Engine.Calls);
    }

    private static async Task<IAsyncEnumerator<CaptureStreamItem>> StartCaptureAsync(TestAgent agent, string lab, CancellationToken leave)
    {
        var items = agent.Client.CaptureAsync(lab, new CaptureRequest("h1", "eth0"), leave).GetAsyncEnumerator(leave);
        try
        {
            Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(Patience, Cancel));
            Assert.NotNull(items.Current.Started);
            return items;
        }
        catch
        {
            await items.DisposeAsync();
            throw;
        }
    }

    private static async Task<IAsyncEnumerator<LabEvent>> WatchAsync(TestAgent agent, CancellationToken leave)
    {
        var events = agent.Client.EventsAsync("demo", leave).GetAsyncEnumerator(leave);
        try
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience, Cancel));
            Assert.Equal(LabEventKind.Snapshot, events.Current.Kind);
            return events;
        }
        catch
        {
            await events.DisposeAsync();
            throw;
        }
    }

    private static async Task CloseAllAsync<T>(CancellationTokenSource leave, IEnumerable<IAsyncEnumerator<T>> open)
    {
        await leave.CancelAsync();
        foreach (var items in open)
        {
            await items.DisposeAsync();
        }
    }
}
