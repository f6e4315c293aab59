using System.Net;
using NetLab.Core.Links;

namespace NetLab.Core.Planning;

/// <summary>
/// A plain description of what exists in the kernel: named namespaces and their links. The agent fills it from
/// netlink dumps; the planner compares it with what a lab wants. It is also the form of a lab's desired state
/// (<see cref="DesiredState"/>), where a null MAC, MTU or hairpin means "whatever the kernel chooses".
/// </summary>
public sealed record ObservedState
{
    public static ObservedState Empty { get; } = new();

    public ValueList<ObservedNamespace> Namespaces { get; init; } = [];

    public ObservedNamespace? Namespace(string name) => Namespaces.FirstOrDefault(n => n.Name == name);

    public ObservedLink? Link(LinkReference reference) => Namespace(reference.Namespace)?.Link(reference.Name);

    /// <summary>Every link with the reference that names it.</summary>
    public IEnumerable<(LinkReference Reference, ObservedLink Link)> AllLinks =>
        Namespaces.SelectMany(n => n.Links.Select(l => (new LinkReference(n.Name, l.Name), l)));

    public override string ToString() => string.Join(Environment.NewLine, Namespaces);
}

public sealed record ObservedNamespace(string Name)
{
    public ValueList<ObservedLink> Links { get; init; } = [];

    public ObservedLink? Link(string name) => Links.FirstOrDefault(l => l.Name == name);

    public override string ToString() => $"{Name}: {string.Join("; ", Links)}";
}

/// <summary>A link by namespace (kernel name) and interface name.</summary>
public sealed record LinkReference(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>One network interface and its state.</summary>
public sealed record ObservedLink(string Name, LinkSpec Spec)
{
    public MacAddress? Mac { get; init; }

    public int? Mtu { get; init; }

    public bool Up { get; init; }

    public ValueList<InterfaceAddress> Addresses { get; init; } = [];

    /// <summary>Name of the bridge (in the same namespace) this link is a port of.</summary>
    public string? Master { get; init; }

    /// <summary>Bridge ports only: whether frames may leave by the port they came in on.</summary>
    public bool? Hairpin { get; init; }

    public override string ToString()
    {
        var parts = new List<string> { $"{Name} {Spec}", Up ? "up" : "down" };
        if (Mac is { } mac)
        {
            parts.Add($"mac {mac}");
        }

        if (Mtu is { } mtu)
        {
            parts.Add($"mtu {mtu}");
        }

        if (Addresses.Count > 0)
        {
            parts.Add("addr " + string.Join(",", Addresses));
        }

        if (Master is not null)
        {
            parts.Add($"master {Master}");
        }

        if (Hairpin is { } hairpin)
        {
            parts.Add($"hairpin {(hairpin ? "on" : "off")}");
        }

        return string.Join(" ", parts);
    }
}

/// <summary>
/// What a link is: everything fixed when it is created. Two links with different specs are different links,
/// so the planner changes a spec by deleting the link and creating it again.
/// </summary>
public sealed record LinkSpec
{
    /// <summary>The loopback device every namespace has.</summary>
    public static LinkSpec Loopback { get; } = new() { OtherKind = "loopback" };

    /// <summary>The kind NetLab models, or null for another device (lo, a tun, ...), named by <see cref="OtherKind"/>.</summary>
    public LinkKind? Kind { get; init; }

    public string? OtherKind { get; init; }

    /// <summary>The lower device (macvlan, macvtap, vlan) or underlay (vxlan).</summary>
    public LinkReference? Parent { get; init; }

    /// <summary>veth only: the other end.</summary>
    public LinkReference? Peer { get; init; }

    public MacvlanMode? MacvlanMode { get; init; }

    public bool NoPromisc { get; init; }

    public ValueList<MacAddress> SourceMacs { get; init; } = [];

    public int? VlanId { get; init; }

    public VlanProtocol? VlanProtocol { get; init; }

    public long? Vni { get; init; }

    public int? VxlanPort { get; init; }

    public IPAddress? Remote { get; init; }

    public IPAddress? Local { get; init; }

    public IPAddress? Group { get; init; }

    public bool IsLoopback => Kind is null && OtherKind == "loopback";

    public override string ToString()
    {
        var text = Kind?.KernelName() ?? OtherKind ?? "?";
        if (Parent is not null)
        {
            text += $"@{Parent}";
        }

        if (Peer is not null)
        {
            text += $" peer {Peer}";
        }

        if (MacvlanMode is { } mode)
        {
            text += $" mode {mode.Word()}" + (NoPromisc ? " nopromisc" : "");
        }

        if (VlanId is { } id)
        {
            text += $" id {id}";
        }

        if (Vni is { } vni)
        {
            text += $" vni {vni}";
        }

        return text;
    }
}
