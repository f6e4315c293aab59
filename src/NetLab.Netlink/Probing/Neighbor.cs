using System.Net;
using System.Net.Sockets;
using NetLab.Core.Links;

namespace NetLab.Netlink.Probing;

/// <summary>NUD_* states of a neighbour entry (linux/neighbour.h), as `ip neigh` names them.</summary>
[Flags]
public enum NeighborState : ushort
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,
    NoArp = 0x40,
    Permanent = 0x80,
}

/// <summary>One entry of a namespace's neighbour table (ARP for IPv4, neighbour discovery for IPv6), as `ip neigh show` lists it.</summary>
/// <param name="InterfaceIndex">The interface the entry belongs to.</param>
/// <param name="Destination">The neighbour's IP address.</param>
/// <param name="LinkLayerAddress">Its MAC address, once resolved (absent while INCOMPLETE or FAILED).</param>
/// <param name="State">The NUD state.</param>
public sealed record Neighbor(int InterfaceIndex, IPAddress Destination, MacAddress? LinkLayerAddress, NeighborState State)
{
    public AddressFamily Family => Destination.AddressFamily;

    /// <summary>
    /// The neighbour answered at some point: its MAC address is known (REACHABLE, STALE, DELAY and PROBE all follow an
    /// answer; PERMANENT was set by hand). INCOMPLETE and FAILED mean the requests went unanswered.
    /// </summary>
    public bool WasAnswered => (State & (NeighborState.Reachable | NeighborState.Stale | NeighborState.Delay | NeighborState.Probe | NeighborState.Permanent)) != 0;

    /// <summary>Resolution was tried and nobody answered (yet).</summary>
    public bool IsUnanswered => !WasAnswered && (State & (NeighborState.Incomplete | NeighborState.Failed)) != 0;

    /// <summary>The state the way `ip neigh show` prints it (e.g. "REACHABLE", "STALE").</summary>
    public static string Describe(NeighborState state) => state == NeighborState.None
        ? "NONE"
        : string.Join(' ', Enum.GetValues<NeighborState>().Where(s => s != NeighborState.None && (state & s) == s).Select(s => s switch
        {
            NeighborState.NoArp => "NOARP",
            _ => s.ToString().ToUpperInvariant(),
        }));

    public override string ToString() => $"{Destination} dev {InterfaceIndex}{(LinkLayerAddress is { } mac ? $" lladdr {mac}" : "")} {Describe(State)}";
}
