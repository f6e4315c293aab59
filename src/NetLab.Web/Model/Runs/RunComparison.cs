using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>One operation that takes the first run's lab to the second's, with its iproute2 command.</summary>
public sealed record TopologyDifference(string Operation, string Source, string Command);

/// <summary>A pair whose outcome differs between two runs; null on the side whose check did not have the pair.</summary>
public sealed record ProbeDifference(string From, string To, string ToInterface, string Address, ProbeResult? Before, ProbeResult? After)
{
    public static string Outcome(ProbeResult? result) => result switch
    {
        null => "not checked",
        { Replied: true } => "replied",
        { Error: { } error } => $"no reply ({error})",
        { Neighbor: NeighborOutcome.Unanswered } => "no reply (ARP unanswered)",
        _ => "no reply",
    };
}

/// <summary>
/// Two runs compared: the topology by Core's planner (the operations that take the first run's lab to the second's: an
/// empty list means the same topology), and the connectivity checks pair by pair (those whose outcome changed).
/// </summary>
public sealed record RunComparison(
    RunSummary First,
    RunSummary Second,
    IReadOnlyList<TopologyDifference> Topology,
    IReadOnlyList<ProbeDifference> Probes,
    bool FirstHasProbe,
    bool SecondHasProbe,
    string? Problem)
{
    public static RunComparison Compare(RunDetails first, IReadOnlyList<RunEntry> firstEntries, RunDetails second, IReadOnlyList<RunEntry> secondEntries)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var before = LastProbe(firstEntries);
        var after = LastProbe(secondEntries);
        var (topology, problem) = CompareTopology(first.Yaml, second.Yaml);
        return new RunComparison(first.Summary, second.Summary, topology, CompareProbes(before, after), before is not null, after is not null, problem);
    }

    /// <summary>The plan from the first lab, as applied, to the second, under the first one's name so that only real differences count.</summary>
    public static (IReadOnlyList<TopologyDifference> Differences, string? Problem) CompareTopology(string firstYaml, string secondYaml)
    {
        var first = LabFormat.LoadAndValidate(firstYaml, LabFileFormat.Yaml);
        var second = LabFormat.LoadAndValidate(secondYaml, LabFileFormat.Yaml);
        if (first.Lab is null || second.Lab is null)
        {
            return ([], "A run's lab YAML is not valid any more, so its topology cannot be compared (was it imported from a newer NetLab?).");
        }

        var applied = Planner.Simulate(ObservedState.Empty, Planner.Plan(ObservedState.Empty, first.Lab));
        var plan = Planner.Plan(applied, second.Lab with { Name = first.Lab.Name });
        var commands = Iproute2Renderer.Render(plan, NamespaceNames.Lab);
        return ([.. plan.Operations.Select((o, i) => new TopologyDifference(o.GetType().Name, o.Source, commands[i]))], null);
    }

    public static IReadOnlyList<ProbeDifference> CompareProbes(ProbeReport? before, ProbeReport? after)
    {
        static (string, string, string, string) Key(ProbeResult r) => (r.From, r.To, r.ToInterface, r.Address);
        var first = before?.Results.GroupBy(Key).ToDictionary(g => g.Key, g => g.First()) ?? [];
        var second = after?.Results.GroupBy(Key).ToDictionary(g => g.Key, g => g.First()) ?? [];
        var differences = new List<ProbeDifference>();
        foreach (var key in first.Keys.Union(second.Keys).Order())
        {
            first.TryGetValue(key, out var a);
            second.TryGetValue(key, out var b);
            if (a is null || b is null || a.Replied != b.Replied || a.Neighbor != b.Neighbor)
            {
                differences.Add(new ProbeDifference(key.Item1, key.Item2, key.Item3, key.Item4, a, b));
            }
        }

        return differences;
    }

    private static ProbeReport? LastProbe(IReadOnlyList<RunEntry> entries) =>
        entries.LastOrDefault(e => e.Kind == RunEntryKind.Probe)?.Probe;
}
