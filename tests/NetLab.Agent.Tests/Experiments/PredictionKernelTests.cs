using NetLab.Agent.Tests.Engine;
using NetLab.Core.Experiments;
using NetLab.Core.Labs;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Experiments;

/// <summary>
/// The connectivity predictor against the real kernel: each lab is applied by the engine and every pair the predictor
/// lists is pinged (iproute2's `ip netns exec ... ping` as the oracle), and every outcome must be the predicted one.
/// The variant labs put each rule of docs/connectivity-rules.md that the seed labs do not reach in front of the kernel.
/// </summary>
public sealed class PredictionKernelTests
{
    private const string Siblings = """
        name: NAME
        switches:
          sw1:
            ports:
              p1: { hairpin: HAIRPIN }
        hosts:
          h1:
            nics:
              eth0: { switch: sw1, port: p1, addresses: [100.0.0.1/24]NICUP }
        namespaces:
          ns2:
            loopback: up
            interfaces:
              macvlan2: { kind: macvlan, parent: h1/eth0, mode: MODE2, addresses: [100.0.0.2/24] }
          ns3:
            interfaces:
              macvlan3: { kind: macvlan, parent: h1/eth0, mode: MODE3, addresses: [100.0.0.3/24] }
        """;

    private static string SiblingLab(string name, string mode2, string mode3, bool hairpin, bool nicUp = true) => Siblings
        .Replace("NAME", name, StringComparison.Ordinal).Replace("MODE2", mode2, StringComparison.Ordinal).Replace("MODE3", mode3, StringComparison.Ordinal)
        .Replace("HAIRPIN", hairpin ? "true" : "false", StringComparison.Ordinal).Replace("NICUP", nicUp ? "" : ", up: false", StringComparison.Ordinal);

    /// <summary>Labs beyond the seed's, each reaching rules the seed's labs do not.</summary>
    private static readonly Dictionary<string, string> Variants = new()
    {
        ["mixed-hairpin"] = SiblingLab("mixed-hairpin", "bridge", "vepa", hairpin: true),
        ["private-hairpin"] = SiblingLab("private-hairpin", "private", "bridge", hairpin: true),
        ["mixed-no-hairpin"] = SiblingLab("mixed-no-hairpin", "vepa", "bridge", hairpin: false),
        ["parent-down"] = SiblingLab("parent-down", "bridge", "bridge", hairpin: false, nicUp: false),
        ["passthru-parent"] = RuleLabs.PassthruParent,
        ["switches"] = """
            name: switches
            switches:
              sw1:
                ports:
                  p1: {}
                  p2: {}
              sw2:
                ports:
                  p3: {}
                  p4: {}
            hosts:
              h1:
                nics:
                  eth0: { switch: sw1, port: p1, addresses: [10.0.0.1/24] }
              h2:
                nics:
                  eth0: { switch: sw1, port: p2, addresses: [10.0.1.2/16] }
              h3:
                nics:
                  eth0: { switch: sw2, port: p3, addresses: [10.0.0.3/24] }
              h4:
                nics:
                  eth0: { switch: sw2, port: p4, addresses: [10.0.0.4/24], up: false }
            """,
        ["carrier"] = RuleLabs.Carrier,
        ["source-mode"] = """
            name: source-mode
            switches:
              sw1:
                ports:
                  p1: {}
                  p2: {}
                  p3: {}
            hosts:
              h1:
                nics:
                  eth0: { switch: sw1, port: p1 }
              h2:
                nics:
                  eth0: { switch: sw1, port: p2, mac: "02:00:00:00:00:02", addresses: [10.0.0.2/24] }
              h3:
                nics:
                  eth0: { switch: sw1, port: p3, mac: "02:00:00:00:00:03", addresses: [10.0.0.3/24] }
            namespaces:
              ns2:
                interfaces:
                  m2: { kind: macvlan, parent: h1/eth0, mode: source, sourceMacs: ["02:00:00:00:00:02"], addresses: [10.0.0.5/24] }
            """,
    };

    public static TheoryData<string> SeedLabs() =>
        new(RepositoryFiles.ExampleLabs().Select(Path.GetFileNameWithoutExtension).Where(n => n != "vlan-888")!);

    public static TheoryData<string> VariantLabs() => new(Variants.Keys);

    [Theory]
    [MemberData(nameof(SeedLabs))]
    public Task Every_pair_of_a_seed_lab_does_on_the_kernel_what_the_predictor_says(string name) =>
        CheckAsync(LoadLab(name + ".yaml"));

    [Theory]
    [MemberData(nameof(VariantLabs))]
    public Task Every_pair_of_a_variant_lab_does_on_the_kernel_what_the_predictor_says(string name) =>
        CheckAsync(ParseLab(Variants[name]));

    [Fact]
    public async Task The_vlan_888_lab_and_a_mismatched_id_do_what_the_predictor_says_where_the_kernel_has_8021q()
    {
        using (var probe = new EngineLab())
        {
            if (!probe.KernelCanCreateVlan())
            {
                Assert.Skip("This kernel lacks 802.1Q vlan; the second kernel (user-mode Linux) runs this test with 8021q (PredictionsOnUserModeLinuxTests).");
            }
        }

        await CheckAsync(LoadLab("vlan-888.yaml"));
        var mismatched = RepositoryFiles.Lab("vlan-888.yaml")
            .Replace("name: vlan-888", "name: vlan-889", StringComparison.Ordinal)
            .Replace("eth0.888: { kind: vlan, parent: h2/eth0, id: 888,", "eth0.888: { kind: vlan, parent: h2/eth0, id: 889,", StringComparison.Ordinal);
        await CheckAsync(ParseLab(mismatched));
    }

    private static bool PingFresh(EngineLab lab, string labName, string from, string address)
    {
        var ns = lab.Kernel(labName, from);
        Assert.Equal(0, Run("ip", "-n", ns, "neigh", "flush", "all"));
        return Run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "0.5", "-q", address) == 0;
    }

    private static async Task CheckAsync(Lab definition)
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(definition));
        var predictions = ConnectivityPredictor.Predict(definition);

        // Predictions are for fresh neighbour tables (a parent's ping teaches a private child its MAC), so the pings run
        // one after another, each from a namespace whose neighbour table was just flushed.
        var observed = predictions.Select(p => PingFresh(lab, definition.Name, p.From, p.Address)).ToList();

        var wrong = predictions.Zip(observed)
            .Where(pair => pair.First.Reachable != pair.Second)
            .Select(pair => $"{pair.First.From} -> {pair.First.Address}: predicted {(pair.First.Reachable ? "reachable" : "fails")} ({pair.First.Rule.Id}), kernel {(pair.Second ? "replied" : "no reply")}")
            .ToList();
        AssertSucceeded(await lab.Engine.DestroyAsync(definition.Name));
        Assert.Empty(lab.Namespaces());
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }
}
