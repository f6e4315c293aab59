using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Planning;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Validation;

public sealed class LabValidatorTests
{
    /// <summary>The seed's macvlan bridge lab; each test changes one thing in it.</summary>
    private const string Seed = """
        name: seed
        switches:
          sw1: { ports: { p1: { hairpin: false } } }
        hosts:
          h1: { nics: { eth0: { switch: sw1, port: p1 } } }
        namespaces:
          ns2:
            interfaces:
              macvlan2: { kind: macvlan, mode: bridge, parent: h1/eth0, addresses: [100.0.0.2/24] }
          ns3:
            interfaces:
              macvlan3: { kind: macvlan, mode: bridge, parent: h1/eth0, addresses: [100.0.0.3/24] }
        """;

    private static IReadOnlyList<Problem> Problems(string yaml)
    {
        var loaded = LabFormat.LoadYaml(yaml);
        Assert.True(loaded.Lab is not null, string.Join(Environment.NewLine, loaded.Problems));
        return LabValidator.Validate(loaded.Lab);
    }

    private static Problem Single(string yaml)
    {
        var problems = Problems(yaml);
        Assert.True(problems.Count == 1, string.Join(Environment.NewLine, problems));
        return problems[0];
    }

    private static string WithNs3(string interfaces) => Seed[..Seed.IndexOf("  ns3:", StringComparison.Ordinal)] + "  ns3:\n    interfaces:\n" + interfaces;

    [Fact]
    public void The_seed_lab_has_no_problem() => Assert.Empty(Problems(Seed));

    [Fact]
    public void A_missing_parent_is_reported_with_its_path_and_what_exists()
    {
        var problem = Single(Seed.Replace("parent: h1/eth0, addresses: [100.0.0.2/24]", "parent: h1/eth9, addresses: [100.0.0.2/24]", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns2.interfaces.macvlan2.parent: 'h1/eth9' does not exist; h1 has: eth0. Use one of those, or define eth9 in hosts.h1", problem.ToString());
    }

    [Fact]
    public void A_parent_in_an_unknown_namespace_lists_the_namespaces() =>
        Assert.Contains("there are: h1, ns2, ns3", Single(Seed.Replace("parent: h1/eth0, addresses: [100.0.0.3/24]", "parent: h9/eth0, addresses: [100.0.0.3/24]", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_switch_port_cannot_be_a_parent()
    {
        var problem = Single(Seed.Replace("parent: h1/eth0, addresses: [100.0.0.3/24]", "parent: sw1/p1, addresses: [100.0.0.3/24]", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.parent", problem.Path);
        Assert.Contains("switch", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_cannot_be_a_parent() =>
        Assert.Contains("loopback", Single(WithNs3("      v: { kind: vlan, parent: lo, id: 5 }\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_bridge_port_cannot_carry_macvlan_children()
    {
        var problem = Single(WithNs3("      br0: { kind: bridge }\n      d0: { kind: veth, peer: ns3/d1, master: br0 }\n      d1: { kind: veth, peer: ns3/d0 }\n      mv: { kind: macvlan, parent: d0, mode: bridge }\n"));

        Assert.Equal("namespaces.ns3.interfaces.mv.parent", problem.Path);
        Assert.Contains("port of bridge br0", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Passthru_with_one_child_is_valid() =>
        Assert.Empty(Problems(WithNs3("").Replace("mode: bridge", "mode: passthru, nopromisc: true", StringComparison.Ordinal)));

    [Fact]
    public void A_second_child_beside_a_passthru_child_is_reported()
    {
        var problem = Single(Seed.Replace("macvlan2: { kind: macvlan, mode: bridge", "macvlan2: { kind: macvlan, mode: passthru", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.parent", problem.Path);
        Assert.Contains("passthru allows exactly one child", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_child_of_a_child_counts_as_a_child_of_the_real_lower_device_for_passthru() =>
        Assert.Single(Problems(Seed
            .Replace("macvlan2: { kind: macvlan, mode: bridge", "macvlan2: { kind: macvlan, mode: passthru", StringComparison.Ordinal)
            .Replace("parent: h1/eth0, addresses: [100.0.0.3/24]", "parent: ns2/macvlan2, addresses: [100.0.0.3/24]", StringComparison.Ordinal)));

    [Fact]
    public void Nopromisc_outside_passthru_is_reported() =>
        Assert.Equal("namespaces.ns3.interfaces.macvlan3.nopromisc",
            Single(Seed.Replace("mode: bridge, parent: h1/eth0, addresses: [100.0.0.3/24]", "mode: bridge, nopromisc: true, parent: h1/eth0, addresses: [100.0.0.3/24]", StringComparison.Ordinal)).Path);

    [Fact]
    public void Source_macs_outside_source_mode_are_reported() =>
        Assert.Equal("namespaces.ns3.interfaces.macvlan3.sourceMacs",
            Single(Seed.Replace("addresses: [100.0.0.3/24]", "addresses: [100.0.0.3/24], sourceMacs: ['02:00:00:00:00:09']", StringComparison.Ordinal)).Path);

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(-1)]
    public void A_vlan_id_outside_1_to_4094_is_reported(int id)
    {
        var problem = Single(WithNs3($"      v: {{ kind: vlan, parent: h1/eth0, id: {id} }}\n"));

        Assert.Equal("namespaces.ns3.interfaces.v.id", problem.Path);
        Assert.Contains("1..4094", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4094)]
    public void Vlan_ids_at_the_ends_of_the_range_are_valid(int id) =>
        Assert.Empty(Problems(WithNs3($"      v: {{ kind: vlan, parent: h1/eth0, id: {id}, protocol: 802.1ad }}\n")));

    [Theory]
    [InlineData("a-very-long-name0", "17 bytes")]
    [InlineData("has space", "whitespace")]
    [InlineData("a:b", "':'")]
    public void Bad_interface_names_are_reported(string name, string expected) =>
        Assert.Contains(expected, Single(WithNs3($"      \"{name}\": {{ kind: dummy }}\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void Lo_is_reserved() =>
        Assert.Contains("loopback", Single(WithNs3("      lo: { kind: dummy }\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void Interface_names_must_be_unique_in_a_namespace()
    {
        var lab = LabFormat.LoadYaml(Seed).Lab! with { };
        var ns2 = lab.Namespaces[0];
        lab = lab with { Namespaces = [ns2 with { Interfaces = [.. ns2.Interfaces, new DummyInterface { Name = "macvlan2" }] }, lab.Namespaces[1]] };

        var problem = Assert.Single(LabValidator.Validate(lab));

        Assert.Contains("already has an interface named 'macvlan2'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosts_namespaces_and_switches_share_one_set_of_names() =>
        Assert.Contains("already used by hosts.h1", Problems(Seed.Replace("  ns3:", "  h1:", StringComparison.Ordinal)
            .Replace("parent: h1/eth0, addresses: [100.0.0.3/24]", "parent: eth0, addresses: [100.0.0.3/24]", StringComparison.Ordinal))[0].Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("bad lab")]
    [InlineData("-starts-with-dash")]
    [InlineData("dots.are.separators")]
    public void Bad_lab_names_are_reported(string name) =>
        Assert.Equal("name", Single(Seed.Replace("name: seed", $"name: {name}", StringComparison.Ordinal)).Path);

    [Theory]
    [InlineData("02:00:00:00:00", "not a MAC address")]
    [InlineData("zz:00:00:00:00:01", "not a MAC address")]
    [InlineData("01:00:5e:00:00:01", "multicast")]
    [InlineData("00:00:00:00:00:00", "all zeros")]
    public void Bad_macs_are_reported(string mac, string expected)
    {
        var problem = Single(Seed.Replace("addresses: [100.0.0.3/24]", $"addresses: [100.0.0.3/24], mac: '{mac}'", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.mac", problem.Path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_macs_are_reported() =>
        Assert.Contains("also the MAC of", Single(Seed
            .Replace("addresses: [100.0.0.2/24]", "addresses: [100.0.0.2/24], mac: '02:00:00:00:00:01'", StringComparison.Ordinal)
            .Replace("addresses: [100.0.0.3/24]", "addresses: [100.0.0.3/24], mac: '02:00:00:00:00:01'", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("100.0.0.3", "no prefix length")]
    [InlineData("100.0.0.300/24", "not an IPv4 or IPv6 address")]
    [InlineData("100.0.0.3/33", "prefix length")]
    [InlineData("2001:db8::1/129", "prefix length")]
    [InlineData("224.0.0.1/24", "multicast")]
    [InlineData("0.0.0.0/0", "unspecified")]
    public void Bad_addresses_are_reported(string address, string expected)
    {
        var problem = Single(Seed.Replace("[100.0.0.3/24]", $"['{address}']", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.addresses[0]", problem.Path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_address_on_two_interfaces_is_reported() =>
        Assert.Contains("also an address of namespaces.ns2.interfaces.macvlan2",
            Single(Seed.Replace("[100.0.0.3/24]", "[100.0.0.2/24]", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void The_same_address_twice_on_one_interface_is_reported() =>
        Assert.Contains("listed twice", Single(Seed.Replace("[100.0.0.3/24]", "[100.0.0.3/24, 100.0.0.3/24]", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void Overlapping_subnets_on_two_interfaces_of_one_namespace_are_reported()
    {
        var problem = Single(WithNs3("      a: { kind: dummy, addresses: [10.1.0.1/16] }\n      b: { kind: dummy, addresses: [10.1.2.1/24] }\n"));

        Assert.Contains("overlaps 10.1.0.1/16", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_subnet_in_two_namespaces_is_fine() => Assert.Empty(Problems(Seed));

    [Theory]
    [InlineData("id: 16777216", "id", "outside 0..16777215")]
    [InlineData("id: -1", "id", "outside 0..16777215")]
    [InlineData("id: 1, remote: 239.1.1.1", "remote", "multicast")]
    [InlineData("id: 1, group: 10.0.0.1, parent: h1/eth0", "group", "not a multicast")]
    [InlineData("id: 1, group: 239.1.1.1", "group", "underlay")]
    [InlineData("id: 1, remote: 10.0.0.300", "remote", "not an IP address")]
    [InlineData("id: 1, remote: 10.0.0.2, port: 0", "port", "not a UDP port")]
    public void Bad_vxlan_settings_are_reported(string settings, string field, string expected)
    {
        var problem = Single(WithNs3($"      vx: {{ kind: vxlan, {settings} }}\n"));

        Assert.Equal($"namespaces.ns3.interfaces.vx.{field}", problem.Path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vxlan_ids_at_the_ends_of_the_range_are_valid() =>
        Assert.Empty(Problems(WithNs3("      a: { kind: vxlan, id: 0, remote: 10.0.0.2 }\n      b: { kind: vxlan, id: 16777215, group: 239.1.1.1, parent: h1/eth0 }\n")));

    [Fact]
    public void Parents_that_form_a_cycle_are_reported_once()
    {
        var problems = Problems(WithNs3("      a: { kind: vlan, parent: b, id: 1 }\n      b: { kind: vlan, parent: a, id: 2 }\n"));

        var problem = Assert.Single(problems);
        Assert.Contains("circle", problem.Message, StringComparison.Ordinal);
        Assert.Contains("->", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interface_that_is_its_own_parent_is_a_cycle() =>
        Assert.Contains("circle", Single(WithNs3("      a: { kind: vlan, parent: a, id: 1 }\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void Veth_ends_must_name_each_other()
    {
        var problems = Problems(WithNs3("      a: { kind: veth, peer: b }\n      b: { kind: veth, peer: c }\n      c: { kind: veth, peer: b }\n"));

        Assert.Contains(problems, p => p.Path == "namespaces.ns3.interfaces.a.peer" && p.Message.Contains("names ns3/c as its peer", StringComparison.Ordinal));
    }

    [Fact]
    public void A_veth_peer_must_be_a_veth() =>
        Assert.Contains("is not a veth", Single(WithNs3("      a: { kind: veth, peer: d }\n      d: { kind: dummy }\n")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("master: nobr", "does not exist")]
    [InlineData("master: d", "is not a bridge")]
    [InlineData("master: h1/br0", "another namespace")]
    public void Bad_masters_are_reported(string master, string expected) =>
        Assert.Contains(expected, Single(WithNs3($"      br: {{ kind: bridge }}\n      d: {{ kind: dummy }}\n      x: {{ kind: dummy, {master} }}\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_bridge_cannot_be_a_bridge_port() =>
        Assert.Contains("ELOOP", Single(WithNs3("      br: { kind: bridge }\n      br2: { kind: bridge, master: br }\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_nic_on_a_missing_switch_is_reported() =>
        Assert.Contains("switch 'sw9' does not exist; switches: sw1", Problems(Seed.Replace("switch: sw1", "switch: sw9", StringComparison.Ordinal))[0].Message, StringComparison.Ordinal);

    [Fact]
    public void A_nic_on_a_missing_port_is_reported() =>
        Assert.Contains("has no port 'p9'; its ports: p1", Problems(Seed.Replace("port: p1", "port: p9", StringComparison.Ordinal))[0].Message, StringComparison.Ordinal);

    [Fact]
    public void Two_nics_on_one_port_are_reported() =>
        Assert.Contains("already has hosts.h1.nics.eth0 plugged in",
            Single(Seed.Replace("eth0: { switch: sw1, port: p1 }", "eth0: { switch: sw1, port: p1 }, eth1: { switch: sw1, port: p1 }", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_port_without_a_nic_is_reported() =>
        Assert.Equal("switches.sw1.ports.p2", Single(Seed.Replace("p1: { hairpin: false }", "p1: { hairpin: false }, p2: {}", StringComparison.Ordinal)).Path);

    [Theory]
    [InlineData(67)]
    [InlineData(65536)]
    public void An_mtu_out_of_range_is_reported(int mtu) =>
        Assert.Equal("hosts.h1.nics.eth0.mtu", Single(Seed.Replace("port: p1 }", $"port: p1, mtu: {mtu} }}", StringComparison.Ordinal)).Path);

    [Fact]
    public void A_child_mtu_above_its_parent_is_reported() =>
        Assert.Contains("larger than the mtu of its parent", Single(Seed.Replace("[100.0.0.3/24]", "[100.0.0.3/24], mtu: 9000", StringComparison.Ordinal)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_child_made_beside_its_parent_may_not_take_a_name_used_there()
    {
        var problem = Single(Seed.Replace("macvlan3:", "eth0:", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.eth0", problem.Path);
        Assert.Contains("h1 already has an interface named eth0", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Problems(Seed
            .Replace("h1/eth0, addresses: [100.0.0.2/24]", "h1/eth9, addresses: [100.0.0.2/24]", StringComparison.Ordinal)
            .Replace("[100.0.0.3/24]", "[100.0.0.3]", StringComparison.Ordinal)
            .Replace("name: seed", "name: 'bad name'", StringComparison.Ordinal));

        Assert.Equal(["name", "namespaces.ns2.interfaces.macvlan2.parent", "namespaces.ns3.interfaces.macvlan3.addresses[0]"], problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Hint)));
    }

    /// <summary>The seed with its lab name and ns2 renamed, so the kernel namespace nl-LAB.NS has a chosen length.</summary>
    private static string SeedNamed(string lab, string ns2) => Seed
        .Replace("name: seed", $"name: {lab}", StringComparison.Ordinal)
        .Replace("  ns2:", $"  {ns2}:", StringComparison.Ordinal);

    [Fact]
    public void A_kernel_namespace_name_longer_than_netlab_allows_is_refused_with_its_length()
    {
        // Each name is at LabName's limit of 32, but 'nl-' + 32 + '.' + 32 makes 68 bytes: the netlink layer refuses it at apply.
        var lab = new string('l', LabName.MaxLength);
        var ns = new string('n', LabName.MaxLength);

        var problem = Single(SeedNamed(lab, ns));

        Assert.Equal($"namespaces.{ns}", problem.Path);
        Assert.Equal($"its kernel namespace name 'nl-{lab}.{ns}' ('nl-' + lab name + '.' + this name) is 68 bytes long; NetLab allows at most 64", problem.Message);
        Assert.Equal("Shorten the lab name (32 bytes) or this name (32 bytes) by 4 bytes in all", problem.Hint);
    }

    [Fact]
    public void A_kernel_namespace_name_of_exactly_the_limit_is_planned()
    {
        var lab = LabFormat.LoadAndValidate(SeedNamed(new string('l', 32), new string('n', 28)), LabFileFormat.Yaml);
        Assert.True(lab.Succeeded, string.Join(Environment.NewLine, lab.Problems));

        var longest = Planner.Plan(ObservedState.Empty, lab.Lab!).Operations.OfType<CreateNamespace>().Max(c => c.Name.Length);

        Assert.Equal(NamingScheme.MaxNamespaceBytes, longest);
    }

    [Fact]
    public void The_agents_own_prefix_counts_towards_the_limit()
    {
        var loaded = LabFormat.LoadYaml(SeedNamed(new string('l', 32), new string('n', 28)));
        var naming = new NamingScheme("nl-alice-");

        var problem = Assert.Single(LabValidator.Validate(loaded.Lab!, naming));
        var refused = Assert.Throws<InvalidLabException>(() => Planner.Plan(ObservedState.Empty, loaded.Lab!, naming));

        Assert.Contains("is 70 bytes long; NetLab allows at most 64", problem.Message, StringComparison.Ordinal);
        Assert.Equal(problem, Assert.Single(refused.Problems));
    }

    [Theory]
    [InlineData("$(reboot)", "'$'")]
    [InlineData("a`id`", "'`'")]
    [InlineData("a;b", "';'")]
    [InlineData("-x", "starts with '-'")]
    [InlineData("é", "'é'")]
    public void An_interface_name_a_shell_would_not_take_as_it_is_is_refused(string name, string expected)
    {
        var problem = Single(Seed.Replace("macvlan2:", $"'{name}':", StringComparison.Ordinal));

        Assert.Equal($"namespaces.ns2.interfaces.{name}", problem.Path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.Contains("Use ASCII letters, digits, '-', '_' or '.'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_address_on_an_mtu_below_1280_is_refused_because_the_kernel_refuses_it()
    {
        // Checked on a kernel: `ip link set a0 mtu 1000; ip addr add fd00::1/64 dev a0` answers EINVAL.
        var problem = Single(Seed.Replace("[100.0.0.3/24]", "[100.0.0.3/24, 'fd00::3/64'], mtu: 1000", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.addresses[1]", problem.Path);
        Assert.Contains("mtu 1000 is below 1280", problem.Message, StringComparison.Ordinal);
        Assert.Empty(Problems(Seed.Replace("[100.0.0.3/24]", "[100.0.0.3/24, 'fd00::3/64'], mtu: 1280", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_ipv6_address_on_a_child_that_takes_a_small_mtu_from_its_parent_is_refused()
    {
        // Checked on a kernel: a macvlan made on a parent of mtu 1000 gets mtu 1000, and an IPv6 address on it EINVAL.
        var problem = Single(Seed
            .Replace("port: p1 }", "port: p1, mtu: 1000 }", StringComparison.Ordinal)
            .Replace("[100.0.0.3/24]", "[100.0.0.3/24, 'fd00::3/64']", StringComparison.Ordinal));

        Assert.Equal("namespaces.ns3.interfaces.macvlan3.addresses[1]", problem.Path);
        Assert.Contains("mtu (1000, taken from its parent) is below 1280", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.2", 1250, null)]
    [InlineData("10.0.0.2", 1251, "at most 1250")]
    [InlineData("fd00::2", 1230, null)]
    [InlineData("fd00::2", 1231, "less 70 bytes of headers: at most 1230")]
    public void A_vxlan_mtu_must_leave_room_for_its_headers_on_the_underlay(string remote, int mtu, string? expected)
    {
        // Checked on a kernel: over an underlay of mtu 1300 a vxlan gets 1250 (IPv4) or 1230 (IPv6), and more is EINVAL.
        var lab = WithNs3($"      under: {{ kind: veth, peer: ns2/under2, mtu: 1300 }}\n      vx: {{ kind: vxlan, id: 5, remote: '{remote}', parent: under, mtu: {mtu} }}\n")
            .Replace("      macvlan2:", "      under2: { kind: veth, peer: ns3/under, mtu: 1300 }\n      macvlan2:", StringComparison.Ordinal);

        var problems = Problems(lab);

        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            var problem = Assert.Single(problems);
            Assert.Equal("namespaces.ns3.interfaces.vx.mtu", problem.Path);
            Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(256, null)]
    [InlineData(257, "namespaces.ns256: the lab has 257 switches, hosts and namespaces together; a lab may have at most 256, since each becomes a kernel network namespace. Split the lab into smaller labs, or remove 1 of them from here on")]
    public void A_lab_has_at_most_256_switches_hosts_and_namespaces_reported_at_the_first_beyond(int count, string? expected)
    {
        var lab = new Lab { Name = "big", Namespaces = Enumerable.Range(0, count).Select(i => new LabNamespace { Name = $"ns{i}" }).ToValueList() };

        AssertSizeProblem(lab, expected);
    }

    [Fact]
    public void Switches_and_hosts_count_as_namespaces_too()
    {
        var lab = new Lab
        {
            Name = "big",
            Switches = [new Switch { Name = "sw1", Ports = [new SwitchPort { Name = "p1" }] }],
            Hosts = [new Host { Name = "h1", Nics = [new HostNic { Name = "eth0", Switch = "sw1", Port = "p1" }] }],
            Namespaces = Enumerable.Range(0, 255).Select(i => new LabNamespace { Name = $"ns{i}" }).ToValueList(),
        };

        AssertSizeProblem(lab, "namespaces.ns254: the lab has 257 switches, hosts and namespaces together; a lab may have at most 256, since each becomes a kernel network namespace. Split the lab into smaller labs, or remove 1 of them from here on");
    }

    [Theory]
    [InlineData(1022, null)]
    [InlineData(1023, "namespaces.ns1.interfaces.d1022: the lab has 1025 interfaces (switch ports, host NICs and interfaces together); a lab may have at most 1024. Split the lab into smaller labs, or remove 1 of them from here on")]
    public void A_lab_has_at_most_1024_interfaces_counting_switch_ports_and_host_nics(int dummies, string? expected)
    {
        // One port and its NIC, then the dummies: two in h1, the rest in ns1.
        var lab = new Lab
        {
            Name = "big",
            Switches = [new Switch { Name = "sw1", Ports = [new SwitchPort { Name = "p1" }] }],
            Hosts = [new Host { Name = "h1", Nics = [new HostNic { Name = "eth0", Switch = "sw1", Port = "p1" }], Interfaces = [Dummy("d0"), Dummy("d1")] }],
            Namespaces = [new LabNamespace { Name = "ns1", Interfaces = Enumerable.Range(2, dummies - 2).Select(i => Dummy($"d{i}")).ToValueList() }],
        };

        AssertSizeProblem(lab, expected);
    }

    [Theory]
    [InlineData(4096, null)]
    [InlineData(4097, "namespaces.ns1.interfaces.d0.addresses[4094]: the lab has 4097 addresses; a lab may have at most 4096, since the connectivity check pings every one from every host and namespace. Split the lab into smaller labs, or remove 1 of them from here on")]
    public void A_lab_has_at_most_4096_addresses_reported_at_the_first_beyond(int count, string? expected)
    {
        // Host NICs' addresses count too: 1 or 2 on h1's eth0, then 4095 on ns1's d0, whose last is the 4097th.
        var all = Enumerable.Range(0, count).Select(i => $"10.{1 + (i / 62500)}.{i / 250 % 250}.{1 + (i % 250)}/32").ToList();
        var lab = new Lab
        {
            Name = "big",
            Switches = [new Switch { Name = "sw1", Ports = [new SwitchPort { Name = "p1" }] }],
            Hosts = [new Host { Name = "h1", Nics = [new HostNic { Name = "eth0", Switch = "sw1", Port = "p1", Addresses = [.. all.Take(count - 4095)] }] }],
            Namespaces = [new LabNamespace { Name = "ns1", Interfaces = [Dummy("d0") with { Addresses = [.. all.Skip(count - 4095)] }] }],
        };

        AssertSizeProblem(lab, expected);
    }

    private static InterfaceDefinition Dummy(string name) => new DummyInterface { Name = name };

    private static void AssertSizeProblem(Lab lab, string? expected)
    {
        var problems = LabValidator.Validate(lab);
        if (expected is null)
        {
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(5)));
        }
        else
        {
            Assert.True(problems.Count == 1, string.Join(Environment.NewLine, problems.Take(5)));
            Assert.Equal(expected, problems[0].ToString());
        }
    }
}
