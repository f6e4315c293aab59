using System.Text.Json;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Agent.Tests;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab probe`: the matrix and the failures as text, --json, --timeout, exit codes, and the in-process engine on the real kernel.</summary>
public sealed class ProbeCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probe_prints_the_matrix_and_each_failure_with_its_reason_and_exits_1_when_a_pair_failed()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var run = await CliRun.RunAsync(["probe", "demo", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        var lines = run.Output.Split(Environment.NewLine);
        Assert.Equal("lab demo: 3 pairs, 1 replied, 2 failed (13 ms)", lines[0]);
        Assert.Matches(@"^  FROM \\ TO +ns3/macvlan3 +ns2/macvlan2$", lines[2]);
        Assert.Matches(@"^  ns2 +ok 0\.04 ms +local$", lines[4]);
        Assert.Matches(@"^  ns3 +- +no-arp$", lines[5]);
        Assert.Contains("  ns2 -> 100.0.0.2 (ns2/macvlan2): no reply to its own address (a ping to oneself goes through lo: is lo up?)", lines);
        Assert.Contains(lines, l => l.StartsWith("  ns3 -> 100.0.0.2 (ns2/macvlan2): ARP/neighbour discovery got no answer", StringComparison.Ordinal));
        Assert.Contains("probe demo 1000", agent.Engine.Calls);
    }

    [Fact]
    public async Task Probe_json_is_the_APIs_report_and_timeout_reaches_the_engine()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var run = await CliRun.RunAsync(["probe", "demo", "--timeout", "250", "--json", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        var report = JsonSerializer.Deserialize<ProbeReport>(run.Output, AgentJson.Options)!;
        Assert.Equal(FakeLabEngine.ProbeResultsOf("demo"), report.Results);
        Assert.Contains("probe demo 250", agent.Engine.Calls);
    }

    [Fact]
    public void A_check_that_ran_in_waves_says_so_on_its_first_line_and_a_one_shot_check_does_not()
    {
        var results = FakeLabEngine.ProbeResultsOf("demo");
        var inWaves = new StringWriter();
        var atOnce = new StringWriter();

        NetLab.Cli.Output.ProbeOutput.Write(inWaves, new ProbeReport("demo", DateTimeOffset.UnixEpoch, 12.5, results, Waves: 4));
        NetLab.Cli.Output.ProbeOutput.Write(atOnce, new ProbeReport("demo", DateTimeOffset.UnixEpoch, 12.5, results));

        Assert.StartsWith("lab demo: 3 pairs, 1 replied, 2 failed (13 ms, in 4 waves of sources to fit the kernel's neighbour table)" + Environment.NewLine, inWaves.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("lab demo: 3 pairs, 1 replied, 2 failed (13 ms)" + Environment.NewLine, atOnce.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wave", atOnce.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_of_a_lab_the_kernel_does_not_hold_says_so_and_exits_1()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["probe", "ghost", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.StartsWith("netlab probe: The kernel holds no lab named 'ghost'.", run.Errors, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task In_process_as_root_a_lab_where_every_pair_replies_exits_0()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("The in-process engine changes the kernel and needs root; run the suite as root.");
        }

        const string yaml = """
            name: pingall
            switches:
              sw1:
                ports:
                  p1: { hairpin: false }
                  p2: { hairpin: false }
            hosts:
              h1:
                loopback: up
                nics:
                  eth0: { switch: sw1, port: p1, addresses: [10.70.0.1/24] }
              h2:
                loopback: up
                nics:
                  eth0: { switch: sw1, port: p2, addresses: [10.70.0.2/24] }
            """;
        var prefix = $"nltest-c{Environment.ProcessId % 100000}-";
        var directory = TestAgent.NewDirectory();
        var services = new CliServices(_ => new LabEngine(new AgentOptions { NamespacePrefix = prefix }), IsRoot: true);
        var socket = Path.Combine(directory, "agent.sock");
        try
        {
            var file = Path.Combine(directory, "pingall.yaml");
            await File.WriteAllTextAsync(file, yaml, Cancel);
            Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync(["apply", file, "--socket", socket], services, cancellationToken: Cancel)).Exit);

            var run = await CliRun.RunAsync(["probe", "pingall", "--socket", socket], services, cancellationToken: Cancel);

            Assert.Equal(ExitCodes.Ok, run.Exit);
            Assert.Equal($"netlab probe: no agent at {socket}; running the engine in this process{Environment.NewLine}", run.Errors);
            Assert.StartsWith("lab pingall: 4 pairs, 4 replied, 0 failed", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("sw1", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("failed:", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in NetworkNamespace.ListNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                NetworkNamespace.Delete(name);
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
