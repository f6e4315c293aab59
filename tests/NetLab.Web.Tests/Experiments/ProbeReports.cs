using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Tests.Experiments;

/// <summary>Fixed connectivity reports of the macvlan-bridge lab, as the agent would send them.</summary>
internal static class ProbeReports
{
    public static string BridgeYaml { get; } = RepositoryFiles.Lab("macvlan-bridge.yaml");

    /// <summary>What the seed reports: the children reach each other, own addresses fail (lo down), h1 has no route.</summary>
    public static IReadOnlyList<ProbeResult> AsPredicted() =>
    [
        new("h1", "ns2", "macvlan2", "100.0.0.2", false, NeighborOutcome.NotNeeded, Error: "Network is unreachable"),
        new("h1", "ns3", "macvlan3", "100.0.0.3", false, NeighborOutcome.NotNeeded, Error: "Network is unreachable"),
        new("ns2", "ns2", "macvlan2", "100.0.0.2", false, NeighborOutcome.NotNeeded),
        new("ns2", "ns3", "macvlan3", "100.0.0.3", true, NeighborOutcome.Answered, 0.05),
        new("ns3", "ns2", "macvlan2", "100.0.0.2", true, NeighborOutcome.Answered, 0.05),
        new("ns3", "ns3", "macvlan3", "100.0.0.3", false, NeighborOutcome.NotNeeded),
    ];

    public static ProbeReport Report(IReadOnlyList<ProbeResult> results) =>
        new("macvlan-bridge", new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero), 12.5, results);

    /// <summary>As predicted, except that ns2's ping to ns3 found no neighbour: a layer-2 mismatch.</summary>
    public static IReadOnlyList<ProbeResult> WithLayer2Mismatch() =>
        [.. AsPredicted().Select(r => r is { From: "ns2", Address: "100.0.0.3" } ? r with { Replied = false, Neighbor = NeighborOutcome.Unanswered, RttMilliseconds = null } : r)];
}
