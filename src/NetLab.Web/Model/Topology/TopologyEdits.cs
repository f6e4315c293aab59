using System.Globalization;
using NetLab.Core;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using Host = NetLab.Core.Labs.Host;

namespace NetLab.Web.Model.Topology;

/// <summary>
/// The canvas's edits as pure functions from lab to lab. An edit may leave the lab invalid (a macvlan without a
/// parent yet): the validator says so on the canvas, and only a valid lab can be saved as a revision.
/// </summary>
public static class TopologyEdits
{
    /// <summary>What the palette offers inside a host or namespace, in its order.</summary>
    public static IReadOnlyList<string> InterfaceKinds { get; } = ["veth", "macvlan", "macvtap", "vlan", "bridge", "vxlan", "dummy"];

    public static (Lab Lab, string Id) AddElement(Lab lab, TopologyNodeKind kind, double x, double y)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var taken = lab.Switches.Select(s => s.Name).Concat(lab.InterfaceNamespaces.Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
        var name = FreeName(kind switch { TopologyNodeKind.Switch => "sw", TopologyNodeKind.Host => "h", _ => "ns" }, taken);
        var added = kind switch
        {
            TopologyNodeKind.Switch => lab with { Switches = [.. lab.Switches, new Switch { Name = name }] },
            TopologyNodeKind.Host => lab with { Hosts = [.. lab.Hosts, new Host { Name = name }] },
            _ => lab with { Namespaces = [.. lab.Namespaces, new LabNamespace { Name = name }] },
        };
        return (added.WithPosition(name, Math.Round(x), Math.Round(y)), name);
    }

    /// <summary>
    /// Adds an interface of <paramref name="kind"/> to an element: a port to a switch, a NIC ("nic") or an interface
    /// to a host, an interface to a namespace. Children start without a parent: attaching is the next step.
    /// </summary>
    public static (Lab Lab, string Id)? AddInterface(Lab lab, string element, string kind)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (lab.FindSwitch(element) is { } @switch)
        {
            var port = FreeName("p", @switch.Ports.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));
            return (ReplaceSwitch(lab, @switch with { Ports = [.. @switch.Ports, new SwitchPort { Name = port }] }), TopologyIds.Of(element, port));
        }

        if (lab.FindNamespace(element) is not { } owner)
        {
            return null;
        }

        if (kind == "nic")
        {
            if (owner is not Host host)
            {
                return null;
            }

            var nic = FreeName("eth", [.. host.InterfaceNames], first: 0);
            return (ReplaceNamespace(lab, host with { Nics = [.. host.Nics, new HostNic { Name = nic, Switch = "", Port = "" }] }), TopologyIds.Of(element, nic));
        }

        // Unique in the whole lab: a child is made beside its parent before it moves, and must be free there too.
        var everyName = lab.InterfaceNamespaces.SelectMany(n => n.InterfaceNames).ToHashSet(StringComparer.Ordinal);
        var name = FreeName(kind == "bridge" ? "br" : kind, everyName);
        InterfaceDefinition? definition = kind switch
        {
            "veth" => new VethInterface { Name = name, Peer = "" },
            "macvlan" => new MacvlanInterface { Name = name, ParentName = "", Mode = MacvlanMode.Bridge },
            "macvtap" => new MacvtapInterface { Name = name, ParentName = "", Mode = MacvlanMode.Bridge },
            "vlan" => new VlanInterface { Name = name, ParentName = "", Id = 100 },
            "bridge" => new BridgeInterface { Name = name },
            "vxlan" => new VxlanInterface { Name = name, Vni = 42 },
            "dummy" => new DummyInterface { Name = name },
            _ => null,
        };
        return definition is null ? null : (ReplaceNamespace(lab, WithInterfaces(owner, [.. owner.Interfaces, definition])), TopologyIds.Of(element, name));
    }

    /// <summary>
    /// Drag from <paramref name="childId"/> onto <paramref name="targetId"/>: a macvlan, macvtap, vlan or vxlan gets
    /// the target as parent, a veth gets it as peer (both ends name each other), an interface dropped on a bridge of
    /// its namespace becomes its port, a host NIC dropped on a switch or a free port is cabled there. Null with the
    /// reason when the drop means nothing.
    /// </summary>
    public static (Lab? Lab, string? Refusal) Attach(Lab lab, string childId, string targetId)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var (element, name) = TopologyIds.Split(childId);
        var (targetElement, targetName) = TopologyIds.Split(targetId);
        if (name is null || lab.FindNamespace(element) is not { } owner)
        {
            return (null, "Drag from an interface or NIC, not from a box.");
        }

        if (owner is Host host && host.Nics.FirstOrDefault(n => n.Name == name) is { } nic)
        {
            return CableNic(lab, host, nic, targetElement, targetName);
        }

        if (owner.Interfaces.FirstOrDefault(i => i.Name == name) is not { } definition)
        {
            return (null, $"{childId} is not an interface of {element}.");
        }

        if (targetName is null || lab.FindNamespace(targetElement) is not { } targetOwner || !targetOwner.InterfaceNames.Contains(targetName))
        {
            return (null, $"Drop {name} on an interface or NIC of a host or namespace.");
        }

        if (childId == targetId)
        {
            return (null, $"{name} cannot be attached to itself.");
        }

        // Written as the student would: a bare name in the same namespace, ELEMENT/NAME across namespaces.
        var reference = targetElement == element ? targetName : targetId;
        var target = targetOwner.Interfaces.FirstOrDefault(i => i.Name == targetName);
        InterfaceDefinition? attached = definition switch
        {
            _ when target is BridgeInterface && targetElement == element && definition is not BridgeInterface => definition with { Master = targetName },
            MacvlanInterface macvlan => macvlan with { ParentName = reference },
            MacvtapInterface macvtap => macvtap with { ParentName = reference },
            VlanInterface vlan => vlan with { ParentName = reference },
            VxlanInterface vxlan => vxlan with { Underlay = reference },
            VethInterface veth when target is VethInterface => veth with { Peer = reference },
            _ => null,
        };
        if (attached is null)
        {
            return (null, target is null or not VethInterface && definition is VethInterface
                ? $"A veth's other end must be a veth; drop {name} on one."
                : $"A {definition.Kind.KernelName()} has no parent; drop it on a bridge of {element} to make it a port.");
        }

        var changed = ReplaceInterface(lab, element, name, attached);
        if (attached is VethInterface && target is VethInterface peer)
        {
            var back = targetElement == element ? name : childId;
            changed = ReplaceInterface(changed, targetElement, targetName, peer with { Peer = back });
        }

        return (changed, null);
    }

    /// <summary>Removes a box (and its saved position) or one of its rows. References to it stay, and show as problems.</summary>
    public static Lab Delete(Lab lab, string id)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var (element, name) = TopologyIds.Split(id);
        if (name is null)
        {
            return (lab with
            {
                Switches = lab.Switches.Where(s => s.Name != element).ToValueList(),
                Hosts = lab.Hosts.Where(h => h.Name != element).ToValueList(),
                Namespaces = lab.Namespaces.Where(n => n.Name != element).ToValueList(),
            }).WithoutPosition(element);
        }

        if (lab.FindSwitch(element) is { } @switch)
        {
            return ReplaceSwitch(lab, @switch with { Ports = @switch.Ports.Where(p => p.Name != name).ToValueList() });
        }

        return lab.FindNamespace(element) switch
        {
            Host host => ReplaceNamespace(lab, host with
            {
                Nics = host.Nics.Where(n => n.Name != name).ToValueList(),
                Interfaces = host.Interfaces.Where(i => i.Name != name).ToValueList(),
            }),
            { } owner => ReplaceNamespace(lab, WithInterfaces(owner, owner.Interfaces.Where(i => i.Name != name).ToValueList())),
            null => lab,
        };
    }

    public static Lab Move(Lab lab, string element, double x, double y) =>
        lab.WithPosition(element, Math.Round(x), Math.Round(y));

    public static Lab ReplaceInterface(Lab lab, string element, string name, InterfaceDefinition replacement)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab.FindNamespace(element) is { } owner
            ? ReplaceNamespace(lab, WithInterfaces(owner, owner.Interfaces.Select(i => i.Name == name ? replacement : i).ToValueList()))
            : lab;
    }

    public static Lab ReplaceNic(Lab lab, string element, string name, HostNic replacement)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab.FindNamespace(element) is Host host
            ? ReplaceNamespace(lab, host with { Nics = host.Nics.Select(n => n.Name == name ? replacement : n).ToValueList() })
            : lab;
    }

    public static Lab ReplacePort(Lab lab, string element, string name, SwitchPort replacement)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab.FindSwitch(element) is { } @switch
            ? ReplaceSwitch(lab, @switch with { Ports = @switch.Ports.Select(p => p.Name == name ? replacement : p).ToValueList() })
            : lab;
    }

    /// <summary>
    /// Renames a box, or a row of it (<c>ELEMENT/NAME</c>), with every reference to it (parents, peers, masters, NIC
    /// cables, saved positions): <see cref="LabRenames"/>. A taken or invalid name is refused and changes nothing.
    /// </summary>
    public static RenameOutcome Rename(Lab lab, string id, string newName)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var (element, name) = TopologyIds.Split(id);
        return name is null ? LabRenames.RenameElement(lab, element, newName) : LabRenames.RenameInterface(lab, element, name, newName);
    }

    public static Lab SetLoopback(Lab lab, string element, bool up)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab with
        {
            Hosts = lab.Hosts.Select(h => h.Name == element ? h with { LoopbackUp = up } : h).ToValueList(),
            Namespaces = lab.Namespaces.Select(n => n.Name == element ? n with { LoopbackUp = up } : n).ToValueList(),
        };
    }

    private static (Lab? Lab, string? Refusal) CableNic(Lab lab, Host host, HostNic nic, string targetElement, string? targetName)
    {
        if (lab.FindSwitch(targetElement) is not { } @switch)
        {
            return (null, $"A host NIC is cabled to a switch; drop {nic.Name} on a switch or one of its ports.");
        }

        var plugged = lab.Hosts.SelectMany(h => h.Nics.Where(n => n != nic || h != host))
            .Where(n => n.Switch == @switch.Name).Select(n => n.Port).ToHashSet(StringComparer.Ordinal);
        var port = targetName ?? @switch.Ports.FirstOrDefault(p => !plugged.Contains(p.Name))?.Name;
        var changed = lab;
        if (port is null)
        {
            // Every port is taken: the switch grows one, as plugging a cable into a free socket would.
            port = FreeName("p", @switch.Ports.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));
            changed = ReplaceSwitch(changed, @switch with { Ports = [.. @switch.Ports, new SwitchPort { Name = port }] });
        }

        return (ReplaceNic(changed, host.Name, nic.Name, nic with { Switch = @switch.Name, Port = port }), null);
    }

    private static Lab ReplaceSwitch(Lab lab, Switch replacement) =>
        lab with { Switches = lab.Switches.Select(s => s.Name == replacement.Name ? replacement : s).ToValueList() };

    private static Lab ReplaceNamespace(Lab lab, NamespaceDefinition replacement) => replacement switch
    {
        Host host => lab with { Hosts = lab.Hosts.Select(h => h.Name == host.Name ? host : h).ToValueList() },
        LabNamespace space => lab with { Namespaces = lab.Namespaces.Select(n => n.Name == space.Name ? space : n).ToValueList() },
        _ => lab,
    };

    private static NamespaceDefinition WithInterfaces(NamespaceDefinition owner, ValueList<InterfaceDefinition> interfaces) =>
        owner with { Interfaces = interfaces };

    private static string FreeName(string stem, HashSet<string> taken, int first = 1)
    {
        for (var n = first; ; n++)
        {
            var name = stem + n.ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(name))
            {
                return name;
            }
        }
    }
}
