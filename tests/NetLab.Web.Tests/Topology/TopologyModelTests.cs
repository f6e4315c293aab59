using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Model.Topology;

namespace NetLab.Web.Tests.Topology;

public sealed class TopologyModelTests
{
    internal static Lab Load(string file) => LabFormat.LoadYaml(RepositoryFiles.Lab(file)).Lab!;

    private static TopologyGraph GraphOf(Lab lab) => TopologyGraph.Build(lab, LabValidator.Validate(lab));

    [Fact]
    public void The_seeds_macvlan_children_show_their_parent_and_a_line_labelled_with_kind_and_mode()
    {
        var graph = GraphOf(Load("macvlan-bridge.yaml"));

        Assert.Equal(["sw1", "h1", "ns2", "ns3"], graph.Nodes.Select(n => n.Id));
        Assert.Equal("macvlan2@eth0", graph.FindItem("ns2/macvlan2")!.Name);
        Assert.Contains(new TopologyEdge("ns2/macvlan2", "h1/eth0", "macvlan bridge", "parent"), graph.Edges);
        Assert.Contains(new TopologyEdge("ns3/macvlan3", "h1/eth0", "macvlan bridge", "parent"), graph.Edges);
        Assert.Contains(new TopologyEdge("h1/eth0", "sw1/p1", "cable", "cable"), graph.Edges);
        Assert.Empty(graph.Marks);
    }

    [Fact]
    public void A_vlan_line_carries_its_id_and_veth_bridge_and_vxlan_lines_are_drawn()
    {
        Assert.Contains(GraphOf(Load("vlan-888.yaml")).Edges, e => e is { From: "ns1/eth0.888", To: "h1/eth0", Label: "vlan 888" });

        var every = GraphOf(Load("bridge-vxlan.yaml"));
        Assert.Contains(every.Edges, e => e.Kind == "peer" && e.Label == "veth");
        Assert.Contains(every.Edges, e => e.Kind == "master");
        Assert.Contains(every.Nodes.SelectMany(n => n.Items), i => i.Label.StartsWith("vxlan ", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_mark_the_interface_they_are_about_even_when_its_name_has_dots()
    {
        var lab = Load("vlan-888.yaml");
        var broken = TopologyEdits.ReplaceInterface(lab, "ns1", "eth0.888", new VlanInterface { Name = "eth0.888", ParentName = "h1/eth9", Id = 5000 });

        var graph = GraphOf(broken);

        var marks = graph.Marks.ToList();
        Assert.NotEmpty(marks);
        Assert.All(marks, m => Assert.Equal("ns1/eth0.888", m.Id));
        Assert.Contains(marks, m => m.Message.Contains("h1/eth9", StringComparison.Ordinal));
        Assert.Contains(marks, m => m.Message.Contains("5000", StringComparison.Ordinal));
        Assert.Equal("ns1", TopologyIds.IdOf(broken, "namespaces.ns1.loopback"));
        Assert.Null(TopologyIds.IdOf(broken, "name"));
    }

    [Fact]
    public void Boxes_without_a_saved_position_are_laid_out_in_rows_and_saved_ones_are_kept()
    {
        var lab = Load("macvlan-bridge.yaml").WithPosition("ns3", 900, 15);

        var graph = GraphOf(lab);

        var sw1 = graph.FindNode("sw1")!;
        var h1 = graph.FindNode("h1")!;
        var ns2 = graph.FindNode("ns2")!;
        Assert.True(h1.Y > sw1.Y && ns2.Y > h1.Y, "switches, then hosts, then namespaces");
        Assert.Equal((900d, 15d), (graph.FindNode("ns3")!.X, graph.FindNode("ns3")!.Y));
    }

    [Fact]
    public void A_new_macvlan_has_no_parent_until_it_is_dropped_on_one()
    {
        var (withNamespace, ns) = TopologyEdits.AddElement(Load("macvlan-bridge.yaml"), TopologyNodeKind.Namespace, 10.4, 20.6);
        var (withMacvlan, macvlan) = TopologyEdits.AddInterface(withNamespace, ns, "macvlan")!.Value;

        Assert.Equal("ns1", ns);
        Assert.Equal(new ElementPosition("ns1", 10, 21), withNamespace.PositionOf("ns1"));
        Assert.Equal("ns1/macvlan1", macvlan);
        Assert.Contains(LabValidator.Validate(withMacvlan), p => p.Path == "namespaces.ns1.interfaces.macvlan1.parent");

        var (attached, refusal) = TopologyEdits.Attach(withMacvlan, macvlan, "h1/eth0");

        Assert.Null(refusal);
        Assert.Equal("h1/eth0", ((MacvlanInterface)attached!.FindNamespace("ns1")!.Interfaces.Single()).ParentName);
        Assert.Empty(LabValidator.Validate(attached));
    }

    [Fact]
    public void Veths_dropped_on_each_other_name_each_other_and_a_nic_dropped_on_a_switch_gets_a_free_port()
    {
        var lab = Load("macvlan-bridge.yaml");
        var (a, aId) = TopologyEdits.AddInterface(lab, "ns2", "veth")!.Value;
        var (b, bId) = TopologyEdits.AddInterface(a, "ns3", "veth")!.Value;

        var (paired, _) = TopologyEdits.Attach(b, aId, bId);

        Assert.Equal("ns3/veth2", ((VethInterface)paired!.FindNamespace("ns2")!.Interfaces.Single(i => i.Name == "veth1")).Peer);
        Assert.Equal("ns2/veth1", ((VethInterface)paired.FindNamespace("ns3")!.Interfaces.Single(i => i.Name == "veth2")).Peer);

        var (host, hostId) = TopologyEdits.AddElement(lab, TopologyNodeKind.Host, 0, 0);
        var (withNic, nicId) = TopologyEdits.AddInterface(host, hostId, "nic")!.Value;
        var (cabled, _) = TopologyEdits.Attach(withNic, nicId, "sw1");
        var nic = cabled!.Hosts.Single(h => h.Name == hostId).Nics.Single();

        Assert.Equal(("sw1", "p2"), (nic.Switch, nic.Port));
        Assert.Empty(LabValidator.Validate(cabled));
    }

    [Fact]
    public void A_drop_that_means_nothing_is_refused_with_the_reason()
    {
        var lab = Load("macvlan-bridge.yaml");

        var (changed, refusal) = TopologyEdits.Attach(lab, "h1/eth0", "ns2/macvlan2");

        Assert.Null(changed);
        Assert.Contains("switch", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_a_box_forgets_its_position_and_leaves_references_to_it_as_problems()
    {
        var lab = Load("macvlan-bridge.yaml").WithPosition("h1", 1, 2);

        var deleted = TopologyEdits.Delete(lab, "h1");

        Assert.Null(deleted.PositionOf("h1"));
        Assert.Contains(LabValidator.Validate(deleted), p => p.Path == "namespaces.ns2.interfaces.macvlan2.parent");
    }

    [Fact]
    public void The_form_of_a_row_applies_name_mode_vlan_and_addresses_back_to_the_lab()
    {
        var lab = Load("vlan-888.yaml");
        var form = ItemForm.Of(lab, "ns1/eth0.888")!;
        Assert.Equal(("vlan", "h1/eth0", 888), (form.Kind, form.Parent, form.VlanId));

        form.Name = "tagged";
        form.VlanId = 42;
        form.VlanProtocol = NetLab.Core.Links.VlanProtocol.Dot1AD;
        form.Addresses = "88.8.8.8/24,  2001:db8::8/64";
        var changed = (VlanInterface)form.ApplyTo(lab).FindNamespace("ns1")!.Interfaces.Single();

        Assert.Equal("tagged", changed.Name);
        Assert.Equal(42, changed.Id);
        Assert.Equal(NetLab.Core.Links.VlanProtocol.Dot1AD, changed.Protocol);
        Assert.Equal(["88.8.8.8/24", "2001:db8::8/64"], changed.Addresses);
    }

    [Fact]
    public void Only_rows_whose_live_state_changed_are_sent_again()
    {
        var state = new LiveLabState("demo");
        var rows = new LiveRows(s => s.OperState);
        state.Apply(Live.LiveEvents.Snapshot("ns2", Live.LiveEvents.Interface("lo", 1, operState: "unknown"), Live.LiveEvents.Interface("macvlan2", 2)));

        Assert.Equal(["ns2/lo", "ns2/macvlan2"], rows.Changes(state).Select(r => r.Id).Order());
        Assert.Empty(rows.Changes(state));

        state.Apply(Live.LiveEvents.Changed("ns2", Live.LiveEvents.Interface("macvlan2", 2, operState: "down")));
        var change = Assert.Single(rows.Changes(state));

        Assert.Equal(("ns2/macvlan2", "down"), (change.Id, change.State));
    }

    [Fact]
    public void Edit_history_undoes_and_redoes_and_a_new_edit_ends_the_redo_chain()
    {
        var history = new EditHistory();
        history.Record("a");
        history.Record("b");

        Assert.Equal("b", history.Undo("c"));
        Assert.Equal("c", history.Redo("b"));
        Assert.Equal("b", history.Undo("c"));
        history.Record("b");
        Assert.False(history.CanRedo);
        Assert.Equal("b", history.Undo("x"));
        Assert.Equal("a", history.Undo("b"));
        Assert.Null(history.Undo("a"));
    }
}
