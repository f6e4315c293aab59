using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Hosting;
using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab agent`'s own checks before it listens (the host's behaviour is tested in NetLab.Agent.Tests).</summary>
public sealed class AgentCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("0.0.0.0:5081")]
    [InlineData("[::]:5081")]
    [InlineData("192.0.2.1:5081")]
    public async Task A_tcp_address_off_loopback_is_refused_saying_to_use_loopback_and_nothing_starts(string endpoint)
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var engines = 0;
            var services = new CliServices(_ => { engines++; return new FakeLabEngine(); }, IsRoot: true);

            var run = await CliRun.RunAsync(["agent", "--socket", Path.Combine(directory, "agent.sock"), "--tcp", endpoint], services, cancellationToken: Cancel);

            Assert.Equal(ExitCodes.CannotRun, run.Exit);
            Assert.Contains($"The TCP endpoint '{endpoint}' is not a loopback address", run.Errors, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:PORT", run.Errors, StringComparison.Ordinal);
            Assert.Equal(0, engines);
            Assert.False(File.Exists(Path.Combine(directory, "agent.sock")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_loopback_tcp_address_is_served_until_stopped()
    {
        var directory = TestAgent.NewDirectory();
        var socket = Path.Combine(directory, "agent.sock");
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            var services = new CliServices(_ => new FakeLabEngine(), IsRoot: true);

            var running = CliRun.RunAsync(["agent", "--socket", socket, "--tcp", "127.0.0.1:0"], services, cancellationToken: stop.Token);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(socket) && !running.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50, Cancel);
            }

            var listened = File.Exists(socket);
            await stop.CancelAsync();
            var run = await running;

            Assert.True(listened, run.Errors);
            Assert.Equal(ExitCodes.Ok, run.Exit);
            Assert.DoesNotContain("loopback", run.Errors, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_limit_options_reach_the_agents_options_and_the_rest_keep_their_defaults()
    {
        var given = await OptionsOfAsync("--max-namespaces", "12", "--max-captures", "3");
        var defaults = new AgentOptions();

        Assert.Equal((12, 3), (given.MaxNamespaces, given.MaxCaptures));
        Assert.Equal((defaults.MaxCapturesPerLab, defaults.MaxEventStreams, defaults.CaptureQueueBytes), (given.MaxCapturesPerLab, given.MaxEventStreams, given.CaptureQueueBytes));

        var none = await OptionsOfAsync();
        Assert.Equal((defaults.MaxNamespaces, defaults.MaxCaptures), (none.MaxNamespaces, none.MaxCaptures));
        Assert.Equal((4096, 16), (none.MaxNamespaces, none.MaxCaptures));
    }

    [Theory]
    [InlineData("--max-namespaces", "0", "--max-namespaces must be between 1 and 65536; 0 is not.")]
    [InlineData("--max-namespaces", "65537", "--max-namespaces must be between 1 and 65536; 65537 is not.")]
    [InlineData("--max-captures", "-1", "--max-captures must be between 1 and 256; -1 is not.")]
    [InlineData("--max-captures", "257", "--max-captures must be between 1 and 256; 257 is not.")]
    public async Task A_limit_out_of_range_is_refused_saying_the_range_and_nothing_starts(string option, string value, string message)
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var engines = 0;
            var services = new CliServices(_ => { engines++; return new FakeLabEngine(); }, IsRoot: true);

            var run = await CliRun.RunAsync(["agent", "--socket", Path.Combine(directory, "agent.sock"), option, value], services, cancellationToken: Cancel);

            Assert.Equal(ExitCodes.CannotRun, run.Exit);
            Assert.Contains($"netlab agent: {message}", run.Errors, StringComparison.Ordinal);
            Assert.Equal(0, engines);
            Assert.False(File.Exists(Path.Combine(directory, "agent.sock")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_refused_by_the_parser()
    {
        var run = await CliRun.RunAsync(["agent", "--max-captures", "many"], new CliServices(_ => throw new InvalidOperationException("no engine may start"), IsRoot: true), cancellationToken: Cancel);

        Assert.NotEqual(ExitCodes.Ok, run.Exit);
        Assert.Contains("many", run.Errors, StringComparison.Ordinal);
        Assert.Contains("--max-captures", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_help_names_both_limits_with_their_ranges_and_defaults()
    {
        var run = await CliRun.RunAsync(["agent", "--help"], cancellationToken: Cancel);

        Assert.Contains("--max-namespaces", run.Output, StringComparison.Ordinal);
        Assert.Contains("1-65536 (default 4096)", run.Output, StringComparison.Ordinal);
        Assert.Contains("--max-captures", run.Output, StringComparison.Ordinal);
        Assert.Contains("1-256 (default 16; at most 4 per lab)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_running_agent_keeps_to_the_given_capture_limit()
    {
        var directory = TestAgent.NewDirectory();
        var socket = Path.Combine(directory, "agent.sock");
        var engine = new FakeLabEngine();
        engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var running = CliRun.RunAsync(["agent", "--socket", socket, "--max-captures", "1"], new CliServices(_ => engine, IsRoot: true), cancellationToken: stop.Token);
        try
        {
            await WaitForSocketAsync(socket, running);
            using var client = new AgentClient(socket);
            await using var first = client.CaptureAsync("demo", new CaptureRequest("h1", "eth0"), Cancel).GetAsyncEnumerator(Cancel);
            Assert.True(await first.MoveNextAsync());

            var second = await Assert.ThrowsAsync<AgentClientException>(async () =>
            {
                await foreach (var item in client.CaptureAsync("demo", new CaptureRequest("h1", "lo"), Cancel))
                {
                    Assert.Fail($"the second capture should be refused, not stream {item}");
                }
            });

            Assert.Equal(AgentErrorCodes.Busy, second.Error.Code);
            Assert.Contains("its limit (1 at once", second.Error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
            _ = await running;
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The <see cref="AgentOptions"/> `netlab agent ARGS` starts its engine with (the host gets the same), then stops it.</summary>
    private static async Task<AgentOptions> OptionsOfAsync(params string[] args)
    {
        var directory = TestAgent.NewDirectory();
        var socket = Path.Combine(directory, "agent.sock");
        AgentOptions? seen = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var running = CliRun.RunAsync(["agent", "--socket", socket, .. args], new CliServices(options => { seen = options; return new FakeLabEngine(); }, IsRoot: true), cancellationToken: stop.Token);
        try
        {
            await WaitForSocketAsync(socket, running);
        }
        finally
        {
            await stop.CancelAsync();
            var run = await running;
            Directory.Delete(directory, recursive: true);
            Assert.True(run.Exit == ExitCodes.Ok, run.Errors);
        }

        return seen ?? throw new InvalidOperationException("the agent started no engine");
    }

    private static async Task WaitForSocketAsync(string socket, Task<CliRun> running)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(socket) && !running.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, Cancel);
        }

        Assert.True(File.Exists(socket), running.IsCompleted ? (await running).Errors : "the agent did not listen within 20 s");
    }
}
