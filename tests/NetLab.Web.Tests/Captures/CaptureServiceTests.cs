using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Model.Captures;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Captures;

/// <summary>
/// The web's captures: frames decoded as they arrive, the seam a recorder subscribes to, bounded memory, stopping,
/// failures in words, and the pcap download (read back by tcpdump) through the whole app in-process.
/// </summary>
public sealed class CaptureServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeAgentGateway _source = new();
    private readonly CaptureService _captures;

    public CaptureServiceTests() => _captures = new CaptureService(_source, TimeProvider.System, NullLogger<CaptureService>.Instance);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        _captures.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Frames_arrive_decoded_in_order_and_a_subscriber_sees_each_one()
    {
        LiveCapture? announced = null;
        var seen = new List<long>();
        _captures.CaptureStarted += capture =>
        {
            announced = capture;
            capture.FrameAdded += (_, frame) => seen.Add(frame.Frame.Number);
        };
        var capture = _captures.Start(CurrentUser.Local, Demo, new CaptureRequest("h1", "eth0"));
        Assert.Same(capture, announced);
        Assert.Equal(CaptureStatus.Starting, capture.Status);

        await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Started: capture.Request), Cancel);
        await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(1)), Cancel);
        await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(2, outgoing: false)), Cancel);
        await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Ended: "2 frames captured, as requested"), Cancel);

        Assert.True(SpinWait.SpinUntil(() => capture.Status == CaptureStatus.Stopped, Patience));
        Assert.Equal("2 frames captured, as requested", capture.Problem);
        Assert.Equal([1L, 2L], seen);
        Assert.Equal(2, capture.Count);
        Assert.All(capture.Frames, f => Assert.Contains("IP 10.0.0.1 > 10.0.0.2: ICMP echo request", f.Summary.Text, StringComparison.Ordinal));
        Assert.Equal([2L], capture.Latest(1).Select(f => f.Frame.Number));
        Assert.Equal(("demo", new CaptureRequest("h1", "eth0")), Assert.Single(_source.Requests));
        Assert.Same(capture, Assert.Single(_captures.ForLab(CurrentUser.Local, "demo")));
        Assert.Empty(_captures.ForLab(CurrentUser.Local, "other"));
    }

    [Fact]
    public async Task Stop_closes_the_agent_request()
    {
        var capture = _captures.Start(CurrentUser.Local, Demo, new CaptureRequest("h1", "eth0"));
        await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Started: capture.Request), Cancel);
        Assert.True(SpinWait.SpinUntil(() => capture.Status == CaptureStatus.Running, Patience));

        capture.Stop();

        await _source.Cancelled.Task.WaitAsync(Patience, Cancel);
        Assert.True(SpinWait.SpinUntil(() => capture.Status == CaptureStatus.Stopped, Patience));
        Assert.Null(capture.Problem);
    }

    [Fact]
    public void A_capture_the_agent_refuses_fails_with_the_agents_words()
    {
        _source.CaptureRefusal = new AgentError(AgentErrorCodes.NotFound, "Element 'h1' of lab 'demo' has no interface 'eth9'. Its interfaces are: lo, eth0.");
        var capture = _captures.Start(CurrentUser.Local, Demo, new CaptureRequest("h1", "eth9"));
        Assert.True(SpinWait.SpinUntil(() => capture.Status == CaptureStatus.Failed, Patience));
        Assert.Equal("Element 'h1' of lab 'demo' has no interface 'eth9'. Its interfaces are: lo, eth0.", capture.Problem);
    }

    [Fact]
    public async Task A_long_capture_lets_the_oldest_frames_go_beyond_its_memory_bound()
    {
        var capture = new LiveCapture("demo", new CaptureRequest("h1", "eth0"), DateTimeOffset.UnixEpoch, maxStoredBytes: 98 * 3);
        var run = capture.RunAsync(_source, Demo, Cancel);
        for (var i = 1; i <= 5; i++)
        {
            await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(i)), Cancel);
        }

        _source.Stream.Writer.Complete();
        await run.WaitAsync(Patience, Cancel);
        Assert.Equal(5, capture.Count);
        Assert.Equal(2, capture.Released);
        Assert.Equal([3L, 4L, 5L], capture.Frames.Select(f => f.Frame.Number));
    }

    [Fact]
    public async Task The_pcap_download_is_a_file_tcpdump_reads()
    {
        var db = new TempDatabase();
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(db.Folder, "captures.db"));
            web.ConfigureTestServices(services => services.AddSingleton<IAgentGateway>(_source));
        });
        try
        {
            var captures = app.Services.GetRequiredService<CaptureService>();
            using var client = await Accounts.TestSignIn.ClientAsync(app);
            var tester = (await app.Services.GetRequiredService<UserStore>().FindAsync("tester"))!;
            var capture = captures.Start(new CurrentUser(tester.Id, tester.Name), Demo with { OwnerId = tester.Id }, new CaptureRequest("h1", "eth0"));
            await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(1)), Cancel);
            await _source.Stream.Writer.WriteAsync(new CaptureStreamItem(Frame: FakeAgentGateway.Echo(2, outgoing: false)), Cancel);
            Assert.True(SpinWait.SpinUntil(() => capture.Count == 2, Patience));

            using var response = await client.GetAsync(new Uri($"/captures/{capture.Id}.pcap", UriKind.Relative), Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.tcpdump.pcap", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(capture.FileName, response.Content.Headers.ContentDisposition?.FileName);
            var path = Path.Combine(db.Folder, capture.FileName);
            await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync(Cancel), Cancel);

            var (exit, output) = ExternalCommand.Run("tcpdump", "-r", path, "-n", "-tt");
            Assert.True(exit == 0, output);
            Assert.Equal(2, output.Split('\n').Count(l => l.Contains("10.0.0.1 > 10.0.0.2: ICMP echo request, id 32379, seq 1", StringComparison.Ordinal)));
            Assert.Contains("1700000000.001000", output, StringComparison.Ordinal);

            using var missing = await client.GetAsync(new Uri($"/captures/{Guid.NewGuid()}.pcap", UriKind.Relative), Cancel);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("Start a new one", await missing.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

            // Another account gets the very answer of a capture that does not exist.
            using var intruder = await Accounts.TestSignIn.ClientAsync(app, "intruder");
            using var foreign = await intruder.GetAsync(new Uri($"/captures/{capture.Id}.pcap", UriKind.Relative), Cancel);
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
            Assert.Contains("Start a new one", await foreign.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
            Assert.Empty(captures.ForLab(new CurrentUser(tester.Id + 1, "intruder"), "demo"));
            capture.Stop();
        }
        finally
        {
            db.Dispose();
        }
    }
}

/// <summary>The web's captures through the real gateway, over the agent's real socket and HTTP stream (the engine behind it is a fake).</summary>
public sealed class GatewayCaptureTests
{
    [Fact]
    public async Task Frames_come_from_the_agent_and_the_capture_stops_with_the_request()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        using var captures = new CaptureService(agent.Gateway, TimeProvider.System, NullLogger<CaptureService>.Instance);
        // Applied by its owner first: the agent lets a user capture only on a lab of theirs.
        Assert.True((await agent.Gateway.ApplyAsync(Demo, RepositoryFiles.Lab("macvlan-bridge.yaml"), _ => { }, TestContext.Current.CancellationToken)).Value!.Succeeded);
        var capture = captures.Start(CurrentUser.Local, Demo, new CaptureRequest("h1", "eth0"));
        await agent.Engine.CaptureFrames.Writer.WriteAsync(FakeAgentGateway.Echo(1), TestContext.Current.CancellationToken);

        Assert.True(SpinWait.SpinUntil(() => capture.Count == 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(CaptureStatus.Running, capture.Status);
        Assert.Contains("ICMP echo request", capture.Frames[0].Summary.Text, StringComparison.Ordinal);
        capture.Stop();
        Assert.True(SpinWait.SpinUntil(() => capture.Status == CaptureStatus.Stopped, TimeSpan.FromSeconds(20)));
    }
}
