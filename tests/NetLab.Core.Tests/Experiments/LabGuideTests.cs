using NetLab.Core.Experiments;
using NetLab.Core.Formats;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Experiments;

public sealed class LabGuideTests
{
    /// <summary>The seed's experiments, each of which must come with a guide.</summary>
    public static TheoryData<string> SeedTemplates() =>
        new("vlan-888", "macvlan-bridge", "macvlan-vepa", "macvlan-vepa-hairpin", "macvlan-private", "macvlan-passthru", "macvtap");

    public static TheoryData<string> Guides() =>
        new(Directory.GetFiles(RepositoryFiles.LabsFolder, "*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!);

    private static LabGuide Guide(string name) => LabGuide.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.LabsFolder, name + ".md")));

    [Theory]
    [MemberData(nameof(SeedTemplates))]
    public void Every_seed_template_has_instructions_the_chinese_original_and_expected_results(string name)
    {
        var guide = Guide(name);

        Assert.NotEmpty(guide.Title);
        Assert.NotEmpty(guide.Instructions);
        Assert.Contains(guide.Original, c => c is >= '\u4e00' and <= '\u9fff');
        Assert.NotEmpty(guide.Expected);
    }

    [Theory]
    [MemberData(nameof(Guides))]
    public void Every_guides_expected_results_are_exactly_the_predictors(string name)
    {
        var guide = Guide(name);
        var predictions = ConnectivityPredictor.Predict(ExampleLabs.Load(name));

        Assert.Equal(
            predictions.Select(p => (p.From, p.Address, p.Reachable, p.Rule.Id)),
            guide.Expected.Select(e => (e.From, e.Address, e.Reachable, e.RuleId)));
        Assert.All(guide.Expected, e => Assert.NotEmpty(e.Why));
    }

    [Fact]
    public void The_seeds_own_address_and_vepa_outcomes_are_stated_as_the_seed_reports_them()
    {
        Assert.Contains(Guide("macvlan-bridge").Expected, e => e is { From: "ns2", Address: "100.0.0.2", Reachable: false, RuleId: "own-address-lo-down" });
        Assert.Contains(Guide("macvlan-bridge").Expected, e => e is { From: "ns2", Address: "100.0.0.3", Reachable: true });
        Assert.Contains(Guide("macvlan-vepa").Expected, e => e is { From: "ns2", Address: "100.0.0.3", Reachable: false });
        Assert.Contains(Guide("macvlan-vepa-hairpin").Expected, e => e is { From: "ns2", Address: "100.0.0.3", Reachable: true });
        Assert.Contains(Guide("macvlan-private").Expected, e => e is { From: "ns2", Address: "100.0.0.3", Reachable: false });
        Assert.Contains(Guide("vlan-888").Expected, e => e is { From: "ns1", Address: "88.8.8.88", Reachable: true });
    }

    [Fact]
    public void Only_the_vlan_template_requires_a_kind_the_host_kernel_may_lack()
    {
        Assert.Equal([LinkKind.Vlan], Guide("vlan-888").Requires);
        Assert.Empty(Guide("macvlan-bridge").Requires);
        Assert.Contains("Apply dialog lists the vlan interfaces as unsupported", Guide("vlan-888").Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public void The_passthru_guides_refused_second_child_is_refused_by_the_validator()
    {
        Assert.Contains("invalid/macvlan-passthru-two-children.yaml", Guide("macvlan-passthru").ExpectedNotes, StringComparison.Ordinal);

        var result = LabFormat.LoadAndValidate(RepositoryFiles.Lab("invalid/macvlan-passthru-two-children.yaml"), LabFileFormat.Yaml);

        Assert.Contains(result.Problems, p => p.Path == "namespaces.ns3.interfaces.macvlan3.parent");
    }

    [Fact]
    public void A_row_that_is_not_five_cells_or_an_unknown_kind_is_refused_with_what_is_wrong()
    {
        var badRow = Assert.Throws<FormatException>(() => LabGuide.Parse("# t\n## Expected results\n| from | to | outcome | rule | why |\n|---|---|---|---|---|\n| ns2 | 1.2.3.4 | maybe | x | y |\n"));
        var badKind = Assert.Throws<FormatException>(() => LabGuide.Parse("# t\nRequires: vlan, wormhole\n"));

        Assert.Contains("reachable or fails", badRow.Message, StringComparison.Ordinal);
        Assert.Contains("'wormhole'", badKind.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sections_are_found_by_their_headings()
    {
        var guide = LabGuide.Parse("# Title\nRequires: macvtap\n\n## Instructions\nDo it.\n\n## 原文\n中文\n\n## Expected results\n| from | to | outcome | rule | why |\n|---|---|---|---|---|\n| a | 10.0.0.1 | reachable | `connected` | joined |\n\nA note.\n");

        Assert.Equal("Title", guide.Title);
        Assert.Equal("Do it.", guide.Instructions);
        Assert.Equal("中文", guide.Original);
        Assert.Equal([LinkKind.Macvtap], guide.Requires);
        Assert.Equal(new ExpectedPing("a", "10.0.0.1", true, "connected", "joined"), Assert.Single(guide.Expected));
        Assert.Equal("A note.", guide.ExpectedNotes);
    }
}
