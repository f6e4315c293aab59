using System.Globalization;
using System.Text.Json.Serialization;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Validation;

namespace NetLab.Web.Model.Topology;

/// <summary>
/// What the topology canvas draws: one box per switch, host and namespace holding its ports, NICs and interfaces,
/// and the lines between them (child to parent, NIC to switch port, veth to peer, port to bridge). Built from the lab
/// and its validation problems; sent to the browser as JSON, where the canvas module owns only its drawing.
/// </summary>
public sealed record TopologyGraph(IReadOnlyList<TopologyNode> Nodes, IReadOnlyList<TopologyEdge> Edges)
{
    public static TopologyGraph Empty { get; } = new([], []);

    /// <summary>
    /// The part of the canvas that holds every box, line and line label, with a margin: the SVG's viewBox, so that the
    /// lab fits the view on first open whatever the size of the surface (see <see cref="TopologyGeometry"/>).
    /// </summary>
    public ViewBox ViewBox { get; init; } = TopologyGeometry.ViewBoxOf([], []);

    /// <summary>Every problem of the graph's elements and interfaces, by canvas id.</summary>
    public IEnumerable<(string Id, string Message)> Marks =>
        Nodes.SelectMany(n => n.Problems.Select(p => (n.Id, p)).Concat(n.Items.SelectMany(i => i.Problems.Select(p => (i.Id, p)))));

    public TopologyNode? FindNode(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    public TopologyItem? FindItem(string id) => Nodes.SelectMany(n => n.Items).FirstOrDefault(i => i.Id == id);

    public static TopologyGraph Build(Lab lab, IReadOnlyList<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(problems);
        var marks = TopologyIds.MarksOf(lab, problems);
        var nodes = new List<TopologyNode>();
        var edges = new List<TopologyEdge>();

        foreach (var @switch in lab.Switches)
        {
            nodes.Add(Node(@switch.Name, TopologyNodeKind.Switch, $"switch · {Switch.BridgeName}", marks,
                @switch.Ports.Select(p => new TopologyItem(TopologyIds.Of(@switch.Name, p.Name), p.Name, "port",
                    p.Hairpin ? "port · hairpin" : "port", marks.Of(TopologyIds.Of(@switch.Name, p.Name))))));
        }

        foreach (var host in lab.Hosts)
        {
            var items = host.Nics.Select(n => new TopologyItem(TopologyIds.Of(host.Name, n.Name), n.Name, "nic", "nic (veth)", marks.Of(TopologyIds.Of(host.Name, n.Name))))
                .Concat(host.Interfaces.Select(i => Item(host, i, marks)));
            nodes.Add(Node(host.Name, TopologyNodeKind.Host, host.LoopbackUp ? "host · lo up" : "host · lo down", marks, items));
            foreach (var nic in host.Nics.Where(n => lab.FindSwitch(n.Switch)?.Ports.Any(p => p.Name == n.Port) == true))
            {
                edges.Add(new TopologyEdge(TopologyIds.Of(host.Name, nic.Name), TopologyIds.Of(nic.Switch, nic.Port), "cable", "cable"));
            }
        }

        foreach (var @namespace in lab.Namespaces)
        {
            nodes.Add(Node(@namespace.Name, TopologyNodeKind.Namespace, @namespace.LoopbackUp ? "namespace · lo up" : "namespace · lo down",
                marks, @namespace.Interfaces.Select(i => Item(@namespace, i, marks))));
        }

        foreach (var owner in lab.InterfaceNamespaces)
        {
            foreach (var definition in owner.Interfaces)
            {
                edges.AddRange(EdgesOf(lab, owner, definition));
            }
        }

        // Sized by their texts first, then placed: a row of boxes leaves a gap after each box's own width.
        var positions = AutoLayout.Positions(lab, nodes.ToDictionary(n => n.Id, n => (n.Width, n.Height), StringComparer.Ordinal));
        nodes = [.. nodes.Select(n => n with { X = positions[n.Id].X, Y = positions[n.Id].Y })];
        return new TopologyGraph(nodes, edges) { ViewBox = TopologyGeometry.ViewBoxOf(nodes, edges) };
    }

    private static TopologyNode Node(string name, TopologyNodeKind kind, string subtitle, ProblemMarks marks, IEnumerable<TopologyItem> items)
    {
        List<TopologyItem> rows = [.. items];
        return new TopologyNode(name, kind, name, subtitle, 0, 0, marks.Of(name), rows)
        {
            Width = AutoLayout.BoxWidth(name, subtitle, rows),
            Height = AutoLayout.BoxHeight(rows.Count),
        };
    }

    private static TopologyItem Item(NamespaceDefinition owner, InterfaceDefinition definition, ProblemMarks marks)
    {
        var id = TopologyIds.Of(owner.Name, definition.Name);

        // As `ip link` shows it: a child with its lower device, macvlan2@eth0.
        var name = definition.Parent is { Length: > 0 } parent ? $"{definition.Name}@{InterfaceReference.Parse(parent, owner.Name).Interface}" : definition.Name;
        return new TopologyItem(id, name, definition.Kind.KernelName(), KindLabel(definition), marks.Of(id));
    }

    /// <summary>The kind with what tells children of one parent apart: mode, vlan id and protocol, VNI.</summary>
    public static string KindLabel(InterfaceDefinition definition) => definition switch
    {
        MacvlanFamilyInterface macvlan => $"{macvlan.Kind.KernelName()} {macvlan.Mode.Word()}{(macvlan.NoPromisc ? " nopromisc" : "")}",
        VlanInterface vlan => vlan.Protocol == VlanProtocol.Dot1Q
            ? $"vlan {vlan.Id.ToString(CultureInfo.InvariantCulture)}"
            : $"vlan {vlan.Id.ToString(CultureInfo.InvariantCulture)} {vlan.Protocol.Word()}",
        VxlanInterface vxlan => $"vxlan {vxlan.Vni.ToString(CultureInfo.InvariantCulture)}",
        _ => definition.Kind.KernelName(),
    };

    private static IEnumerable<TopologyEdge> EdgesOf(Lab lab, NamespaceDefinition owner, InterfaceDefinition definition)
    {
        var id = TopologyIds.Of(owner.Name, definition.Name);
        if (definition.Parent is { Length: > 0 } parent && TopologyIds.Resolve(lab, owner, parent) is { } parentId)
        {
            yield return new TopologyEdge(id, parentId, KindLabel(definition), "parent");
        }

        // A veth pair is one line, drawn from the end that sorts first.
        if (definition is VethInterface veth && TopologyIds.Resolve(lab, owner, veth.Peer) is { } peerId && string.CompareOrdinal(id, peerId) < 0)
        {
            yield return new TopologyEdge(id, peerId, "veth", "peer");
        }

        if (definition.Master is { Length: > 0 } master && owner.InterfaceNames.Contains(master))
        {
            yield return new TopologyEdge(id, TopologyIds.Of(owner.Name, master), "port of", "master");
        }
    }
}

/// <summary>Sent to the canvas module by name ("Switch"), which it uses for styling.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TopologyNodeKind>))]
public enum TopologyNodeKind
{
    Switch,
    Host,
    Namespace,
}

/// <summary>
/// A box: a switch, host or namespace at (X, Y), <see cref="Width"/> by <see cref="Height"/> (wide enough for its
/// texts), with its problems and its interfaces in drawing order.
/// </summary>
public sealed record TopologyNode(string Id, TopologyNodeKind Kind, string Title, string Subtitle, double X, double Y,
    IReadOnlyList<string> Problems, IReadOnlyList<TopologyItem> Items)
{
    public double Width { get; init; } = AutoLayout.MinBoxWidth;

    public double Height { get; init; } = AutoLayout.BoxHeight(Items.Count);
}

/// <summary>A row in a box: a switch port, a host NIC or an interface; <see cref="Id"/> is <c>ELEMENT/NAME</c>.</summary>
public sealed record TopologyItem(string Id, string Name, string Kind, string Label, IReadOnlyList<string> Problems);

/// <summary>A line between two rows; <see cref="Kind"/> is parent, cable, peer or master.</summary>
public sealed record TopologyEdge(string From, string To, string Label, string Kind);
