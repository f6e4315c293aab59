using System.Net;
using System.Net.Sockets;

namespace NetLab.Netlink.Addresses;

/// <summary>An IP address on an interface, with its prefix length (as `ip addr` shows it: 100.0.0.2/24).</summary>
public sealed record Address(int InterfaceIndex, IPAddress Ip, int PrefixLength)
{
    public byte Scope { get; init; }

    public string? Label { get; init; }

    public uint Flags { get; init; }

    public AddressFamily Family => Ip.AddressFamily;

    public override string ToString() => $"{Ip}/{PrefixLength}";

    /// <summary>Parses "100.0.0.2/24" or "fd00::2/64".</summary>
    public static (IPAddress Ip, int PrefixLength) ParseCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip) || !int.TryParse(text[(slash + 1)..], out var prefix))
        {
            throw new FormatException($"'{text}' is not an address with a prefix length; write it like 100.0.0.2/24 or fd00::2/64");
        }

        var max = ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (prefix < 0 || prefix > max)
        {
            throw new FormatException($"'{text}': the prefix length must be 0-{max}");
        }

        return (ip, prefix);
    }
}
