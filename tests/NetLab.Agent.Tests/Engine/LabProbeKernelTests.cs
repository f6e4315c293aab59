using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// The connectivity check on the real kernel: the seed's labs applied from labs/*.yaml through the engine give the
/// outcomes of docs/seed/seed-experiments.md, layer 2 and layer 3 failures are told apart by the ARP outcome, and
/// `ip netns exec ... ping` (the oracle, never product code) agrees pair by pair.
/// </summary>
public sealed class LabProbeKernelTests
{
    // Three seconds rather than ping's one: these tests also run inside user-mode Linux (one slow CPU), where a reply
    // can take longer than a second. Failures look the same at any timeout (ARP stays unanswered, lo stays down).
    private static readonly ProbeRequest Wait = new(3000);

    [Fact]
    public async Task Bridge_mode_children_reach_each_other_and_their_own_address_only_with_lo_up()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));

        var report = await lab.Engine.ProbeAsync("macvlan-bridge", Wait, TestContext.Current.CancellationToken);

        Assert.Equal("macvlan-bridge", report.Lab);
        Assert.Equal(["h1", "ns2", "ns3"], report.Results.Select(r => r.From).Distinct().Order());
        Assert.Equal(["100.0.0.2", "100.0.0.3"], report.Results.Select(r => r.Address).Distinct().Order());
        Assert.Equal(6, report.Results.Count);

        var across = Pair(report, "ns2", "100.0.0.3");
        Assert.True(across.Replied, $"bridge mode: {across}");
        Assert.Equal(NeighborOutcome.Answered, across.Neighbor);
        Assert.True(across.RttMilliseconds > 0);
        Assert.Equal(("ns3", "macvlan3"), (across.To, across.ToInterface));

        var own = Pair(report, "ns2", "100.0.0.2");
        Assert.False(own.Replied, $"own address with lo down: {own}");
        Assert.Equal(NeighborOutcome.NotNeeded, own.Neighbor);

        // h1 has no address of its own: nothing routes anywhere from it.
        Assert.All(report.Results.Where(r => r.From == "h1"), r => Assert.Contains("ENETUNREACH", r.Error, StringComparison.Ordinal));
        AssertOracleAgrees(lab, "macvlan-bridge", report);

        var loUp = ParseLab(RepositoryFiles.Lab("macvlan-bridge.yaml").Replace("  ns2:\n    loopback: down", "  ns2:\n    loopback: up", StringComparison.Ordinal));
        Assert.True(loUp.FindNamespace("ns2")!.LoopbackUp, "the test's edit should set ns2's loopback up");
        AssertSucceeded(await lab.Engine.ApplyAsync(loUp));

        var after = await lab.Engine.ProbeAsync("macvlan-bridge", Wait, TestContext.Current.CancellationToken);

        Assert.True(Pair(after, "ns2", "100.0.0.2").Replied, "own address with lo up");
        Assert.False(Pair(after, "ns3", "100.0.0.3").Replied, "ns3 keeps lo down");
        AssertOracleAgrees(lab, "macvlan-bridge", after);
    }

    [Theory]
    [InlineData("macvlan-vepa.yaml", "macvlan-vepa", false)]
    [InlineData("macvlan-vepa-hairpin.yaml", "macvlan-vepa-hairpin", true)]
    [InlineData("macvlan-private.yaml", "macvlan-private", false)]
    public async Task Siblings_reach_each_other_as_the_seed_says_and_arp_tells_why_not(string file, string name, bool reachable)
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab(file)));

        var report = await lab.Engine.ProbeAsync(name, Wait, TestContext.Current.CancellationToken);

        foreach (var (from, to) in new[] { ("ns2", "100.0.0.3"), ("ns3", "100.0.0.2") })
        {
            var pair = Pair(report, from, to);
            Assert.Equal(reachable, pair.Replied);

            // Without a path at layer 2 the ARP request is never answered: a layer-2 failure, not a layer-3 one.
            Assert.Equal(reachable ? NeighborOutcome.Answered : NeighborOutcome.Unanswered, pair.Neighbor);
        }

        AssertOracleAgrees(lab, name, report);
    }

    [Fact]
    public async Task A_macvlan_child_cannot_reach_its_parents_address_and_a_foreign_subnet_has_no_route()
    {
        using var lab = new EngineLab();
        var yaml = RepositoryFiles.Lab("macvlan-bridge.yaml")
            .Replace("eth0: { switch: sw1, port: p1 }", "eth0: { switch: sw1, port: p1, addresses: [100.0.0.1/24] }", StringComparison.Ordinal)
            .Replace("addresses: [100.0.0.3/24]", "addresses: [100.0.1.3/24]", StringComparison.Ordinal);
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab(yaml)));

        var report = await lab.Engine.ProbeAsync("macvlan-bridge", Wait, TestContext.Current.CancellationToken);

        var toParent = Pair(report, "ns2", "100.0.0.1");
        Assert.False(toParent.Replied, $"a child and its lower device's own stack are not switched: {toParent}");
        Assert.Equal(NeighborOutcome.Unanswered, toParent.Neighbor);
        Assert.Equal(("h1", "eth0"), (toParent.To, toParent.ToInterface));
        Assert.False(Pair(report, "h1", "100.0.0.2").Replied);

        var unrouted = Pair(report, "ns2", "100.0.1.3");
        Assert.False(unrouted.Replied);
        Assert.Equal(NeighborOutcome.NotNeeded, unrouted.Neighbor);
        Assert.Contains("ENETUNREACH", unrouted.Error, StringComparison.Ordinal);
        AssertOracleAgrees(lab, "macvlan-bridge", report);
    }

    [Fact]
    public async Task Switch_namespaces_are_not_sources_and_a_host_address_is_a_target()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-passthru.yaml")));

        var report = await lab.Engine.ProbeAsync("macvlan-passthru", Wait, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(report.Results, r => r.From == "sw1");
        Assert.Equal(["h1", "h2", "ns2"], report.Results.Select(r => r.From).Distinct().Order());
        var toHost = Pair(report, "ns2", "100.0.0.9");
        Assert.True(toHost.Replied, $"the passthru child reaches h2 through the switch: {toHost}");
        Assert.Equal(("h2", "eth0", NeighborOutcome.Answered), (toHost.To, toHost.ToInterface, toHost.Neighbor));
        AssertOracleAgrees(lab, "macvlan-passthru", report);
    }

    [Fact]
    public async Task An_unknown_lab_and_a_bad_timeout_are_refused_without_probing()
    {
        using var lab = new EngineLab();

        var missing = await Assert.ThrowsAsync<LabNotFoundException>(() => lab.Engine.ProbeAsync("nosuchlab", Wait, TestContext.Current.CancellationToken));
        Assert.Equal("nosuchlab", missing.LabName);

        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => lab.Engine.ProbeAsync("macvlan-bridge", new ProbeRequest(0), TestContext.Current.CancellationToken));
        Assert.Contains("1 to 10000 ms", bad.Message, StringComparison.Ordinal);
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => lab.Engine.ProbeAsync("macvlan-bridge", new ProbeRequest(10_001), TestContext.Current.CancellationToken));
        Assert.Contains("A probe timeout of 10001 ms is out of range: give 1 to 10000 ms", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_of_the_vlan_888_lab_replies_across_the_switch_or_skips_where_the_kernel_lacks_8021q()
    {
        using var lab = new EngineLab();
        var result = await lab.Engine.ApplyAsync(LoadLab("vlan-888.yaml"));
        if (!result.Succeeded && result.Failure?.Errno == "EOPNOTSUPP")
        {
            Assert.Skip($"This kernel lacks 802.1Q vlan ({result.Failure.Message}); the second-kernel run (user-mode Linux) covers it.");
        }

        AssertSucceeded(result);

        var report = await lab.Engine.ProbeAsync("vlan-888", Wait, TestContext.Current.CancellationToken);

        var across = Pair(report, "ns1", "88.8.8.88");
        Assert.True(across.Replied, $"vlan 888 on both ends: {across}");
        Assert.Equal(("ns2", "eth0.888", NeighborOutcome.Answered), (across.To, across.ToInterface, across.Neighbor));
        Assert.True(Pair(report, "ns2", "88.8.8.8").Replied);
        AssertOracleAgrees(lab, "vlan-888", report);
    }

    private static ProbeResult Pair(ProbeReport report, string from, string address) =>
        Assert.Single(report.Results, r => r.From == from && r.Address == address);

    /// <summary>`ip netns exec NS ping -c1 -W1` for every pair from a lab namespace: the same verdict as the probe.</summary>
    private static void AssertOracleAgrees(EngineLab lab, string labName, ProbeReport report)
    {
        foreach (var pair in report.Results.Where(r => r.From.StartsWith("ns", StringComparison.Ordinal)))
        {
            Assert.True(pair.Replied == lab.Ping(labName, pair.From, pair.Address), $"ping from {pair.From} to {pair.Address} disagrees with the probe: {pair}");
        }
    }
}
