using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NetLab.Core.Links;

/// <summary>An address with its prefix length as `ip addr add` takes it: 100.0.0.2/24, 2001:db8::1/64.</summary>
public readonly record struct InterfaceAddress(IPAddress Address, int PrefixLength)
{
    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public int MaxPrefixLength => IsIPv6 ? 128 : 32;

    /// <summary>
    /// A lab's IPv6 addresses are added without duplicate address detection (`ip addr add ... nodad`): a new address
    /// is tentative for 1-2 s, during which the kernel neither sends from it nor answers for it, so a check right after
    /// an apply would fail pairs the kernel answers a second later. The validator refuses an address used twice in a
    /// lab and lab namespaces share no link with the machine, so detection has nothing to find. (The kernel has no
    /// detection for IPv4.) The agent adds them so and the teaching view prints the same `nodad`.
    /// </summary>
    public bool SkipsDuplicateDetection => IsIPv6;

    /// <summary>fe80::/10 addresses appear by themselves when an interface comes up; labs do not manage them.</summary>
    public bool IsIPv6LinkLocal => IsIPv6 && Address.IsIPv6LinkLocal;

    /// <summary>Returns null when the text is a valid interface address, else what is wrong.</summary>
    public static string? Problem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "an address is empty";
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return $"'{text}' has no prefix length";
        }

        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var ip) || text.AsSpan(0, slash).Contains('%'))
        {
            return $"'{text[..slash]}' in '{text}' is not an IPv4 or IPv6 address";
        }

        var max = ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > max)
        {
            return $"'{text[(slash + 1)..]}' in '{text}' is not a prefix length from 0 to {max}";
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork && ip.GetAddressBytes() is [0, 0, 0, 0] || ip.Equals(IPAddress.IPv6Any))
        {
            return $"'{text}' is the unspecified address, which no interface can have";
        }

        if (IsMulticast(ip))
        {
            return $"'{text}' is a multicast address, which cannot be assigned to an interface";
        }

        return null;
    }

    public static bool TryParse(string? text, out InterfaceAddress address)
    {
        address = default;
        if (Problem(text) is not null)
        {
            return false;
        }

        var slash = text!.IndexOf('/', StringComparison.Ordinal);
        address = new InterfaceAddress(IPAddress.Parse(text.AsSpan(0, slash)), int.Parse(text.AsSpan(slash + 1), CultureInfo.InvariantCulture));
        return true;
    }

    public static InterfaceAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException(Problem(text));

    public static bool IsMulticast(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6
        ? ip.IsIPv6Multicast
        : ip.GetAddressBytes()[0] is >= 224 and <= 239;

    /// <summary>True when the two subnets share any address (one contains the other).</summary>
    public bool Overlaps(InterfaceAddress other)
    {
        if (Address.AddressFamily != other.Address.AddressFamily)
        {
            return false;
        }

        var shorter = Math.Min(PrefixLength, other.PrefixLength);
        return SamePrefix(Address.GetAddressBytes(), other.Address.GetAddressBytes(), shorter);
    }

    private static bool SamePrefix(byte[] a, byte[] b, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
