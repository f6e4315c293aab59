using System.Net;

namespace NetLab.Netlink.Probing;

/// <summary>RTN_* route types (linux/rtnetlink.h) that a lookup can answer.</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
    Nat = 10,
}

/// <summary>
/// Where the kernel would send a packet to <paramref name="Destination"/>, as `ip route get` shows it: the route type
/// (Local: one of the namespace's own addresses, delivered through lo), the output interface, and the gateway when the
/// destination is not on a directly connected network (the next hop whose link-layer address must be resolved).
/// </summary>
public sealed record RouteLookup(IPAddress Destination, RouteType Type, int? OutputInterfaceIndex, IPAddress? Gateway, IPAddress? PreferredSource)
{
    /// <summary>The address whose neighbour entry decides whether layer 2 works: the gateway, else the destination itself.</summary>
    public IPAddress NextHop => Gateway ?? Destination;
}
