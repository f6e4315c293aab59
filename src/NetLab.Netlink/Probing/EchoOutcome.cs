using System.Net;

namespace NetLab.Netlink.Probing;

/// <summary>
/// What one echo from a namespace to <paramref name="Target"/> showed: whether a reply came within the timeout and
/// after how long, the route the kernel chose, and the neighbour entry of the next hop after the wait.
/// </summary>
/// <param name="Target">The address pinged.</param>
/// <param name="Replied">An echo reply with our identifier and sequence number came back within the timeout.</param>
/// <param name="RttMilliseconds">From the send to the reply's arrival, when there was one.</param>
/// <param name="Route">The kernel's route lookup; null when there is no route (then <paramref name="Errno"/> says ENETUNREACH).</param>
/// <param name="Neighbor">
/// The next hop's neighbour entry on the output interface after the wait; null when the route needs none (local,
/// no route) or the kernel made none (the send failed before resolution started).
/// </param>
/// <param name="Error">Why the echo failed beyond "no reply": a send error or an ICMP error about it, in words.</param>
/// <param name="Errno">The errno name of a send or route error (ENETUNREACH, EHOSTUNREACH, ENETDOWN...).</param>
public sealed record EchoOutcome(IPAddress Target, bool Replied, double? RttMilliseconds, RouteLookup? Route, Neighbor? Neighbor, string? Error = null, string? Errno = null);
