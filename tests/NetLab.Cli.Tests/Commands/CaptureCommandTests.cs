using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab capture` against an agent whose engine streams frames a test writes (no kernel involved).</summary>
public sealed class CaptureCommandTests
{
    /// <summary>Real frames from a capture between two namespaces: an ARP request, an ICMP echo request, and one tagged vlan 888.</summary>
    private static readonly byte[] ArpRequest = Convert.FromHexString("ffffffffffff02000000000a0806000108000604000102000000000a0a0000010000000000000a000002");
    private static readonly byte[] EchoRequest = Convert.FromHexString("02000000000b02000000000a080045000054cb59400040015b4d0a0000010a000002080090e27e7b000120320a6b00000000f630090000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");
    private static readonly byte[] Vlan888 = Convert.FromHexString("02000000000b02000000000a810003780800450000540001400040015d4f585808085858085808000000000700010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Capture_prints_each_frame_decoded_and_writes_a_pcap_that_tcpdump_reads()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, at, ArpRequest.Length, ArpRequest, Outgoing: true), Cancel);
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(2, at.AddMilliseconds(1), EchoRequest.Length, EchoRequest, Outgoing: true), Cancel);
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(3, at.AddMilliseconds(2), Vlan888.Length, Vlan888, Outgoing: false), Cancel);
        var pcap = Path.Combine(agent.Directory, "out.pcap");

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "eth0", "-w", pcap, "-c", "3", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        var lines = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{6} Out 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10\.0\.0\.2 tell 10\.0\.0\.1, length 28$", lines[0]);
        Assert.EndsWith("IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 32379, seq 1, length 64", lines[1], StringComparison.Ordinal);
        Assert.Contains(" In  02:00:00:00:00:0a > 02:00:00:00:00:0b, vlan 888, p 0: IP ", lines[2], StringComparison.Ordinal);
        Assert.Contains("listening on h1 eth0 of lab demo", run.Errors, StringComparison.Ordinal);
        Assert.Contains("3 frames captured, written to", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("ended the capture", run.Errors, StringComparison.Ordinal);

        var (exit, read) = ExternalCommand.Run("tcpdump", "-r", pcap, "-n", "-e", "-tt");
        Assert.True(exit == 0, read);
        Assert.Contains("1700000000.250000 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1", read, StringComparison.Ordinal);
        Assert.Contains("vlan 888, p 0", read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_ends_the_capture_cleanly_and_keeps_what_was_captured()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        var pcap = Path.Combine(agent.Directory, "out.pcap");
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var output = new LockedStringWriter();
        var running = CliRun.RunAsync(["capture", "demo", "h1", "eth0", "-w", pcap, "--socket", agent.SocketPath], output: output, cancellationToken: ctrlC.Token);
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UtcNow, EchoRequest.Length, EchoRequest, Outgoing: true), Cancel);
        Assert.True(SpinWait.SpinUntil(() => output.Text.Contains("echo request", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), "the frame should be printed as it comes");

        await ctrlC.CancelAsync();
        var run = await running;

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Contains("1 frame captured", run.Errors, StringComparison.Ordinal);
        Assert.True(await agent.Engine.CaptureEnded.Task.WaitAsync(TimeSpan.FromSeconds(20), Cancel), "the agent's capture should end with the command");
        var (exit, read) = ExternalCommand.Run("tcpdump", "-r", pcap, "-n");
        Assert.True(exit == 0, read);
        Assert.Contains("ICMP echo request", read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_the_apis_stream_items()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UnixEpoch, 3, [1, 2, 3], Outgoing: false), Cancel);

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "eth0", "--json", "-c", "1", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Equal(
            [
                """{"started":{"element":"h1","interface":"eth0","snapLength":65535,"maxFrames":1}}""",
                """{"frame":{"number":1,"at":"1970-01-01T00:00:00+00:00","originalLength":3,"data":"AQID","outgoing":false}}""",
                """{"ended":"1 frames captured, as requested; the kernel dropped 0."}""",
            ],
            run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The real engine's Ended line when a destroy (or an apply removing the element) deletes the capture's namespace.</summary>
    private const string NamespaceDeleted = "The namespace nl-demo-h1 was deleted (its lab was destroyed, or an apply removed the element), which ends the capture.";

    [Fact]
    public async Task A_capture_the_agent_ends_says_why_exits_1_and_keeps_what_was_captured()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        agent.Engine.CaptureEndReason = NamespaceDeleted;
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UtcNow, EchoRequest.Length, EchoRequest, Outgoing: true), Cancel);
        agent.Engine.CaptureFrames.Writer.Complete();
        var pcap = Path.Combine(agent.Directory, "out.pcap");

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "eth0", "-w", pcap, "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Contains($"netlab capture: the agent ended the capture: {NamespaceDeleted}", run.Errors, StringComparison.Ordinal);
        Assert.Contains("1 frame captured, written to", run.Errors, StringComparison.Ordinal);
        Assert.Single(run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        var (exit, read) = ExternalCommand.Run("tcpdump", "-r", pcap, "-n");
        Assert.True(exit == 0, read);
        Assert.Contains("ICMP echo request", read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_json_a_capture_the_agent_ends_prints_its_ended_line_and_says_why_on_stderr()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        agent.Engine.CaptureEndReason = NamespaceDeleted;
        agent.Engine.CaptureFrames.Writer.Complete();

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "eth0", "--json", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Equal($$"""{"ended":"{{NamespaceDeleted}}"}""", run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Contains($"the agent ended the capture: {NamespaceDeleted}", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_capture_whose_agent_stops_says_so_and_exits_3()
    {
        var agent = await TestAgent.StartAsync();
        try
        {
            agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
            var output = new LockedStringWriter();
            var running = CliRun.RunAsync(["capture", "demo", "h1", "eth0", "--socket", agent.SocketPath], output: output, cancellationToken: Cancel);
            await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UtcNow, EchoRequest.Length, EchoRequest, Outgoing: true), Cancel);
            Assert.True(SpinWait.SpinUntil(() => output.Text.Contains("echo request", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), "the frame should be printed as it comes");

            // The agent stops (its shutdown ends every capture without a last line).
            await agent.Host.StopAsync(Cancel);
            var run = await running.WaitAsync(TimeSpan.FromSeconds(30), Cancel);

            Assert.Equal(ExitCodes.KernelOrAgentError, run.Exit);
            Assert.Contains("netlab capture: the agent ended the capture without saying why", run.Errors, StringComparison.Ordinal);
            Assert.Contains("1 frame captured", run.Errors, StringComparison.Ordinal);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_capture_over_the_agents_limit_exits_2_with_the_agents_busy_message()
    {
        await using var agent = await TestAgent.StartAsync(options => options with { MaxCapturesPerLab = 1 });
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var first = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var output = new LockedStringWriter();
        var holding = CliRun.RunAsync(["capture", "demo", "h1", "eth0", "--socket", agent.SocketPath], output: output, cancellationToken: first.Token);
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UtcNow, EchoRequest.Length, EchoRequest, Outgoing: true), Cancel);
        Assert.True(SpinWait.SpinUntil(() => output.Text.Contains("echo request", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), "the first capture should run");

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "lo", "--socket", agent.SocketPath], cancellationToken: Cancel);
        await first.CancelAsync();
        Assert.Equal(ExitCodes.Ok, (await holding).Exit);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.Contains("netlab capture: Lab 'demo' has 1 captures running, the limit per lab (1 at once", run.Errors, StringComparison.Ordinal);
        Assert.Contains("Stop one of the lab's captures and start this one again.", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_interface_names_the_ones_there_are_and_writes_no_file()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        var pcap = Path.Combine(agent.Directory, "out.pcap");

        var run = await CliRun.RunAsync(["capture", "demo", "h1", "eth9", "-w", pcap, "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Contains("Element 'h1' of lab 'demo' has no interface 'eth9'. Its interfaces are: lo, eth0.", run.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(pcap));
    }
}
