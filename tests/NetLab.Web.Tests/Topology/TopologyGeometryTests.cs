using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Model.Topology;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Topology;

/// <summary>
/// The canvas fits on first open: its viewBox holds every box, line and line label of every example lab and of a lab
/// with long names and IPv6 addresses, and every text fits its box by the estimate the layout sizes boxes with.
/// </summary>
public sealed class TopologyGeometryTests
{
    /// <summary>Long names where names may be long, two children of one parent in one column, IPv6 addresses.</summary>
    private const string LongLab = """
        name: long-ipv6-addresses
        switches:
          access-switch-01:
            ports:
              uplink-port-01: {}
        hosts:
          router-with-a-long-name:
            nics:
              eth0: { switch: access-switch-01, port: uplink-port-01 }
        namespaces:
          tenant-namespace-alpha:
            loopback: up
            interfaces:
              macvlan-tenant1: { kind: macvlan, parent: router-with-a-long-name/eth0, mode: bridge, addresses: [fd00:1234:5678:9abc::123/64, fd00:1234:5678:9abc:def0:1234:5678:9abc/64] }
              vlan-tenant-01: { kind: vlan, parent: macvlan-tenant1, id: 4094, protocol: 802.1ad, addresses: [fd00:1234:5678:9abd::1/64] }
          tenant-namespace-beta:
            interfaces:
              macvlan-tenant2: { kind: macvlan, parent: router-with-a-long-name/eth0, mode: bridge, addresses: [fd00:1234:5678:9abc::124/64] }
        """;

    public static TheoryData<string> Labs()
    {
        var labs = new TheoryData<string>();
        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            labs.Add(Path.GetFileName(file));
        }

        labs.Add("long");
        return labs;
    }

    private static Lab LabOf(string name)
    {
        var loaded = LabFormat.LoadAndValidate(name == "long" ? LongLab : RepositoryFiles.Lab(name), LabFileFormat.Yaml);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Problems));
        return loaded.Lab!;
    }

    private static TopologyGraph GraphOf(string name)
    {
        var lab = LabOf(name);
        return TopologyGraph.Build(lab, LabValidator.Validate(lab));
    }

    [Theory]
    [MemberData(nameof(Labs))]
    public void The_view_box_holds_every_box_line_and_label(string lab)
    {
        var graph = GraphOf(lab);
        var shapes = TopologyGeometry.ShapesOf(graph.Nodes, graph.Edges).ToList();

        Assert.NotEmpty(graph.Nodes);
        Assert.Equal(graph.Edges.Count, shapes.Count);
        Assert.All(graph.Nodes, n => Assert.True(graph.ViewBox.Contains(new ViewBox(n.X, n.Y, n.Width, n.Height)), $"box {n.Id} is outside {graph.ViewBox}"));
        Assert.All(shapes, s => Assert.True(graph.ViewBox.Contains(s.Bounds), $"line {s.Edge.From} - {s.Edge.To} ({s.Bounds}) is outside {graph.ViewBox}"));
        Assert.All(shapes, s => Assert.True(graph.ViewBox.Contains(s.Label), $"label '{s.Edge.Label}' ({s.Label}) is outside {graph.ViewBox}"));
    }

    [Theory]
    [MemberData(nameof(Labs))]
    public void Every_text_fits_its_box_and_no_two_boxes_overlap(string lab)
    {
        var graph = GraphOf(lab);

        foreach (var node in graph.Nodes)
        {
            Assert.True(AutoLayout.TextLeft + AutoLayout.TextWidth(node.Title, TopologyText.Title) + AutoLayout.RightPadding <= node.Width, $"title of {node.Id}");
            Assert.True(AutoLayout.TextLeft + AutoLayout.TextWidth(node.Subtitle, TopologyText.Subtitle) + AutoLayout.RightPadding <= node.Width, $"subtitle of {node.Id}");
            Assert.All(node.Items, item => Assert.True(
                AutoLayout.NameLeft + AutoLayout.TextWidth(item.Name, TopologyText.Name) + AutoLayout.NameLabelGap + AutoLayout.TextWidth(item.Label, TopologyText.Label) + AutoLayout.RightPadding <= node.Width,
                $"row {item.Id}: '{item.Name}' and '{item.Label}' in {node.Width}"));
            Assert.Equal(AutoLayout.BoxHeight(node.Items.Count), node.Height);
        }

        foreach (var (a, b) in graph.Nodes.SelectMany((a, i) => graph.Nodes.Skip(i + 1).Select(b => (a, b))))
        {
            var apart = a.X + a.Width <= b.X || b.X + b.Width <= a.X || a.Y + a.Height <= b.Y || b.Y + b.Height <= a.Y;
            Assert.True(apart, $"{a.Id} and {b.Id} overlap");
        }
    }

    [Fact]
    public void A_box_grows_for_long_names_and_a_line_between_boxes_of_one_column_is_inside_the_view()
    {
        var graph = GraphOf("long");

        var tenant = graph.FindNode("tenant-namespace-alpha")!;
        Assert.True(tenant.Width > AutoLayout.MinBoxWidth, $"{tenant.Width}");

        // macvlan-tenant1 and its vlan child are in one box: their line bends out left of it.
        var inBox = TopologyGeometry.ShapesOf(graph.Nodes, graph.Edges).Single(s => s.Edge.From == "tenant-namespace-alpha/vlan-tenant-01");
        Assert.True(inBox.Bounds.X < tenant.X);
        Assert.True(graph.ViewBox.X <= inBox.Bounds.X);
    }

    [Fact]
    public void A_view_box_is_never_smaller_than_a_screen_so_a_small_lab_is_not_blown_up()
    {
        var graph = GraphOf("macvlan-bridge.yaml");

        Assert.True(graph.ViewBox.Width >= TopologyGeometry.MinViewWidth);
        Assert.True(graph.ViewBox.Height >= TopologyGeometry.MinViewHeight);
        Assert.Equal(new ViewBox(0, 0, TopologyGeometry.MinViewWidth, TopologyGeometry.MinViewHeight), TopologyGraph.Empty.ViewBox);
    }

    [Fact]
    public void A_live_line_with_long_ipv6_addresses_is_cut_to_its_box_and_keeps_the_whole_text_as_its_tooltip()
    {
        var graph = GraphOf("long");
        var state = new LiveLabState("long-ipv6-addresses");
        state.Apply(Snapshot("tenant-namespace-alpha",
            Interface("lo", 1, operState: "unknown", addresses: ["127.0.0.1/8", "::1/128"]),
            Interface("macvlan-tenant1", 2, addresses: ["fd00:1234:5678:9abc::123/64", "fd00:1234:5678:9abc:def0:1234:5678:9abc/64", "fe80::ff:fe00:2/64"])));

        var rows = new LiveRows(s => s.OperState).Changes(state, graph);

        var width = graph.FindNode("tenant-namespace-alpha")!.Width;
        Assert.All(rows, r => Assert.True(AutoLayout.NameLeft + AutoLayout.TextWidth(r.Text, TopologyText.Live) + AutoLayout.RightPadding <= width, $"'{r.Text}' in {width}"));
        var macvlan = rows.Single(r => r.Id == "tenant-namespace-alpha/macvlan-tenant1");
        Assert.EndsWith("…", macvlan.Text, StringComparison.Ordinal);
        Assert.Contains("fd00:1234:5678:9abc:def0:1234:5678:9abc/64", macvlan.Title, StringComparison.Ordinal);
        Assert.StartsWith(macvlan.Text[..^1], macvlan.Title, StringComparison.Ordinal);
    }
}
