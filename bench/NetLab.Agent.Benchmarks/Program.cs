using System.Diagnostics;
using System.Globalization;
using NetLab.Agent.Benchmarks;
using NetLab.Core.Formats;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Netlink.Namespaces;
using static NetLab.Agent.Benchmarks.Bench;

// Issue 12's load test (`load`): C clients applying, watching, checking and destroying labs of their own through one
// agent (`load-agent`, a child process), its memory and descriptors sampled, against one client in the same run.
if (args is ["load", .. var loadArguments])
{
    return await LoadBenchmark.RunAsync(loadArguments).ConfigureAwait(false);
}

if (args is ["load-agent", .. var agentArguments])
{
    return await LoadBenchmark.RunAgentAsync(agentArguments).ConfigureAwait(false);
}

// Issue 13's class start (`class`): S students' labs applied at one moment through one agent, against the same labs one
// after another and the largest lab alone, in the same run.
if (args is ["class", .. var classArguments])
{
    return await ClassStartBenchmark.RunAsync(classArguments).ConfigureAwait(false);
}

// Issue 5's benchmark (`probe`): the connectivity check of an N-namespace lab against `ip netns exec ... ping`.
if (args is ["probe", .. var probeArguments])
{
    return await ProbeBenchmark.RunAsync(probeArguments).ConfigureAwait(false);
}

// Issue 3's benchmark: apply and destroy of an N-namespace lab end to end through the CLI and the agent, against the
// seed-style iproute2 script for the same lab (one `ip` process per step), in the same run; ratios printed.
if (BenchArguments.Parse(args, defaultCount: 200, acceptSample: false) is not { } options)
{
    Console.Error.WriteLine("usage: netlab-agent-bench [-n NAMESPACES] [--rounds N] [--json] [--netlab PATH-TO-PUBLISHED-netlab]");
    return 2;
}

var (count, json, rounds) = (options.Count, options.Json, options.Rounds);

if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("netlab-agent-bench must run as root: the agent and the iproute2 script create namespaces (try sudo).");
    return 2;
}

var labName = $"bench{Environment.ProcessId}";
var work = Directory.CreateTempSubdirectory("netlab-agent-bench-");
var socket = Path.Combine(work.FullName, "agent.sock");
var labFile = Path.Combine(work.FullName, "lab.yaml");
string[] Netlab(params string[] arguments) => options.Netlab(arguments);
File.WriteAllText(labFile, ScaleLab.Yaml(labName, count));

// The same lab as the seed's author would type it: the plan's teaching view, one `ip` per line.
var lab = LabFormat.LoadAndValidate(File.ReadAllText(labFile), LabFileFormat.Yaml).Lab!;
var plan = Planner.Plan(ObservedState.Empty, lab);
var applyScript = Path.Combine(work.FullName, "apply.sh");
File.WriteAllLines(applyScript, ["set -e", .. Iproute2Renderer.Render(plan, NamespaceNames.Kernel)]);
var destroyScript = Path.Combine(work.FullName, "destroy.sh");
File.WriteAllLines(destroyScript, ["set -e", .. Iproute2Renderer.Render(Planner.PlanRemoval(Planner.Simulate(ObservedState.Empty, plan), labName), NamespaceNames.Kernel)]);

Process? agent = null;
try
{
    agent = Start(Netlab("agent", "--socket", socket));
    WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(30), "the agent's socket");

    // Warm-up: the agent's first apply JITs its code paths and runs the kernel doctor once.
    var warm = $"warm{Environment.ProcessId}";
    var warmFile = Path.Combine(work.FullName, "warm.yaml");
    File.WriteAllText(warmFile, ScaleLab.Yaml(warm, 3));
    Run(Netlab("apply", warmFile, "--socket", socket));
    Run(Netlab("destroy", warm, "--socket", socket));

    // Each round measures both sides back to back, so a ratio compares like with like on a machine whose load moves;
    // the median round is the figure to quote.
    var results = new List<Round>();
    for (var round = 1; round <= rounds; round++)
    {
        var netlabApply = Time(() => Run(Netlab("apply", labFile, "--socket", socket)));
        var made = Namespaces(labName);
        if (made != count + 2)
        {
            throw new InvalidOperationException($"after netlab apply, {made} namespaces exist, not {count + 2}");
        }

        var netlabDestroy = Time(() => Run(Netlab("destroy", labName, "--socket", socket)));
        Expect(Namespaces(labName) == 0, "netlab destroy left namespaces");

        var scriptApply = Time(() => Run(["bash", applyScript]));
        Expect(Namespaces(labName) == count + 2, "the iproute2 script did not build the lab");
        var scriptDestroy = Time(() => Run(["bash", destroyScript]));
        Expect(Namespaces(labName) == 0, "the iproute2 destroy script left namespaces");

        var result = new Round(netlabApply.TotalSeconds, scriptApply.TotalSeconds, netlabDestroy.TotalSeconds, scriptDestroy.TotalSeconds);
        results.Add(result);
        if (!json)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: apply NetLab {result.NetlabApply:F3} s, iproute2 {result.ScriptApply:F3} s ({result.ApplyRatio:F1}x); destroy NetLab {result.NetlabDestroy:F3} s, iproute2 {result.ScriptDestroy:F3} s ({result.DestroyRatio:F1}x)"));
        }
    }

    var applyRatio = Median(results.Select(r => r.ApplyRatio));
    var destroyRatio = Median(results.Select(r => r.DestroyRatio));
    if (json)
    {
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
        {
            namespaces = count,
            operations = plan.Operations.Count,
            rounds = results,
            applyRatio,
            destroyRatio,
        }));
    }
    else
    {
        Console.WriteLine($"lab: {count} namespaces with a bridge macvlan each + switch + host ({plan.Operations.Count} operations), {rounds} round(s)");
        Console.WriteLine("NetLab = `netlab apply|destroy` processes (CLI start included) talking to a running agent; iproute2 = the plan's `ip` commands as a bash script.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"apply:   median ratio {applyRatio,6:F1}x   target 10x: {(applyRatio >= 10 ? "met" : "NOT met")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"destroy: median ratio {destroyRatio,6:F1}x   target 10x: {(destroyRatio >= 10 ? "met" : "NOT met")}"));
    }

    return 0;
}
finally
{
    foreach (var name in NetworkNamespace.ListNames().Where(n => n.StartsWith($"nl-{labName}.", StringComparison.Ordinal) || n.StartsWith($"nl-warm{Environment.ProcessId}.", StringComparison.Ordinal)))
    {
        NetworkNamespace.Delete(name);
    }

    if (agent is { HasExited: false })
    {
        agent.Kill(entireProcessTree: true);
        agent.WaitForExit();
    }

    agent?.Dispose();
    work.Delete(recursive: true);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>One round's seconds for each side.</summary>
internal sealed record Round(double NetlabApply, double ScriptApply, double NetlabDestroy, double ScriptDestroy)
{
    public double ApplyRatio => ScriptApply / NetlabApply;

    public double DestroyRatio => ScriptDestroy / NetlabDestroy;
}
