using NetLab.Core.Experiments;
using NetLab.Core.Grading;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Grading;

public sealed class CheckGeneratorTests
{
    [Fact]
    public void The_vepa_labs_checks_are_its_predictions_then_the_state_it_declares()
    {
        var checks = CheckGenerator.FromPredictions(ExampleLabs.Load("macvlan-vepa"));

        Assert.Equal(
        [
            "h1 does not reach 100.0.0.2",
            "h1 does not reach 100.0.0.3",
            "ns2 does not reach 100.0.0.2",
            "ns2 does not reach 100.0.0.3",
            "ns3 does not reach 100.0.0.2",
            "ns3 does not reach 100.0.0.3",
            "h1/eth0 is up",
            "ns2/macvlan2 is a macvlan in vepa mode",
            "ns2/macvlan2 is up",
            "ns2/macvlan2 has 100.0.0.2/24",
            "ns3/macvlan3 is a macvlan in vepa mode",
            "ns3/macvlan3 is up",
            "ns3/macvlan3 has 100.0.0.3/24",
        ], checks.Select(c => c.Text));
    }

    [Fact]
    public void With_a_hairpin_the_siblings_checks_turn_into_reaches()
    {
        var checks = CheckGenerator.FromPredictions(ExampleLabs.Load("macvlan-vepa-hairpin")).OfType<ReachabilityCheck>();

        Assert.Equal(["ns2 reaches 100.0.0.3", "ns3 reaches 100.0.0.2"], checks.Where(c => c.Reachable).Select(c => c.Text));
    }

    [Fact]
    public void Vlans_get_their_id_and_hosts_NICs_no_kind()
    {
        var lab = ExampleLabs.Load("vlan-888");
        var checks = CheckGenerator.FromPredictions(lab);

        var vlans = lab.InterfaceNamespaces.SelectMany(n => n.Interfaces.OfType<Core.Labs.VlanInterface>().Select(v => (n.Name, v))).ToList();
        Assert.NotEmpty(vlans);
        foreach (var (element, vlan) in vlans)
        {
            Assert.Contains(new InterfaceVlanCheck(element, vlan.Name, vlan.Id), checks);
            Assert.Contains(new InterfaceKindCheck(element, vlan.Name, LinkKind.Vlan), checks);
        }

        var nics = lab.Hosts.SelectMany(h => h.Nics.Select(n => (h.Name, n.Name))).ToList();
        Assert.DoesNotContain(checks.OfType<InterfaceKindCheck>(), c => nics.Contains((c.Element, c.Interface)));
    }

    public static TheoryData<string> SeedLabs() => new(RepositoryFiles.ExampleLabs().Select(Path.GetFileNameWithoutExtension)!);

    [Theory]
    [MemberData(nameof(SeedLabs))]
    public void Generated_checks_are_valid_for_their_lab_one_per_pair_and_distinct(string name)
    {
        var lab = ExampleLabs.Load(name);
        var document = CheckGenerator.DocumentFor(lab);

        Assert.Empty(ChecksValidator.Validate(document, lab));
        Assert.Equal(ConnectivityPredictor.Predict(lab).Count, document.Checks.OfType<ReachabilityCheck>().Count());
        Assert.Equal(document.Checks.Count, document.Checks.Select(c => c.Id).Distinct().Count());
        Assert.InRange(document.Checks.Count, 1, ChecksFormat.MaxChecks);
    }

    [Fact]
    public void The_reference_pages_example_is_valid_and_is_the_hairpin_templates_generated_checks_plus_one()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "checks.md")).ReplaceLineEndings("\n");
        var start = page.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var example = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];
        var lab = ExampleLabs.Load("macvlan-vepa-hairpin");

        var read = ChecksFormat.LoadAndValidate(example, Core.Formats.LabFileFormat.Yaml, lab);

        Assert.True(read.Succeeded, string.Join("\n", read.Problems));
        Assert.Equal([.. CheckGenerator.FromPredictions(lab), new InterfaceExistsCheck("sw1", "p1")], read.Document!.Checks);
        Assert.Equal(lab.Name, read.Document.Lab);
    }
}
