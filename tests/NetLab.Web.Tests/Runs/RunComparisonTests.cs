using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Runs;

public sealed class RunComparisonTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private static readonly string Bridge = RepositoryFiles.Lab("macvlan-bridge.yaml");

    [Fact]
    public void The_same_lab_has_no_topology_differences_even_under_another_name()
    {
        var (differences, problem) = RunComparison.CompareTopology(Bridge, Bridge.Replace("name: macvlan-bridge", "name: renamed", StringComparison.Ordinal));

        Assert.Null(problem);
        Assert.Empty(differences);
    }

    [Fact]
    public void Topology_differences_are_the_planners_operations_with_their_commands()
    {
        var changed = Bridge
            .Replace("100.0.0.3/24", "100.0.0.4/24", StringComparison.Ordinal)
            .Replace("  ns3:\n    loopback: down", "  ns3:\n    loopback: up", StringComparison.Ordinal);

        var (differences, problem) = RunComparison.CompareTopology(Bridge, changed);

        Assert.Null(problem);
        Assert.Contains(differences, d => d.Command == "ip -n ns3 addr add 100.0.0.4/24 dev macvlan3");
        Assert.Contains(differences, d => d.Command == "ip -n ns3 addr del 100.0.0.3/24 dev macvlan3");
        Assert.Contains(differences, d => d.Command == "ip -n ns3 link set lo up");
        Assert.All(differences, d => Assert.DoesNotContain("ns2", d.Command, StringComparison.Ordinal));
    }

    [Fact]
    public void Probe_differences_are_the_pairs_whose_outcome_changed_or_that_only_one_run_checked()
    {
        var before = RunFixtures.Probe(ownAddressReplies: false);
        var after = RunFixtures.Probe(ownAddressReplies: true) with
        {
            Results = [.. RunFixtures.Probe(ownAddressReplies: true).Results, new ProbeResult("ns3", "ns2", "macvlan2", "100.0.0.2", true, NeighborOutcome.Answered, 0.04)],
        };

        var differences = RunComparison.CompareProbes(before, after);

        Assert.Equal(2, differences.Count);
        var own = Assert.Single(differences, d => d.From == "ns2" && d.Address == "100.0.0.2");
        Assert.Equal(("no reply", "replied"), (ProbeDifference.Outcome(own.Before), ProbeDifference.Outcome(own.After)));
        var added = Assert.Single(differences, d => d.From == "ns3");
        Assert.Equal("not checked", ProbeDifference.Outcome(added.Before));
        Assert.Empty(RunComparison.CompareProbes(before, before));
    }

    [Fact]
    public async Task Two_recorded_runs_compare_by_their_last_probes_and_their_labs()
    {
        var runs = new RunStore(_db.Database, TimeProvider.System);
        var first = await RunFixtures.RecordAsync(_db.Store, _db.Database, ownAddressReplies: false);
        var second = await RunFixtures.RecordAsync(_db.Store, _db.Database, ownAddressReplies: true);

        var comparison = RunComparison.Compare(
            (await runs.GetRunAsync(LabStore.LocalUserId, first))!, await runs.GetEntriesAsync(LabStore.LocalUserId, first),
            (await runs.GetRunAsync(LabStore.LocalUserId, second))!, await runs.GetEntriesAsync(LabStore.LocalUserId, second));

        Assert.Empty(comparison.Topology);
        Assert.True(comparison.FirstHasProbe && comparison.SecondHasProbe);
        Assert.Equal("100.0.0.2", Assert.Single(comparison.Probes).Address);
    }
}
