using NetLab.Core.Experiments;
using NetLab.Core.Formats;
using NetLab.Core.Labs;

namespace NetLab.Core.Tests.Experiments;

public sealed class ConnectivityPredictorTests
{
    private static Lab Parse(string yaml)
    {
        var result = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Problems));
        return result.Lab!;
    }

    private static PairPrediction Pair(Lab lab, string from, string address) =>
        ConnectivityPredictor.Predict(lab, from, address) ?? throw new InvalidOperationException($"no prediction for {from} -> {address}");

    /// <summary>Two macvlan children of h1's eth0 in the given modes, the switch port's hairpin and extras as YAML fragments.</summary>
    private static Lab Siblings(string mode2, string mode3, bool hairpin = false, string nicExtra = "", string ns2Extra = "", string ns3Extra = "", string address3 = "100.0.0.3/24", string address2 = "100.0.0.2/24") => Parse($$"""
        name: siblings
        switches:
          sw1:
            ports:
              p1: { hairpin: {{(hairpin ? "true" : "false")}} }
        hosts:
          h1:
            nics:
              eth0: { switch: sw1, port: p1{{nicExtra}} }
        namespaces:
          ns2:
            interfaces:
              macvlan2: { kind: macvlan, parent: h1/eth0, mode: {{mode2}}, addresses: [{{address2}}]{{ns2Extra}} }
          ns3:
            interfaces:
              macvlan3: { kind: macvlan, parent: h1/eth0, mode: {{mode3}}, addresses: [{{address3}}]{{ns3Extra}} }
        """);

    /// <summary>h1 on sw1 port p1 and h2 on the given port, both in 10.0.0.0/24; h3 fills the port h2 does not take.</summary>
    private static Lab TwoHosts(string switch2 = "sw1", string port2 = "p2", string ns2Extra = "", string nic2Extra = "")
    {
        var (switch3, port3) = switch2 == "sw1" ? ("sw2", "p3") : ("sw1", "p2");
        return Parse($$"""
            name: twohosts
            switches:
              sw1:
                ports:
                  p1: {}
                  p2: {}
              sw2:
                ports:
                  p3: {}
            hosts:
              h1:
                nics:
                  eth0: { switch: sw1, port: p1, addresses: [10.0.0.1/24] }
              h2:
                nics:
                  eth0: { switch: {{switch2}}, port: {{port2}}, addresses: [10.0.0.2/24]{{nic2Extra}} }
              h3:
                nics:
                  eth0: { switch: {{switch3}}, port: {{port3}} }
            namespaces:
              ns2:
                interfaces: {{(ns2Extra.Length == 0 ? "{}" : ns2Extra)}}
            """);
    }

    [Fact]
    public void Every_namespace_and_host_is_a_source_for_every_address_its_own_included_and_switches_are_not()
    {
        var predictions = ConnectivityPredictor.Predict(ExampleLabs.Load("macvlan-bridge"));

        Assert.Equal(["h1", "ns2", "ns3"], predictions.Select(p => p.From).Distinct());
        Assert.All(predictions.GroupBy(p => p.From), g => Assert.Equal(["100.0.0.2", "100.0.0.3"], g.Select(p => p.Address)));
        Assert.Equal(("ns3", "macvlan3"), predictions.Where(p => p.Address == "100.0.0.3").Select(p => (p.To, p.ToInterface)).Distinct().Single());
    }

    [Fact]
    public void Own_address_with_lo_down_fails_with_the_seeds_explanation_and_fix()
    {
        var prediction = Pair(ExampleLabs.Load("macvlan-bridge"), "ns2", "100.0.0.2");

        Assert.False(prediction.Reachable);
        Assert.Equal("own-address-lo-down", prediction.Rule.Id);
        Assert.Equal(FailureLayer.Loopback, prediction.Rule.Layer);
        Assert.StartsWith(
            "ns2 cannot reach its own address 100.0.0.2: lo is down in ns2, and a ping to one's own address goes through lo. Fix: set loopback up",
            prediction.FullText, StringComparison.Ordinal);
        Assert.Contains("loopback: up in namespaces.ns2", prediction.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Own_address_with_lo_up_is_reachable_even_when_the_interface_holding_it_is_down()
    {
        var lab = Siblings("bridge", "bridge", ns2Extra: ", up: false");
        lab = lab with { Namespaces = lab.Namespaces.Replace(n => n.Name == "ns2", n => n with { LoopbackUp = true }) };

        var prediction = Pair(lab, "ns2", "100.0.0.2");

        Assert.True(prediction.Reachable);
        Assert.Equal("own-address-lo-up", prediction.Rule.Id);
        Assert.Null(prediction.Fix);
    }

    [Fact]
    public void No_address_in_the_targets_subnet_means_no_route()
    {
        var prediction = Pair(Siblings("bridge", "bridge", address3: "10.0.0.3/24"), "ns2", "10.0.0.3");

        Assert.Equal("no-route", prediction.Rule.Id);
        Assert.Equal(FailureLayer.Route, prediction.Rule.Layer);
        Assert.Contains("none of its addresses (100.0.0.2/24 on macvlan2)", prediction.Explanation, StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/24", prediction.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_addresses_has_no_route()
    {
        var prediction = Pair(ExampleLabs.Load("macvlan-bridge"), "h1", "100.0.0.3");

        Assert.Equal("no-route", prediction.Rule.Id);
        Assert.Contains("h1 has no address at all", prediction.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sources_interface_down_removes_its_route()
    {
        var prediction = Pair(Siblings("bridge", "bridge", ns2Extra: ", up: false"), "ns2", "100.0.0.3");

        Assert.Equal("source-interface-down", prediction.Rule.Id);
        Assert.Contains("namespaces.ns2.interfaces.macvlan2", prediction.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_targets_interface_down_answers_nothing()
    {
        var prediction = Pair(Siblings("bridge", "bridge", ns3Extra: ", up: false"), "ns2", "100.0.0.3");

        Assert.Equal("target-interface-down", prediction.Rule.Id);
        Assert.Equal(FailureLayer.Link, prediction.Rule.Layer);
    }

    [Fact]
    public void A_target_without_a_subnet_holding_the_sources_address_cannot_reply()
    {
        var lab = Siblings("bridge", "bridge", address2: "100.0.0.2/16", address3: "100.0.1.3/24");

        var prediction = Pair(lab, "ns2", "100.0.1.3");

        Assert.Equal("no-return-route", prediction.Rule.Id);
        Assert.Equal(FailureLayer.Network, prediction.Rule.Layer);
        Assert.Equal("no-route", Pair(lab, "ns3", "100.0.0.2").Rule.Id);
    }

    [Fact]
    public void A_parent_down_leaves_its_children_without_carrier()
    {
        var prediction = Pair(Siblings("bridge", "bridge", nicExtra: ", up: false"), "ns2", "100.0.0.3");

        Assert.Equal("parent-down", prediction.Rule.Id);
        Assert.Contains("h1's eth0, the lower device of ns2's macvlan2, is down", prediction.Explanation, StringComparison.Ordinal);
        Assert.Contains("hosts.h1.nics.eth0", prediction.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_veth_whose_other_end_is_down_has_no_carrier()
    {
        var lab = Parse(RuleLabs.Carrier);

        var prediction = Pair(lab, "a", "10.0.0.2");

        Assert.Equal("no-carrier", prediction.Rule.Id);
        Assert.Contains("the other end of its veth, b's vb, is down", prediction.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bridge", "bridge", false, true, "macvlan-bridge")]
    [InlineData("bridge", "bridge", true, true, "macvlan-bridge")]
    [InlineData("private", "private", true, false, "macvlan-private")]
    [InlineData("private", "bridge", false, false, "macvlan-private")]
    [InlineData("vepa", "private", true, false, "macvlan-private")]
    [InlineData("vepa", "vepa", false, false, "macvlan-vepa-no-hairpin")]
    [InlineData("vepa", "bridge", false, false, "macvlan-vepa-no-hairpin")]
    [InlineData("bridge", "vepa", false, false, "macvlan-vepa-no-hairpin")]
    [InlineData("vepa", "vepa", true, true, "macvlan-vepa-hairpin")]
    [InlineData("bridge", "vepa", true, true, "macvlan-vepa-hairpin")]
    public void Sibling_children_follow_their_modes_and_the_switch_ports_hairpin(string mode2, string mode3, bool hairpin, bool reachable, string rule)
    {
        var lab = Siblings(mode2, mode3, hairpin);

        foreach (var (from, to) in new[] { ("ns2", "100.0.0.3"), ("ns3", "100.0.0.2") })
        {
            var prediction = Pair(lab, from, to);
            Assert.Equal(rule, prediction.Rule.Id);
            Assert.Equal(reachable, prediction.Reachable);
        }
    }

    [Fact]
    public void Vepa_without_hairpin_names_the_switch_port_in_its_fix()
    {
        var prediction = Pair(ExampleLabs.Load("macvlan-vepa"), "ns2", "100.0.0.3");

        Assert.Contains("switch sw1 port p1", prediction.Fix, StringComparison.Ordinal);
        Assert.Contains("hairpin: true at switches.sw1.ports.p1", prediction.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_macvtap_children_in_bridge_mode_behave_as_macvlan_ones()
    {
        var prediction = Pair(ExampleLabs.Load("macvtap"), "vm1", "100.0.0.12");

        Assert.Equal("macvlan-bridge", prediction.Rule.Id);
        Assert.Contains("vm1's macvtap1 (bridge)", prediction.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bridge")]
    [InlineData("vepa")]
    [InlineData("private")]
    public void A_child_cannot_reach_its_own_parents_address_without_hairpin(string mode)
    {
        var lab = Siblings(mode, "bridge", nicExtra: ", addresses: [100.0.0.1/24]");

        Assert.Equal("macvlan-parent-no-hairpin", Pair(lab, "ns2", "100.0.0.1").Rule.Id);
        Assert.Equal("macvlan-parent-no-hairpin", Pair(lab, "h1", "100.0.0.2").Rule.Id);
        Assert.False(Pair(lab, "h1", "100.0.0.2").Reachable);
    }

    [Fact]
    public void A_hairpin_port_joins_a_child_and_its_parent_except_a_private_child_asking()
    {
        var vepa = Siblings("vepa", "bridge", hairpin: true, nicExtra: ", addresses: [100.0.0.1/24]");
        var isolated = Siblings("private", "bridge", hairpin: true, nicExtra: ", addresses: [100.0.0.1/24]");

        Assert.Equal("macvlan-parent-hairpin", Pair(vepa, "ns2", "100.0.0.1").Rule.Id);
        Assert.Equal("macvlan-parent-hairpin", Pair(vepa, "h1", "100.0.0.2").Rule.Id);
        Assert.Equal("macvlan-parent-hairpin", Pair(vepa, "ns3", "100.0.0.1").Rule.Id);
        Assert.Equal("macvlan-private-to-parent", Pair(isolated, "ns2", "100.0.0.1").Rule.Id);
        Assert.True(Pair(isolated, "h1", "100.0.0.2").Reachable);
    }

    [Fact]
    public void A_passthru_child_takes_every_frame_of_its_parent()
    {
        var lab = Parse(RuleLabs.PassthruParent);

        Assert.Equal("macvlan-passthru-parent", Pair(lab, "ns2", "100.0.0.1").Rule.Id);
        Assert.Equal("macvlan-passthru-parent", Pair(lab, "h2", "100.0.0.1").Rule.Id);
        Assert.Equal("macvlan-passthru-parent", Pair(lab, "h1", "100.0.0.9").Rule.Id);
        Assert.Equal("connected", Pair(lab, "ns2", "100.0.0.9").Rule.Id);
        Assert.Equal("connected", Pair(lab, "h2", "100.0.0.2").Rule.Id);
    }

    [Fact]
    public void A_source_mode_child_takes_frames_only_from_its_listed_macs()
    {
        Lab With(string macs) => TwoHosts(nic2Extra: ", mac: \"02:00:00:00:00:09\"", ns2Extra: $$"""

                  m2: { kind: macvlan, parent: h1/eth0, mode: source, sourceMacs: [{{macs}}], addresses: [10.0.0.5/24] }
            """);

        var filtered = Pair(With("\"02:00:00:00:00:77\""), "h2", "10.0.0.5");
        var allowed = Pair(With("\"02:00:00:00:00:09\""), "h2", "10.0.0.5");

        Assert.Equal("macvlan-source-filtered", filtered.Rule.Id);
        Assert.Equal("connected", allowed.Rule.Id);
        Assert.Equal("macvlan-source-filtered", Pair(With("\"02:00:00:00:00:77\""), "ns2", "10.0.0.2").Rule.Id);
    }

    [Theory]
    [InlineData("id: 889", "vlan 888 (802.1Q)", "vlan 889 (802.1Q)")]
    [InlineData("id: 888, protocol: 802.1ad", "vlan 888 (802.1Q)", "vlan 888 (802.1ad)")]
    public void Vlan_ends_must_agree_on_id_and_protocol(string secondEnd, string firstTag, string secondTag)
    {
        var yaml = RepositoryFiles.Lab("vlan-888.yaml").Replace(
            "eth0.888: { kind: vlan, parent: h2/eth0, id: 888,", $"eth0.888: {{ kind: vlan, parent: h2/eth0, {secondEnd},", StringComparison.Ordinal);

        var prediction = Pair(Parse(yaml), "ns1", "88.8.8.88");

        Assert.Equal("vlan-mismatch", prediction.Rule.Id);
        Assert.Contains($"sends frames tagged {firstTag}", prediction.Explanation, StringComparison.Ordinal);
        Assert.Contains($"takes frames tagged {secondTag}", prediction.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tagged_end_and_an_untagged_end_never_meet()
    {
        var yaml = RepositoryFiles.Lab("vlan-888.yaml").Replace(
            "eth0: { switch: sw1, port: p2 }", "eth0: { switch: sw1, port: p2, addresses: [88.8.8.99/24] }", StringComparison.Ordinal);

        var prediction = Pair(Parse(yaml), "h2", "88.8.8.8");

        Assert.Equal("vlan-mismatch", prediction.Rule.Id);
        Assert.Contains("sends frames untagged", prediction.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Nics_on_different_switches_are_not_connected()
    {
        var prediction = Pair(TwoHosts(switch2: "sw2", port2: "p3"), "h1", "10.0.0.2");

        Assert.Equal("not-connected", prediction.Rule.Id);
        Assert.Contains("plugged into switch sw1, port p1", prediction.Explanation, StringComparison.Ordinal);
        Assert.Contains("plugged into switch sw2, port p3", prediction.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Nics_on_one_switch_are_connected_through_it()
    {
        var prediction = Pair(TwoHosts(), "h1", "10.0.0.2");

        Assert.Equal("connected", prediction.Rule.Id);
        Assert.Contains("through switch sw1 (ports p1 and p2)", prediction.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vxlan_tunnel_over_a_veth_pair_joins_the_bridges_on_both_sides()
    {
        var lab = ExampleLabs.Load("bridge-vxlan");

        Assert.Equal("connected", Pair(lab, "ns-a", "192.168.42.2").Rule.Id);
        Assert.Contains("by a veth pair", Pair(lab, "ns-a", "10.0.0.2").Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vxlan_whose_remote_is_wrong_joins_nothing()
    {
        var lab = Parse(RepositoryFiles.Lab("bridge-vxlan.yaml").Replace("remote: 10.0.0.1,", "remote: 10.0.0.7,", StringComparison.Ordinal));

        Assert.Equal("not-connected", Pair(lab, "ns-a", "192.168.42.2").Rule.Id);
    }

    [Fact]
    public void Every_rule_of_the_catalogue_is_decided_by_at_least_one_test_lab_here()
    {
        // Guards the catalogue against rules that no code path produces: each id must appear in this file's tests.
        var source = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "tests", "NetLab.Core.Tests", "Experiments", "ConnectivityPredictorTests.cs"));

        Assert.All(ConnectivityRules.All, rule => Assert.Contains($"\"{rule.Id}\"", source, StringComparison.Ordinal));
    }
}
