using System.Net;
using System.Net.Sockets;
using NetLab.Agent.Benchmarks;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// The connectivity check in waves on the real kernel: with a budget forced small (so the test does not depend on
/// this machine's gc_thresh3) the waves give the one-shot check's results pair by pair and leave no neighbour entry
/// behind. The lab is the probe benchmark's <see cref="ScaleLab"/> (bridge macvlans on one host NIC, lo up). A lab on
/// the machine's own settings is not tested here: the neighbour table is shared with every suite running beside this
/// one, so its room is not this test's to count on (the closing note of session 3 gives the figures measured by hand).
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

    private static List<(string From, string To, string Address, bool Replied, NeighborOutcome Neighbor, string? Error)> Outcomes(ProbeReport report) =>
        report.Results.Select(r => (r.From, r.To, r.Address, r.Replied, r.Neighbor, r.Error)).ToList();

    /// <summary>
    /// Every neighbour entry in the engine's namespaces, by namespace: (destination, interface). Multicast
    /// entries are left out: the kernel makes them on its own timers, whenever they fire (IPv6: MLD reports and
    /// duplicate address detection for link-local addresses; IPv4: IGMPv3 reports to 224.0.0.22, seen inside
    /// user-mode Linux), and the probe sends no multicast.
    /// </summary>
    private static Dictionary<string, HashSet<string>> NeighborTables(EngineLab lab) => lab.Namespaces().ToDictionary(n => n, n =>
    {
        using var handle = NetlinkHandle.ForNamed(n);
        return handle.NeighborList().Where(e => !IsMulticast(e.Destination)).Select(e => $"{e.Destination} dev {e.InterfaceIndex}").ToHashSet();
    });

    private static bool IsMulticast(IPAddress address) =>
        address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224 and <= 239);
}
