using System.Net;
using System.Net.Sockets;

namespace NetLab.Netlink.Addresses;

/// <summary>An IP address on an interface, with its prefix length (as `ip addr` shows it: 100.0.0.2/24).</summary>
public sealed record Address(int InterfaceIndex, IPAddress Ip, int PrefixLength)
{
    public byte Scope { get; init; }

    public string? Label { get; init; }

    /// <summary>IFA_F_* flags (<see cref="AddressFlags"/>): sent with an add, read back from the kernel.</summary>
    public uint Flags { get; init; }

    /// <summary>Still undergoing duplicate address detection: the kernel neither sends from it nor answers for it.</summary>
    public bool IsTentative => (Flags & AddressFlags.Tentative) != 0 && (Flags & AddressFlags.DadFailed) == 0;

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

/// <summary>IFA_F_* address flags from linux/if_addr.h (ifa_flags, or the IFA_FLAGS attribute above 0xff).</summary>
public static class AddressFlags
{
    /// <summary>Skip duplicate address detection (`ip addr add ... nodad`): the address is usable at once.</summary>
    public const uint NoDad = 0x02;

    /// <summary>Detection found the address in use; it stays tentative for good.</summary>
    public const uint DadFailed = 0x08;

    /// <summary>Detection has not finished yet.</summary>
    public const uint Tentative = 0x40;
}
