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
}
