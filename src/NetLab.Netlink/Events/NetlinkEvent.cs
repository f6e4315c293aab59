using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;

namespace NetLab.Netlink.Events;

/// <summary>Something that happened in a watched namespace. <see cref="Namespace"/> is its /run/netns name, or null for the host's.</summary>
public abstract record NetlinkEvent(string? Namespace, DateTimeOffset At);

/// <summary>The full state of a namespace: sent first for every namespace, and again after a resync.</summary>
public sealed record NamespaceSnapshot(string? Namespace, DateTimeOffset At, IReadOnlyList<Link> Links, IReadOnlyList<Address> Addresses, bool IsResync)
    : NetlinkEvent(Namespace, At);

/// <summary>RTM_NEWLINK: a link appeared or changed; <see cref="Link"/> is its whole new state.</summary>
public sealed record LinkChanged(string? Namespace, DateTimeOffset At, Link Link) : NetlinkEvent(Namespace, At);

/// <summary>RTM_DELLINK: a link is gone (deleted, or moved to another namespace).</summary>
public sealed record LinkRemoved(string? Namespace, DateTimeOffset At, Link Link) : NetlinkEvent(Namespace, At);

public sealed record AddressAdded(string? Namespace, DateTimeOffset At, Address Address) : NetlinkEvent(Namespace, At);

public sealed record AddressRemoved(string? Namespace, DateTimeOffset At, Address Address) : NetlinkEvent(Namespace, At);

/// <summary>
/// The kernel dropped events for this namespace (the socket's buffer overran: ENOBUFS). Changes were lost;
/// a <see cref="NamespaceSnapshot"/> with IsResync follows with the state as it is now.
/// </summary>
public sealed record ResyncNeeded(string? Namespace, DateTimeOffset At, string Reason) : NetlinkEvent(Namespace, At);
