using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink.Namespaces;
using static NetLab.Agent.Benchmarks.Bench;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// Issue 5's first benchmark: the connectivity check of an N-namespace lab (<see cref="ScaleLab"/>: N bridge macvlans
/// on one host NIC, an address each, lo up), N x N pairs, target at most 5 s for N = 50. Timed end to end as a user
/// runs it (one `netlab probe LAB --json` process against a running agent), and the agent's call alone (AgentClient).
/// Baseline in the same run: `ip netns exec NS ping -c1 -W1 ADDRESS` for a sample of pairs, one after another as a
/// pingall script does, extrapolated per pair to all N x N.
/// </summary>
internal static class ProbeBenchmark
{
    private const double TargetSeconds = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchArguments.Parse(args, defaultCount: 50, acceptSample: true) is not { } options)
        {
            await Console.Error.WriteLineAsync("usage: netlab-agent-bench probe [-n NAMESPACES] [--sample PAIRS] [--json] [--netlab PATH-TO-PUBLISHED-netlab]").ConfigureAwait(false);
            return 2;
        }

        var (count, sample, json) = (options.Count, options.Sample, options.Json);

        if (!Environment.IsPrivilegedProcess)
        {
            await Console.Error.WriteLineAsync("netlab-agent-bench probe must run as root: the agent creates namespaces and sends ICMP from them (try sudo).").ConfigureAwait(false);
            return 2;
        }

        var labName = $"probebench{Environment.ProcessId}";
        var work = Directory.CreateTempSubdirectory("netlab-probe-bench-");
        var socket = Path.Combine(work.FullName, "agent.sock");
        var labFile = Path.Combine(work.FullName, "lab.yaml");
        string[] Netlab(params string[] arguments) => options.Netlab(arguments);
        await File.WriteAllTextAsync(labFile, ScaleLab.Yaml(labName, count)).ConfigureAwait(false);

        // The kernel's ARP table is shared by all namespaces and capped at gc_thresh3 (1024 by default). The agent
        // probes all at once only while its estimate (2 entries per pair: (N + 1) sources x N targets) fits half the
        // room left below the cap, else in waves; the warm-up's entries still fill the table when the timed check
        // runs. So that the timed check is the one-shot check, the run raises the cap to 3 estimates + 1024 (never
        // lowers it) and puts it back afterwards.
        const string neighbourCap = "/proc/sys/net/ipv4/neigh/default/gc_thresh3";
        var capBefore = (await File.ReadAllTextAsync(neighbourCap).ConfigureAwait(false)).Trim();
        var capNeeded = (3 * 2 * (count + 1) * count) + 1024;
        var capRaised = int.Parse(capBefore, CultureInfo.InvariantCulture) < capNeeded;

        Process? agent = null;
        try
        {
            if (capRaised)
            {
                await File.WriteAllTextAsync(neighbourCap, capNeeded.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }

            agent = Start(Netlab("agent", "--socket", socket));
            WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(30), "the agent's socket");
            Run(Netlab("apply", labFile, "--socket", socket));
            Expect(Namespaces(labName) == count + 2, "netlab apply did not build the lab");
            using var client = new AgentClient(socket);

            // Warm-up: the agent's first probe JITs its code paths and opens its netlink handles; the lab's ARP
            // entries it leaves are what a student's second pingall meets too, so the baseline runs after it as well.
            await client.ProbeAsync(labName, new ProbeRequest()).ConfigureAwait(false);

            var agentClock = Stopwatch.StartNew();
            var agentReport = await client.ProbeAsync(labName, new ProbeRequest()).ConfigureAwait(false);
            var agentCall = agentClock.Elapsed;

            var cliClock = Stopwatch.StartNew();
            var (exitCode, output, errors) = Capture(Netlab("probe", labName, "--json", "--socket", socket));
            var cliRun = cliClock.Elapsed;
            Expect(exitCode is 0 or 1, $"netlab probe exited {exitCode}: {errors}");
            var report = JsonSerializer.Deserialize<ProbeReport>(output, AgentJson.Options) ?? throw new InvalidOperationException("netlab probe printed no report");

            // Every namespace reaches every namespace (bridge mode, one subnet, lo up); h1 holds no address, so its
            // row is N "no route" answers that cost nothing.
            var namespacePairs = report.Results.Where(r => r.From.StartsWith("ns", StringComparison.Ordinal)).ToList();
            Expect(namespacePairs.Count == count * count, $"{namespacePairs.Count} namespace pairs probed, not {count * count}");
            var failedPairs = namespacePairs.Where(r => !r.Replied).ToList();
            Expect(failedPairs.Count == 0, $"{failedPairs.Count} namespace pairs got no reply, e.g. {failedPairs.FirstOrDefault()}");
            Expect(report.Waves == 1 && agentReport.Waves == 1, $"the check ran in {report.Waves} waves (agent call: {agentReport.Waves}), not all at once: the raised neighbour cap did not leave it room");

            // The baseline: ping one pair after another for a sample spread over the matrix.
            var random = new Random(count);
            var pairs = Enumerable.Range(0, sample).Select(_ => namespacePairs[random.Next(namespacePairs.Count)]).ToList();
            var pingClock = Stopwatch.StartNew();
            var disagreements = 0;
            foreach (var pair in pairs)
            {
                var ping = Capture(["ip", "netns", "exec", $"nl-{labName}.{pair.From}", "ping", "-c", "1", "-W", "1", "-q", pair.Address]);
                disagreements += (ping.ExitCode == 0) == pair.Replied ? 0 : 1;
            }

            var pingPerPair = pingClock.Elapsed / sample;
            var pingAll = pingPerPair * namespacePairs.Count;
            var ratio = pingAll.TotalSeconds / cliRun.TotalSeconds;
            var met = cliRun.TotalSeconds <= TargetSeconds;
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    namespaces = count,
                    neighbourCapBefore = capBefore,
                    neighbourCapDuringRun = capRaised ? capNeeded.ToString(CultureInfo.InvariantCulture) : capBefore,
                    pairs = report.Results.Count,
                    namespacePairs = namespacePairs.Count,
                    netlabProbeSeconds = cliRun.TotalSeconds,
                    agentCallSeconds = agentCall.TotalSeconds,
                    agentReportedSeconds = agentReport.Milliseconds / 1000,
                    pingSamplePairs = sample,
                    pingSecondsPerPair = pingPerPair.TotalSeconds,
                    pingExtrapolatedSeconds = pingAll.TotalSeconds,
                    ratio,
                    disagreements,
                    targetSeconds = TargetSeconds,
                    targetMet = met,
                }));
            }
            else
            {
                Console.WriteLine($"lab: {count} namespaces with a bridge macvlan each + switch + host; {report.Results.Count} pairs ({namespacePairs.Count} between namespaces, all replied)");
                Console.WriteLine(capRaised ? $"neighbour table cap {neighbourCap} raised from {capBefore} to {capNeeded} for the run" : $"neighbour table cap {neighbourCap} = {capBefore}, enough");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"netlab probe (process, through the agent): {cliRun.TotalSeconds,7:F3} s   target <= {TargetSeconds} s: {(met ? "met" : "NOT met")}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agent call (AgentClient.ProbeAsync):       {agentCall.TotalSeconds,7:F3} s   (the agent's own count: {agentReport.Milliseconds / 1000:F3} s)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ip netns exec ... ping -c1 -W1, one by one: {pingPerPair.TotalMilliseconds,7:F1} ms per pair over {sample} pairs -> {pingAll.TotalSeconds,7:F1} s for {namespacePairs.Count} pairs   ratio {ratio,6:F1}x"));
                Console.WriteLine($"ping and the probe disagreed on {disagreements} of {sample} sampled pairs");
            }

            Run(Netlab("destroy", labName, "--socket", socket));
            Expect(Namespaces(labName) == 0, "netlab destroy left namespaces");
            return 0;
        }
        finally
        {
            if (capRaised)
            {
                await File.WriteAllTextAsync(neighbourCap, capBefore).ConfigureAwait(false);
            }

            foreach (var name in NetworkNamespace.ListNames().Where(n => n.StartsWith($"nl-{labName}.", StringComparison.Ordinal)))
            {
                NetworkNamespace.Delete(name);
            }

            if (agent is { HasExited: false })
            {
                agent.Kill(entireProcessTree: true);
                await agent.WaitForExitAsync().ConfigureAwait(false);
            }

            agent?.Dispose();
            work.Delete(recursive: true);
        }
    }
}
