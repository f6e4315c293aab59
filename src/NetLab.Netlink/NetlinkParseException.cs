namespace NetLab.Netlink;

/// <summary>A reply that does not parse: truncated, misaligned or inconsistent bytes.</summary>
public sealed class NetlinkParseException(string detail)
    : Exception($"Malformed netlink message: {detail}.");
