using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Labs;

/// <summary>Every way a lab names one of its own elements or interfaces.</summary>
public enum LabReferenceKind
{
    /// <summary><c>hosts.H.nics.N.switch</c>: the switch a host NIC is cabled to.</summary>
    NicSwitch,

    /// <summary><c>hosts.H.nics.N.port</c>: the port of that switch (a port name, read with the NIC's switch).</summary>
    NicPort,

    /// <summary><c>parent</c> of a macvlan, macvtap or vlan: <c>IF</c> or <c>ELEMENT/IF</c>.</summary>
    Parent,

    /// <summary><c>parent</c> of a vxlan (its underlay, iproute2's <c>dev</c>).</summary>
    Underlay,

    /// <summary><c>peer</c> of a veth: the other end.</summary>
    Peer,

    /// <summary><c>master</c>: a bridge in the same namespace, always a bare interface name.</summary>
    Master,

    /// <summary>A <c>layout:</c> key naming an element (<c>ns2</c>).</summary>
    LayoutElement,

    /// <summary>A <c>layout:</c> key naming an interface (<c>ns2/macvlan2</c>).</summary>
    LayoutInterface,
}

/// <summary>
/// One reference in a lab: where it is written (<paramref name="Path"/>, the validator's path form), as what, and
/// what it points to (<paramref name="Element"/>, plus <paramref name="Interface"/> for an interface or port).
/// </summary>
public sealed record LabReference(LabReferenceKind Kind, string Path, string Element, string? Interface);

/// <summary>The outcome of a rename: the new lab, or why the rename was refused (and then nothing changed).</summary>
public sealed record RenameOutcome(Lab? Lab, string? Refusal)
{
    public bool Succeeded => Lab is not null;

    internal static RenameOutcome Refused(string problem, string hint) => new(null, $"{problem}. {hint}");
}

/// <summary>
/// Renames a switch, host or namespace, or an interface, host NIC or switch port, and rewrites every reference to
/// it (<see cref="LabReferenceKind"/>) so the lab means the same as before. A reference keeps the form it was
/// written in: a bare <c>eth0</c> stays bare, <c>h1/eth0</c> stays qualified. A new name that breaks the naming
/// rules or is already taken is refused with the validator's wording, and the lab is left as it was.
/// </summary>
public static class LabRenames
{
    /// <summary>Every reference the lab holds, resolved as the validator resolves them (targets need not exist).</summary>
    public static IReadOnlyList<LabReference> References(Lab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var references = new List<LabReference>();
        foreach (var host in lab.Hosts)
        {
            foreach (var nic in host.Nics)
            {
                var path = $"{host.Path}.nics.{nic.Name}";
                references.Add(new LabReference(LabReferenceKind.NicSwitch, $"{path}.switch", nic.Switch, null));
                references.Add(new LabReference(LabReferenceKind.NicPort, $"{path}.port", nic.Switch, nic.Port));
            }
        }

        foreach (var owner in lab.InterfaceNamespaces)
        {
            foreach (var definition in owner.Interfaces)
            {
                var path = $"{owner.Path}.interfaces.{definition.Name}";
                if (definition.Parent is { } parent)
                {
                    var target = InterfaceReference.Parse(parent, owner.Name);
                    var kind = definition is VxlanInterface ? LabReferenceKind.Underlay : LabReferenceKind.Parent;
                    references.Add(new LabReference(kind, $"{path}.parent", target.Namespace, target.Interface));
                }

                if (definition is VethInterface veth)
                {
                    var target = InterfaceReference.Parse(veth.Peer, owner.Name);
                    references.Add(new LabReference(LabReferenceKind.Peer, $"{path}.peer", target.Namespace, target.Interface));
                }

                if (definition.Master is { } master)
                {
                    references.Add(new LabReference(LabReferenceKind.Master, $"{path}.master", owner.Name, master));
                }
            }
        }

        foreach (var position in lab.Layout)
        {
            var slash = position.Element.IndexOf('/', StringComparison.Ordinal);
            references.Add(slash < 0
                ? new LabReference(LabReferenceKind.LayoutElement, $"layout.{position.Element}", position.Element, null)
                : new LabReference(LabReferenceKind.LayoutInterface, $"layout.{position.Element}", position.Element[..slash], position.Element[(slash + 1)..]));
        }

        return references;
    }

    /// <summary>Renames the switch, host or namespace <paramref name="element"/> to <paramref name="newName"/>.</summary>
    public static RenameOutcome RenameElement(Lab lab, string element, string newName)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(newName);
        var paths = ElementPaths(lab);
        if (!paths.ContainsKey(element))
        {
            return RenameOutcome.Refused($"'{element}' is not a switch, host or namespace of this lab", "Select a box to rename");
        }

        if (newName == element)
        {
            return new RenameOutcome(lab, null);
        }

        // The validator's rules and words (CheckElementNames), said before anything changes.
        if (LabName.Problem(newName) is { } problem)
        {
            return RenameOutcome.Refused(problem, "Use letters, digits, '-' or '_', e.g. ns2, h1, sw1");
        }

        if (LabName.Problem(lab.Name) is null && NamingScheme.Default.NamespaceLengthProblem(lab.Name, newName) is { } tooLong)
        {
            return RenameOutcome.Refused(tooLong.Message, tooLong.Hint);
        }

        if (paths.TryGetValue(newName, out var holder))
        {
            return RenameOutcome.Refused($"the name '{newName}' is already used by {holder}",
                "Switches, hosts and namespaces each become a network namespace, so their names must all differ; pick another name");
        }

        string RenameIn(string text) => text == element ? newName : text;
        var renamed = lab with
        {
            Switches = lab.Switches.Select(s => s with { Name = RenameIn(s.Name) }).ToValueList(),
            Hosts = lab.Hosts.Select(h => h with
            {
                Name = RenameIn(h.Name),
                Nics = h.Nics.Select(n => n with { Switch = RenameIn(n.Switch) }).ToValueList(),
            }).ToValueList(),
            Layout = lab.Layout.Select(p => p with { Element = RenameLayoutKey(p.Element, element, null, newName) }).ToValueList(),
        };
        return new RenameOutcome(RewriteInterfaceReferences(renamed with
        {
            Namespaces = renamed.Namespaces.Select(n => n with { Name = RenameIn(n.Name) }).ToValueList(),
        }, (owner, text) => RenameElementIn(text, element, newName)), null);
    }

    /// <summary>
    /// Renames <paramref name="name"/> inside <paramref name="element"/>: an interface or NIC of a host or namespace,
    /// or a port of a switch.
    /// </summary>
    public static RenameOutcome RenameInterface(Lab lab, string element, string name, string newName)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(element);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(newName);
        if (lab.FindSwitch(element) is { } @switch)
        {
            return RenamePort(lab, @switch, name, newName);
        }

        if (lab.FindNamespace(element) is not { } owner || !owner.InterfaceNames.Contains(name))
        {
            return RenameOutcome.Refused($"'{element}/{name}' is not an interface of this lab", "Select an interface, NIC or port to rename");
        }

        if (newName == name)
        {
            return new RenameOutcome(lab, null);
        }

        if (InterfaceNameRefusal(newName) is { } refusal)
        {
            return refusal;
        }

        if (owner.InterfaceNames.Contains(newName))
        {
            return RenameOutcome.Refused($"{element} already has an interface named '{newName}'",
                "Interface names must be unique inside a namespace; pick another name");
        }

        if (BesideParentClash(lab, owner, name, newName) is { } clash)
        {
            return clash;
        }

        string RenameIn(string text) => text == name ? newName : text;
        var withName = owner switch
        {
            Host host => host with { Nics = host.Nics.Select(n => n with { Name = RenameIn(n.Name) }).ToValueList() },
            _ => owner,
        };
        withName = withName with
        {
            // Master is a bare name of a bridge in the same namespace, so only this namespace's masters can name it.
            Interfaces = withName.Interfaces.Select(i => i with { Name = RenameIn(i.Name), Master = i.Master is { } master ? RenameIn(master) : null }).ToValueList(),
        };
        var renamed = Replace(lab, withName) with
        {
            Layout = lab.Layout.Select(p => p with { Element = RenameLayoutKey(p.Element, element, name, newName) }).ToValueList(),
        };
        return new RenameOutcome(RewriteInterfaceReferences(renamed, (from, text) => RenameInterfaceIn(text, from, element, name, newName)), null);
    }

    private static RenameOutcome RenamePort(Lab lab, Switch @switch, string port, string newName)
    {
        if (@switch.Ports.All(p => p.Name != port))
        {
            return RenameOutcome.Refused($"switch {@switch.Name} has no port '{port}'", "Select a port to rename");
        }

        if (newName == port)
        {
            return new RenameOutcome(lab, null);
        }

        if (InterfaceNameRefusal(newName) is { } refusal)
        {
            return refusal;
        }

        if (newName == Switch.BridgeName)
        {
            return RenameOutcome.Refused($"'{newName}' is taken inside every switch (the bridge is {Switch.BridgeName}, loopback is lo)", "Name the port e.g. p1");
        }

        if (@switch.Ports.Any(p => p.Name == newName))
        {
            return RenameOutcome.Refused($"switch {@switch.Name} already has a port named '{newName}'", "Port names must be unique inside a switch; pick another name");
        }

        var renamed = lab with
        {
            Switches = lab.Switches.Select(s => s.Name != @switch.Name ? s
                : s with { Ports = s.Ports.Select(p => p.Name == port ? p with { Name = newName } : p).ToValueList() }).ToValueList(),
            Hosts = lab.Hosts.Select(h => h with
            {
                Nics = h.Nics.Select(n => n.Switch == @switch.Name && n.Port == port ? n with { Port = newName } : n).ToValueList(),
            }).ToValueList(),
            Layout = lab.Layout.Select(p => p with { Element = RenameLayoutKey(p.Element, @switch.Name, port, newName) }).ToValueList(),
        };

        // A parent or peer written as SWITCH/PORT is invalid (switches lend no interfaces), but it still means this port.
        return new RenameOutcome(RewriteInterfaceReferences(renamed, (from, text) => RenameInterfaceIn(text, from, @switch.Name, port, newName)), null);
    }

    private static RenameOutcome? InterfaceNameRefusal(string newName)
    {
        if (InterfaceName.LabProblem(newName) is { } problem)
        {
            // The validator's rule (CollectInterfaces); its sentence already says how to fix it.
            return new RenameOutcome(null, problem.EndsWith('.') ? problem : problem + ".");
        }

        return newName == "lo"
            ? RenameOutcome.Refused("'lo' is the loopback device every namespace already has", "Set loopback up or down on the box instead, and pick another name")
            : null;
    }

    /// <summary>
    /// A child whose parent lives in another namespace is made beside the parent first and then moved, so for a
    /// moment its name must be free there too (the validator's CheckParent): both sides of that are refused.
    /// </summary>
    private static RenameOutcome? BesideParentClash(Lab lab, NamespaceDefinition owner, string name, string newName)
    {
        if (owner.Interfaces.FirstOrDefault(i => i.Name == name)?.Parent is { } parentText
            && InterfaceReference.Parse(parentText, owner.Name).Namespace is var parentNamespace && parentNamespace != owner.Name
            && lab.FindNamespace(parentNamespace) is { } parentOwner && parentOwner.InterfaceNames.Contains(newName))
        {
            return RenameOutcome.Refused(
                $"{newName} would be made in {parentNamespace} (beside its parent) and then moved to {owner.Name}, but {parentNamespace} already has an interface named {newName}",
                "Pick another name");
        }

        var movedHere = lab.InterfaceNamespaces
            .Where(other => other.Name != owner.Name)
            .SelectMany(other => other.Interfaces.Where(i => i.Name == newName && i.Parent is { } p && InterfaceReference.Parse(p, other.Name).Namespace == owner.Name)
                .Select(i => $"{other.Name}/{i.Name}"))
            .FirstOrDefault();
        return movedHere is null ? null : RenameOutcome.Refused(
            $"{movedHere} is made in {owner.Name} (beside its parent) and then moved, so {owner.Name} cannot also have an interface named {newName}",
            "Pick another name");
    }

    /// <summary>Each parent, underlay and peer of every interface, passed through <paramref name="rewrite"/> with the namespace it is written in.</summary>
    private static Lab RewriteInterfaceReferences(Lab lab, Func<string, string, string> rewrite)
    {
        NamespaceDefinition Rewritten(NamespaceDefinition owner) => owner with
        {
            Interfaces = owner.Interfaces.Select(i => i switch
            {
                VethInterface veth => veth with { Peer = rewrite(owner.Name, veth.Peer) },
                MacvlanInterface macvlan => macvlan with { ParentName = rewrite(owner.Name, macvlan.ParentName) },
                MacvtapInterface macvtap => macvtap with { ParentName = rewrite(owner.Name, macvtap.ParentName) },
                VlanInterface vlan => vlan with { ParentName = rewrite(owner.Name, vlan.ParentName) },
                VxlanInterface { Underlay: { } underlay } vxlan => vxlan with { Underlay = rewrite(owner.Name, underlay) },
                _ => i,
            }).ToValueList(),
        };

        return lab with
        {
            Hosts = lab.Hosts.Select(h => (Host)Rewritten(h)).ToValueList(),
            Namespaces = lab.Namespaces.Select(n => (LabNamespace)Rewritten(n)).ToValueList(),
        };
    }

    /// <summary>A reference written as ELEMENT/IF names the element; a bare IF means the namespace it is written in, whose own name changes.</summary>
    private static string RenameElementIn(string text, string element, string newName) =>
        text.StartsWith(element + "/", StringComparison.Ordinal) ? newName + text[element.Length..] : text;

    private static string RenameInterfaceIn(string text, string writtenIn, string element, string name, string newName)
    {
        if (text.Length == 0 || InterfaceReference.Parse(text, writtenIn) != new InterfaceReference(element, name))
        {
            return text;
        }

        return text.Contains('/', StringComparison.Ordinal) ? $"{element}/{newName}" : newName;
    }

    private static string RenameLayoutKey(string key, string element, string? name, string newName)
    {
        if (name is null)
        {
            return key == element ? newName : RenameElementIn(key, element, newName);
        }

        return key == $"{element}/{name}" ? $"{element}/{newName}" : key;
    }

    private static Dictionary<string, string> ElementPaths(Lab lab)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in lab.Switches.Select(s => (s.Name, s.Path)).Concat(lab.InterfaceNamespaces.Select(n => (n.Name, n.Path))))
        {
            paths.TryAdd(name, path);
        }

        return paths;
    }

    private static Lab Replace(Lab lab, NamespaceDefinition owner) => owner switch
    {
        Host host => lab with { Hosts = lab.Hosts.Select(h => h.Name == host.Name ? host : h).ToValueList() },
        LabNamespace @namespace => lab with { Namespaces = lab.Namespaces.Select(n => n.Name == @namespace.Name ? @namespace : n).ToValueList() },
        _ => lab,
    };
}
