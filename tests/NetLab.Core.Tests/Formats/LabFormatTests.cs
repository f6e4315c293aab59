using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Formats;

public sealed class LabFormatTests
{
    /// <summary>One of every kind and setting, so a round trip has something to lose.</summary>
    private static readonly Lab EveryKind = new()
    {
        Name = "every-kind",
        Description = "all: kinds",
        Switches = [new Switch { Name = "sw1", Ports = [new SwitchPort { Name = "p1", Hairpin = true }] }],
        Hosts =
        [
            new Host
            {
                Name = "h1",
                LoopbackUp = true,
                Nics = [new HostNic { Name = "eth0", Switch = "sw1", Port = "p1", Mac = "02:00:00:00:00:01", Mtu = 9000, Addresses = ["10.0.0.1/24", "2001:db8::1/64"], Up = false }],
                Interfaces = [new VlanInterface { Name = "eth0.888", ParentName = "eth0", Id = 888, Protocol = VlanProtocol.Dot1AD }],
            },
        ],
        Namespaces =
        [
            new LabNamespace
            {
                Name = "ns2",
                Interfaces =
                [
                    new MacvlanInterface { Name = "mv", ParentName = "h1/eth0", Mode = MacvlanMode.Source, SourceMacs = ["02:00:00:00:00:09"] },
                    new MacvtapInterface { Name = "mvt", ParentName = "h1/eth0.888", Mode = MacvlanMode.Passthru, NoPromisc = true },
                    new VethInterface { Name = "va", Peer = "vb", Master = "br" },
                    new VethInterface { Name = "vb", Peer = "va" },
                    new BridgeInterface { Name = "br", Addresses = ["192.168.0.1/24"] },
                    new DummyInterface { Name = "true", Mtu = 1400 },
                    new VxlanInterface { Name = "vx", Vni = 42, Underlay = "vb", Group = "239.1.1.1", Local = "10.9.9.9", Port = 8472 },
                ],
            },
        ],
    };

    [Fact]
    public void A_lab_with_every_kind_round_trips_through_yaml() =>
        Assert.Equal(EveryKind, LabFormat.LoadYaml(LabFormat.ToYaml(EveryKind)).Lab);

    [Fact]
    public void A_lab_with_every_kind_round_trips_through_json() =>
        Assert.Equal(EveryKind, LabFormat.LoadJson(LabFormat.ToJson(EveryKind)).Lab);

    [Fact]
    public void Saving_a_loaded_lab_gives_the_same_text_again()
    {
        var yaml = LabFormat.ToYaml(EveryKind);

        Assert.Equal(yaml, LabFormat.ToYaml(LabFormat.LoadYaml(yaml).Lab!));
    }

    [Fact]
    public void The_briefs_example_reads_as_written()
    {
        var lab = LabFormat.LoadYaml("""
            name: macvlan-bridge
            switches:
              sw1: { ports: { p1: { hairpin: false } } }
            hosts:
              h1: { nics: { eth0: { switch: sw1, port: p1 } } }
            namespaces:
              ns2:
                loopback: down
                interfaces:
                  macvlan2: { kind: macvlan, mode: bridge, parent: h1/eth0, addresses: [100.0.0.2/24], up: true }
            """).Lab!;

        Assert.True(LabValidator.IsValid(lab));
        Assert.Equal("h1/eth0", Assert.IsType<MacvlanInterface>(lab.Namespaces[0].Interfaces[0]).ParentName);
    }

    [Fact]
    public void An_unknown_key_is_reported_with_its_line_column_and_the_allowed_keys()
    {
        var result = LabFormat.LoadYaml("""
            name: x
            namespaces:
              ns2:
                interfaces:
                  macvlan2: { kind: macvlan, mdoe: bridge, parent: h1/eth0 }
            """);

        var problem = Assert.Single(result.Problems);
        Assert.Null(result.Lab);
        Assert.Equal("namespaces.ns2.interfaces.macvlan2.mdoe", problem.Path);
        Assert.Equal(new SourceLocation(5, 34), problem.Location);
        Assert.Contains("Did you mean 'mode'?", problem.Hint, StringComparison.Ordinal);
        Assert.Contains("parent, mode, nopromisc, sourceMacs", problem.Hint, StringComparison.Ordinal);
        Assert.StartsWith("namespaces.ns2.interfaces.macvlan2.mdoe (line 5, column 34): unknown key 'mdoe' in a macvlan interface", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_syntax_error_is_reported_with_its_line()
    {
        var problem = Assert.Single(LabFormat.LoadYaml("name: x\nnamespaces:\n  ns2: { interfaces: [ }\n").Problems);

        Assert.Contains("not valid YAML", problem.Message, StringComparison.Ordinal);
        Assert.Equal(3, problem.Location?.Line);
    }

    [Fact]
    public void An_unknown_kind_lists_the_kinds()
    {
        var problem = Assert.Single(LabFormat.LoadYaml("name: x\nnamespaces:\n  ns2:\n    interfaces:\n      a: { kind: macvlna }\n").Problems);

        Assert.Equal("namespaces.ns2.interfaces.a.kind", problem.Path);
        Assert.Contains("veth, macvlan, macvtap, vlan, bridge, vxlan, dummy", problem.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_mode_lists_the_modes() =>
        Assert.Contains("private, vepa, bridge, passthru, source",
            Assert.Single(LabFormat.LoadYaml("name: x\nnamespaces:\n  ns2:\n    interfaces:\n      a: { kind: macvlan, parent: b, mode: brdge }\n").Problems).Hint, StringComparison.Ordinal);

    [Fact]
    public void A_missing_required_field_is_reported() =>
        Assert.Equal("namespaces.ns2.interfaces.a.parent",
            Assert.Single(LabFormat.LoadYaml("name: x\nnamespaces:\n  ns2:\n    interfaces:\n      a: { kind: vlan, id: 3 }\n").Problems).Path);

    [Fact]
    public void Every_format_problem_is_reported_at_once()
    {
        var result = LabFormat.LoadYaml("""
            name: x
            colour: blue
            namespaces:
              ns2:
                loopback: sideways
                interfaces:
                  a: { kind: vlan, parent: b, id: many }
                  b: { kind: dummy, up: maybe, addresses: { x: 1 } }
            """);

        Assert.Equal(
            ["colour", "namespaces.ns2.interfaces.a.id", "namespaces.ns2.interfaces.b.addresses", "namespaces.ns2.interfaces.b.up", "namespaces.ns2.loopback"],
            result.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.All(result.Problems, p => Assert.NotNull(p.Location));
    }

    [Fact]
    public void A_key_given_twice_is_reported() =>
        Assert.Contains("given twice", Assert.Single(LabFormat.LoadYaml("name: x\nname: y\n").Problems).Message, StringComparison.Ordinal);

    [Fact]
    public void Json_problems_carry_lines_too()
    {
        var result = LabFormat.LoadJson("{\n  \"name\": \"x\",\n  \"hosts\": { \"h1\": { \"nics\": { \"eth0\": { \"swich\": \"sw1\" } } } }\n}\n");

        var unknown = Assert.Single(result.Problems, p => p.Path == "hosts.h1.nics.eth0.swich");
        Assert.Equal(3, unknown.Location?.Line);
    }

    [Fact]
    public void A_json_syntax_error_is_reported() =>
        Assert.Contains("not valid JSON", Assert.Single(LabFormat.LoadJson("{ \"name\": ").Problems).Message, StringComparison.Ordinal);

    [Fact]
    public void Validation_problems_of_a_file_point_at_its_lines()
    {
        var result = LabFormat.LoadAndValidate("name: x\nnamespaces:\n  ns2:\n    interfaces:\n      v: { kind: vlan, parent: eth9, id: 5 }\n", LabFileFormat.Yaml);

        var problem = Assert.Single(result.Problems);
        Assert.Null(result.Lab);
        Assert.Equal("namespaces.ns2.interfaces.v.parent", problem.Path);
        Assert.Equal(5, problem.Location?.Line);
    }

    [Fact]
    public void Macs_are_written_quoted_so_that_no_yaml_reader_takes_them_for_numbers() =>
        Assert.Contains("mac: \"02:00:00:00:00:01\"", LabFormat.ToYaml(EveryKind), StringComparison.Ordinal);

    [Fact]
    public void An_empty_file_is_reported() =>
        Assert.Contains("empty", Assert.Single(LabFormat.LoadYaml("").Problems).Message, StringComparison.Ordinal);
}
