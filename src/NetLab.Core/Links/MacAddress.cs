using System.Globalization;

namespace NetLab.Core.Links;

/// <summary>A 48-bit Ethernet address.</summary>
public readonly record struct MacAddress
{
    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    public static MacAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 6)
        {
            throw new ArgumentException($"An Ethernet address has 6 bytes, not {bytes.Length}.", nameof(bytes));
        }

        ulong value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return new MacAddress(value);
    }

    public static bool TryParse(string? text, out MacAddress address)
    {
        address = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            return false;
        }

        ulong value = 0;
        foreach (var part in parts)
        {
            if (part.Length is < 1 or > 2 || !byte.TryParse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        address = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) => TryParse(text, out var address)
        ? address
        : throw new FormatException($"'{text}' is not a MAC address; write six hex pairs separated by ':', e.g. 02:00:00:00:00:01.");

    public byte[] ToBytes()
    {
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(_value >> (8 * (5 - i)));
        }

        return bytes;
    }

    /// <summary>Multicast addresses (low bit of the first byte) cannot be assigned to an interface.</summary>
    public bool IsMulticast => ((_value >> 40) & 1) == 1;

    public bool IsZero => _value == 0;

    public override string ToString() => string.Join(':', ToBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
