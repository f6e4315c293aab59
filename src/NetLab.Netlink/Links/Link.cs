using System.Net;
using NetLab.Core.Links;
using NetLab.Netlink.Namespaces;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Links;

/// <summary>
/// A network interface as NetLab asks for it and as a dump reads it back. The shape follows vishvananda/netlink:
/// common attributes here, one derived record per kind for what only that kind has.
/// </summary>
public abstract record Link
{
    /// <summary>Interface name (at most 15 bytes).</summary>
    public required string Name { get; init; }

    /// <summary>ifindex; 0 when asking the kernel to choose.</summary>
    public int Index { get; init; }

    public int? Mtu { get; init; }

    public MacAddress? Address { get; init; }

    /// <summary>IFLA_LINK: the parent (lower device) for macvlan/vlan/..., the peer for a veth.</summary>
    public int? ParentIndex { get; init; }

    /// <summary>IFLA_LINK_NETNSID: set when the parent or peer lives in another namespace.</summary>
    public int? ParentNetnsId { get; init; }

    public int? MasterIndex { get; init; }

    public string? Alias { get; init; }

    public int? TxQueueLength { get; init; }

    /// <summary>Where to create the link; null creates it in the handle's own namespace.</summary>
    public NetworkNamespace? TargetNamespace { get; init; }

    /// <summary>Observed only: IFF_* flags.</summary>
    public LinkFlags Flags { get; init; }

    /// <summary>Observed only: RFC 2863 operational state.</summary>
    public OperState OperState { get; init; }

    /// <summary>Observed only: IFLA_CARRIER.</summary>
    public bool? Carrier { get; init; }

    /// <summary>Observed only: the 64-bit counters.</summary>
    public LinkStatistics? Statistics { get; init; }

    /// <summary>Observed only: the bridge-port hairpin flag of a bridge port (IFLA_BRPORT_MODE).</summary>
    public bool? Hairpin { get; init; }

    /// <summary>Observed only: IFLA_INFO_SLAVE_KIND, e.g. "bridge" for a bridge port.</summary>
    public string? PortKind { get; init; }

    public bool IsUp => (Flags & LinkFlags.Up) != 0;

    /// <summary>IFLA_INFO_KIND, e.g. "macvlan"; null for a device without one (a real NIC, lo).</summary>
    public abstract string? Kind { get; }
}

public sealed record Veth : Link
{
    public override string Kind => "veth";

    /// <summary>Name of the other end (create only).</summary>
    public string? PeerName { get; init; }

    public MacAddress? PeerAddress { get; init; }

    /// <summary>Namespace for the other end (create only); null puts it beside this end.</summary>
    public NetworkNamespace? PeerNamespace { get; init; }
}

/// <summary>macvlan; <see cref="Macvtap"/> shares every field.</summary>
public record Macvlan : Link
{
    public override string Kind => "macvlan";

    public MacvlanMode Mode { get; init; } = MacvlanMode.Vepa;

    /// <summary>passthru only: do not put the parent into promiscuous mode.</summary>
    public bool NoPromisc { get; init; }

    /// <summary>source mode: the source MACs whose frames this child receives.</summary>
    public IReadOnlyList<MacAddress> SourceAddresses { get; init; } = [];
}

public sealed record Macvtap : Macvlan
{
    public override string Kind => "macvtap";
}

public sealed record Vlan : Link
{
    public override string Kind => "vlan";

    public int VlanId { get; init; }

    public VlanProtocol Protocol { get; init; } = VlanProtocol.Dot1Q;
}

public sealed record Bridge : Link
{
    public override string Kind => "bridge";
}

public sealed record Vxlan : Link
{
    public override string Kind => "vxlan";

    public uint Vni { get; init; }

    /// <summary>UDP destination port; the kernel defaults to 8472 when it is not given, iproute2 to 4789.</summary>
    public ushort? Port { get; init; }

    public IPAddress? Group { get; init; }

    public IPAddress? Local { get; init; }

    /// <summary>IFLA_VXLAN_LINK: the device used for multicast and as the underlay.</summary>
    public int? UnderlayIndex { get; init; }
}

public sealed record Dummy : Link
{
    public override string Kind => "dummy";
}

public sealed record Ipvlan : Link
{
    public override string Kind => "ipvlan";

    /// <summary>IPVLAN_MODE_L2 = 0, L3 = 1, L3S = 2.</summary>
    public int Mode { get; init; }
}

/// <summary>A device of a kind NetLab does not model (lo, a real NIC, tun, ...), read back from a dump.</summary>
public sealed record OtherLink : Link
{
    public string? KernelKind { get; init; }

    public override string? Kind => KernelKind;
}

/// <summary>IF_OPER_* from linux/if.h.</summary>
public enum OperState : byte
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}

/// <summary>The first counters of struct rtnl_link_stats64.</summary>
public sealed record LinkStatistics(
    ulong RxPackets,
    ulong TxPackets,
    ulong RxBytes,
    ulong TxBytes,
    ulong RxErrors,
    ulong TxErrors,
    ulong RxDropped,
    ulong TxDropped);
