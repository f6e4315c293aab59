using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Grading;

public sealed class ChecksFormatTests
{
    /// <summary>One check of every kind, written by hand as docs/checks.md writes them.</summary>
    private const string EveryKind = """
        lab: vlan-888
        checks:
        - { from: ns2, reaches: 100.0.0.3 }
        - { from: ns2, doesNotReach: 2001:db8::3 }
        - { interface: h1/eth0, exists: true }
        - { interface: ns2/vlan888, up: true }
        - { interface: ns3/eth0, up: false }
        - { interface: ns2/macvlan2, kind: macvlan, mode: vepa }
        - { interface: ns2/vlan888, kind: vlan }
        - { interface: ns2/vlan888, vlan: 888 }
        - { interface: ns2/vlan888, address: 100.0.0.2/24 }

        """;

    private static readonly ChecksDocument EveryKindDocument = new()
    {
        Lab = "vlan-888",
        Checks =
        [
            new ReachabilityCheck("ns2", "100.0.0.3", true),
            new ReachabilityCheck("ns2", "2001:db8::3", false),
            new InterfaceExistsCheck("h1", "eth0"),
            new InterfaceUpCheck("ns2", "vlan888", true),
            new InterfaceUpCheck("ns3", "eth0", false),
            new InterfaceKindCheck("ns2", "macvlan2", LinkKind.Macvlan, MacvlanMode.Vepa),
            new InterfaceKindCheck("ns2", "vlan888", LinkKind.Vlan),
            new InterfaceVlanCheck("ns2", "vlan888", 888),
            new InterfaceAddressCheck("ns2", "vlan888", InterfaceAddress.Parse("100.0.0.2/24")),
        ],
    };

    [Fact]
    public void Every_kind_of_check_is_read_as_written()
    {
        var result = ChecksFormat.LoadYaml(EveryKind);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(EveryKindDocument, result.Document);
    }

    [Fact]
    public void The_yaml_writer_writes_one_check_a_line()
    {
        // YamlDotNet's flow style: no spaces inside the braces, and the IPv6 address quoted (a plain one would read the
        // same, but the emitter plays safe with colons).
        const string written = """
            lab: vlan-888
            checks:
            - {from: ns2, reaches: 100.0.0.3}
            - {from: ns2, doesNotReach: '2001:db8::3'}
            - {interface: h1/eth0, exists: true}
            - {interface: ns2/vlan888, up: true}
            - {interface: ns3/eth0, up: false}
            - {interface: ns2/macvlan2, kind: macvlan, mode: vepa}
            - {interface: ns2/vlan888, kind: vlan}
            - {interface: ns2/vlan888, vlan: 888}
            - {interface: ns2/vlan888, address: 100.0.0.2/24}

            """;

        Assert.Equal(written, ChecksFormat.ToYaml(EveryKindDocument).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(LabFileFormat.Yaml)]
    [InlineData(LabFileFormat.Json)]
    public void A_written_document_reads_back_unchanged(LabFileFormat format)
    {
        var text = ChecksFormat.Save(EveryKindDocument, format);

        var result = ChecksFormat.Load(text, format);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(EveryKindDocument, result.Document);
        Assert.Equal(text, ChecksFormat.Save(result.Document!, format));
    }

    public static TheoryData<string> SeedLabs() => new(RepositoryFiles.ExampleLabs().Select(Path.GetFileNameWithoutExtension)!);

    [Theory]
    [MemberData(nameof(SeedLabs))]
    public void The_generated_checks_of_every_seed_lab_read_back_unchanged_in_both_formats(string lab)
    {
        var document = CheckGenerator.DocumentFor(ExampleLabs.Load(lab));

        Assert.Equal(document, ChecksFormat.LoadYaml(ChecksFormat.ToYaml(document)).Document);
        Assert.Equal(document, ChecksFormat.LoadJson(ChecksFormat.ToJson(document)).Document);
    }

    [Fact]
    public void Json_is_read_with_the_same_keys()
    {
        var result = ChecksFormat.LoadJson("""{ "checks": [ { "from": "ns2", "reaches": "100.0.0.3/24" }, { "interface": "ns2/eth0", "vlan": 888, "up": true, "mode": null } ] }""");

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.Equal(1, p.Location?.Line));
        Assert.Contains("'up' and 'vlan'", result.Problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_without_checks_is_an_empty_list_and_the_lab_name_is_optional()
    {
        var result = ChecksFormat.LoadYaml("checks: []\n");

        Assert.True(result.Succeeded);
        Assert.Equal(new ChecksDocument(), result.Document);
    }

    [Theory]
    [InlineData("checks:\n- { from: ns2, reach: 100.0.0.3 }\n", "checks[0].reach", "unknown key 'reach' in a check")]
    [InlineData("checks:\n- { from: ns2 }\n", "checks[0]", "the check says nothing to check")]
    [InlineData("checks:\n- { from: ns2, reaches: 100.0.0.3, up: true }\n", "checks[0]", "the check has 'reaches' and 'up'; one check checks one thing")]
    [InlineData("checks:\n- { reaches: 100.0.0.3 }\n", "checks[0].from", "'reaches' needs 'from'")]
    [InlineData("checks:\n- { interface: ns2/eth0, from: ns2, up: true }\n", "checks[0].from", "'from' does not go with 'up'")]
    [InlineData("checks:\n- { from: ns2, interface: ns2/eth0, reaches: 100.0.0.3 }\n", "checks[0].interface", "'interface' does not go with 'reaches'")]
    [InlineData("checks:\n- { from: ns2, reaches: 100.0.0.3/24 }\n", "checks[0].reaches", "'100.0.0.3/24' is not an IPv4 or IPv6 address")]
    [InlineData("checks:\n- { from: ns2, reaches: 100.3 }\n", "checks[0].reaches", "'100.3' is written unusually")]
    [InlineData("checks:\n- { from: ns2, reaches: 2001:DB8::3 }\n", "checks[0].reaches", "'2001:DB8::3' is written unusually")]
    [InlineData("checks:\n- { from: \"$(reboot)\", reaches: 100.0.0.3 }\n", "checks[0].from", "the element name '$(reboot)' starts with '$'")]
    [InlineData("checks:\n- { from: ns.2, reaches: 100.0.0.3 }\n", "checks[0].from", "the element name 'ns.2' contains '.'")]
    [InlineData("checks:\n- { interface: eth0, up: true }\n", "checks[0].interface", "'eth0' does not say whose interface it is")]
    [InlineData("checks:\n- { interface: ns2/-x, up: true }\n", "checks[0].interface", "the interface name '-x' starts with '-'")]
    [InlineData("checks:\n- { interface: ns2/a-very-long-name0, up: true }\n", "checks[0].interface", "the interface name 'a-very-long-name0' is 17 bytes long")]
    [InlineData("checks:\n- { interface: ns2/eth0, up: maybe }\n", "checks[0].up", "'maybe' is not true or false")]
    [InlineData("checks:\n- { interface: ns2/eth0, exists: false }\n", "checks[0].exists", "'exists: false' is not a check NetLab grades")]
    [InlineData("checks:\n- { interface: ns2/eth0, kind: tun }\n", "checks[0].kind", "'tun' is not an interface kind NetLab knows")]
    [InlineData("checks:\n- { interface: ns2/eth0, kind: veth, mode: vepa }\n", "checks[0].mode", "a veth has no mode")]
    [InlineData("checks:\n- { interface: ns2/eth0, kind: macvlan, mode: hairpin }\n", "checks[0].mode", "'hairpin' is not a macvlan mode")]
    [InlineData("checks:\n- { interface: ns2/eth0, up: true, mode: vepa }\n", "checks[0].mode", "'mode' goes only with 'kind'")]
    [InlineData("checks:\n- { interface: ns2/eth0, vlan: 4095 }\n", "checks[0].vlan", "'4095' is not a vlan id")]
    [InlineData("checks:\n- { interface: ns2/eth0, address: 100.0.0.2 }\n", "checks[0].address", "'100.0.0.2' has no prefix length")]
    [InlineData("checks:\n- { interface: ns2/eth0, address: [100.0.0.2/24] }\n", "checks[0].address", "'address' must be an address with its prefix length, not a list")]
    [InlineData("checks:\n- [ns2, 100.0.0.3]\n", "checks[0]", "a check must be a mapping of keys to values, not a list")]
    [InlineData("checks: { from: ns2 }\n", "checks", "'checks' must be a list, not a mapping")]
    [InlineData("lab: my.lab\nchecks: []\n", "lab", "the lab name 'my.lab' contains '.'")]
    [InlineData("labs: x\n", "labs", "unknown key 'labs' in a checks file")]
    [InlineData("- { from: ns2, reaches: 100.0.0.3 }\n", "", "a checks file must be a mapping of keys to values, not a list")]
    public void A_bad_check_is_a_problem_at_its_place_that_says_what_is_wrong(string text, string path, string message)
    {
        var result = ChecksFormat.LoadYaml(text);

        Assert.Null(result.Document);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(path, problem.Path);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.NotEmpty(problem.Hint);
        Assert.NotNull(problem.Location);
    }

    [Fact]
    public void Every_bad_check_is_reported_not_only_the_first()
    {
        var result = ChecksFormat.LoadYaml("checks:\n- { from: ns2, reaches: x }\n- { from: ns2, reaches: 100.0.0.3 }\n- { interface: ns2/eth0, vlan: 0 }\n");

        Assert.Equal(["checks[0].reaches", "checks[2].vlan"], result.Problems.Select(p => p.Path));
        Assert.Equal([2, 4], result.Problems.Select(p => p.Location!.Value.Line));
    }
}
