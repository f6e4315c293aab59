using System.Net.Sockets;
using NetLab.Agent.Benchmarks;
using NetLab.Agent.Contracts;
using NetLab.Netlink;
using NetLab.Netlink.Probing;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// The connectivity check in waves on the real kernel: with a budget forced small (so the test does not depend on
/// this machine's gc_thresh3) the waves give the one-shot check's results pair by pair and leave no neighbour entry
/// behind; and a 40-namespace lab on the machine's own settings replies everywhere instead of meeting ENOBUFS. Both
/// labs are the probe benchmark's <see cref="ScaleLab"/> (bridge macvlans on one host NIC, lo up).
/// </summary>
public sealed class ProbeWavesKernelTests
{
    private static readonly ProbeRequest Wait = new(3000);

    [Fact]
    public async Task A_small_budget_probes_in_waves_with_the_one_shot_results_and_leaves_no_entry_it_made()
    {
        using var lab = new EngineLab();
        const string name = "nltestwaves";
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab(ScaleLab.Yaml(name, 10))));
        var before = NeighborTables(lab);

        // h1 and 10 namespaces ping 10 addresses: 11 x 10 x 2 = 220 entries; 60 hold 3 sources a wave, so 4 waves.
        lab.Engine.ProbeNeighborBudget = 60;
        var waves = await lab.Engine.ProbeAsync(name, Wait, TestContext.Current.CancellationToken);
        var after = NeighborTables(lab);
        lab.Engine.ProbeNeighborBudget = int.MaxValue;
        var once = await lab.Engine.ProbeAsync(name, Wait, TestContext.Current.CancellationToken);

        Assert.Equal(4, waves.Waves);
        Assert.Equal(1, once.Waves);
        Assert.Equal(110, waves.Results.Count);
        Assert.Equal(Outcomes(once), Outcomes(waves));

        // Not a vacuous equality: every namespace reached every address (bridge mode, lo up) with ARP answered.
        Assert.All(waves.Results.Where(r => r.From != "h1"), r => Assert.True(r.Replied, r.ToString()));
        Assert.All(waves.Results.Where(r => r.From != "h1" && r.To != r.From), r => Assert.Equal(NeighborOutcome.Answered, r.Neighbor));
        foreach (var (kernelName, entries) in after)
        {
            Assert.Empty(entries.Except(before.GetValueOrDefault(kernelName, [])));
        }
    }

    [Fact]
    public async Task Forty_namespaces_on_this_machines_settings_reply_everywhere_without_enobufs()
    {
        using var lab = new EngineLab();
        const string name = "nltestwaves40";
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab(ScaleLab.Yaml(name, 40))));
        var before = NeighborTables(lab);

        var report = await lab.Engine.ProbeAsync(name, Wait, TestContext.Current.CancellationToken);

        var pairs = report.Results.Where(r => r.From != "h1").ToList();
        Assert.Equal(40 * 40, pairs.Count);
        var failed = pairs.Where(r => !r.Replied).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} pairs failed in {report.Waves} waves (ARP table: {NeighborTableCapacity.Read(AddressFamily.InterNetwork)}), e.g.\n{string.Join('\n', failed.Take(5))}");
        Assert.DoesNotContain(report.Results, r => r.Error?.Contains("ENOBUFS", StringComparison.Ordinal) == true);

        // The check's 41 x 40 x 2 = 3,280 entries are more than half of any gc_thresh3 up to 6,560 can hold.
        var threshold = NeighborTableCapacity.Read(AddressFamily.InterNetwork).Threshold;
        if (threshold / 2 < 41 * 40 * 2)
        {
            Assert.True(report.Waves > 1, $"gc_thresh3 = {threshold}, yet the check ran in {report.Waves} wave(s)");
            foreach (var (kernelName, entries) in NeighborTables(lab))
            {
                var left = entries.Except(before.GetValueOrDefault(kernelName, [])).ToList();
                Assert.True(left.Count == 0, $"{kernelName} holds entries the check made: {string.Join(", ", left)}");
            }
        }
    }

    private static List<(string From, string To, string Address, bool Replied, NeighborOutcome Neighbor, string? Error)> Outcomes(ProbeReport report) =>
        report.Results.Select(r => (r.From, r.To, r.Address, r.Replied, r.Neighbor, r.Error)).ToList();

    /// <summary>
    /// Every neighbour entry in the engine's namespaces, by namespace: (destination, interface). IPv6 multicast
    /// entries are left out: the kernel makes them on its own timers for the links' link-local addresses (MLD
    /// reports, duplicate address detection), whenever they fire, and these labs send no IPv6.
    /// </summary>
    private static Dictionary<string, HashSet<string>> NeighborTables(EngineLab lab) => lab.Namespaces().ToDictionary(n => n, n =>
    {
        using var handle = NetlinkHandle.ForNamed(n);
        return handle.NeighborList().Where(e => !e.Destination.IsIPv6Multicast).Select(e => $"{e.Destination} dev {e.InterfaceIndex}").ToHashSet();
    });
}
