using System.Net;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Netlink.Links;

namespace NetLab.Agent.Engine;

/// <summary>Translates between Core's kernel-neutral link descriptions and NetLab.Netlink's typed links.</summary>
internal static class LinkTranslation
{
    /// <summary>The Netlink request for a planned link; parent/peer indexes and namespaces are filled by the caller.</summary>
    public static Link ToNetlink(string name, LinkSpec spec, int? parentIndex) => spec.Kind switch
    {
        LinkKind.Veth => new Veth { Name = name, PeerName = spec.Peer?.Name },
        LinkKind.Macvlan => new Macvlan { Name = name, ParentIndex = parentIndex, Mode = spec.MacvlanMode ?? MacvlanMode.Vepa, NoPromisc = spec.NoPromisc, SourceAddresses = [.. spec.SourceMacs] },
        LinkKind.Macvtap => new Macvtap { Name = name, ParentIndex = parentIndex, Mode = spec.MacvlanMode ?? MacvlanMode.Vepa, NoPromisc = spec.NoPromisc, SourceAddresses = [.. spec.SourceMacs] },
        LinkKind.Vlan => new Vlan { Name = name, ParentIndex = parentIndex, VlanId = spec.VlanId ?? 0, Protocol = spec.VlanProtocol ?? VlanProtocol.Dot1Q },
        LinkKind.Bridge => new Bridge { Name = name },
        LinkKind.Dummy => new Dummy { Name = name },
        LinkKind.Ipvlan => new Ipvlan { Name = name, ParentIndex = parentIndex },
        LinkKind.Vxlan => new Vxlan
        {
            Name = name,
            Vni = (uint)(spec.Vni ?? 0),
            Port = spec.VxlanPort is { } port ? (ushort)port : null,

            // The kernel keeps a unicast remote and a multicast group in the same attribute (IFLA_VXLAN_GROUP).
            Group = spec.Group ?? spec.Remote,
            Local = spec.Local,
            UnderlayIndex = parentIndex,
        },
        _ => throw new AgentRefusalException($"NetLab cannot create a link of kind '{spec.Kind?.KernelName() ?? spec.OtherKind}'."),
    };

    /// <summary>What a dumped link is, in Core's terms; parent and peer references are resolved by the caller.</summary>
    public static LinkSpec ToSpec(Link link, LinkReference? parentOrPeer)
    {
        if (link.Name == "lo" && link.Kind is null)
        {
            return LinkSpec.Loopback;
        }

        return link switch
        {
            Veth => new LinkSpec { Kind = LinkKind.Veth, Peer = parentOrPeer },
            Macvtap m => new LinkSpec { Kind = LinkKind.Macvtap, Parent = parentOrPeer, MacvlanMode = m.Mode, NoPromisc = m.NoPromisc, SourceMacs = [.. m.SourceAddresses] },
            Macvlan m => new LinkSpec { Kind = LinkKind.Macvlan, Parent = parentOrPeer, MacvlanMode = m.Mode, NoPromisc = m.NoPromisc, SourceMacs = [.. m.SourceAddresses] },
            Vlan v => new LinkSpec { Kind = LinkKind.Vlan, Parent = parentOrPeer, VlanId = v.VlanId, VlanProtocol = v.Protocol },
            Bridge => new LinkSpec { Kind = LinkKind.Bridge },
            Dummy => new LinkSpec { Kind = LinkKind.Dummy },
            Ipvlan => new LinkSpec { Kind = LinkKind.Ipvlan, Parent = parentOrPeer },
            Vxlan x => new LinkSpec
            {
                Kind = LinkKind.Vxlan,
                Parent = parentOrPeer,
                Vni = x.Vni,
                VxlanPort = x.Port,
                Group = x.Group is { IsIPv6Multicast: true } || IsIPv4Multicast(x.Group) ? x.Group : null,
                Remote = x.Group is { IsIPv6Multicast: true } || IsIPv4Multicast(x.Group) ? null : x.Group,
                Local = x.Local,
            },
            _ => new LinkSpec { OtherKind = link.Kind ?? "device" },
        };
    }

    /// <summary>The index a dumped link refers to as parent (or peer, for a veth).</summary>
    public static int? ParentIndexOf(Link link) => link switch
    {
        Vxlan x => x.UnderlayIndex,
        _ => link.ParentIndex,
    };

    public static InterfaceState ToState(Link link, string? parent, IEnumerable<string> addresses, string? master) => new(
        link.Name,
        link.Index,
        link.Name == "lo" && link.Kind is null ? "loopback" : link.Kind,
        link switch
        {
            Macvlan m => m.Mode.Word() + (m.NoPromisc ? " nopromisc" : string.Empty),
            Vlan v => v.Protocol.Word(),
            _ => null,
        },
        (link as Vlan)?.VlanId,
        parent,
        link.Address?.ToString(),
        link.Mtu,
        link.IsUp,
        OperStateWord(link.OperState),
        link.Carrier,
        addresses.ToList(),
        master,
        link.Hairpin,
        link.Statistics?.RxBytes ?? 0,
        link.Statistics?.TxBytes ?? 0,
        link.Statistics?.RxPackets ?? 0,
        link.Statistics?.TxPackets ?? 0);

    public static string OperStateWord(OperState state) => state switch
    {
        OperState.Up => "up",
        OperState.Down => "down",
        OperState.LowerLayerDown => "lowerlayerdown",
        OperState.Dormant => "dormant",
        OperState.NotPresent => "notpresent",
        OperState.Testing => "testing",
        _ => "unknown",
    };

    private static bool IsIPv4Multicast(IPAddress? address) =>
        address?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0;
}
