using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NetLab.Netlink.Probing;

/// <summary>What came back for an echo request: its reply, or an ICMP error about it.</summary>
public enum EchoAnswerKind
{
    Reply,
    DestinationUnreachable,
    TimeExceeded,
}

/// <summary>One ICMP message about one of our echo requests, found by its identifier and sequence number.</summary>
public readonly record struct EchoAnswer(EchoAnswerKind Kind, ushort Identifier, ushort Sequence, IPAddress From, byte Code)
{
    /// <summary>The error in words, as `ping` prints it ("Destination Host Unreachable"); null for a reply.</summary>
    public string? Describe() => (Kind, From.AddressFamily, Code) switch
    {
        (EchoAnswerKind.Reply, _, _) => null,
        (EchoAnswerKind.TimeExceeded, _, _) => $"Time to live exceeded (from {From})",
        (_, AddressFamily.InterNetwork, 0) => $"Destination Net Unreachable (from {From})",
        (_, AddressFamily.InterNetwork, 1) => $"Destination Host Unreachable (from {From})",
        (_, AddressFamily.InterNetwork, 9 or 10 or 13) => $"Communication administratively prohibited (from {From})",
        (_, AddressFamily.InterNetworkV6, 0) => $"No route (from {From})",
        (_, AddressFamily.InterNetworkV6, 1) => $"Administratively prohibited (from {From})",
        (_, AddressFamily.InterNetworkV6, 3) => $"Address unreachable (from {From})",
        _ => $"Destination unreachable, code {Code} (from {From})",
    };
}

/// <summary>
/// ICMP and ICMPv6 echo messages as `ping` sends them (8-byte header and 56 bytes of data), and the reading of what a
/// raw socket receives: IPv4 raw sockets hand over the IP header too, ICMPv6 raw sockets only the ICMPv6 message.
/// </summary>
public static class IcmpEcho
{
    public const int DataLength = 56;

    private const byte EchoReplyV4 = 0;
    private const byte UnreachableV4 = 3;
    private const byte EchoRequestV4 = 8;
    private const byte TimeExceededV4 = 11;
    private const byte UnreachableV6 = 1;
    private const byte TimeExceededV6 = 3;
    private const byte EchoRequestV6 = 128;
    private const byte EchoReplyV6 = 129;
    private const int Ipv6HeaderLength = 40;

    /// <summary>ICMP types a probe's socket needs to see; every other type is filtered out by the kernel (ICMP_FILTER/ICMP6_FILTER).</summary>
    internal static readonly byte[] WantedV4 = [EchoReplyV4, UnreachableV4, TimeExceededV4];

    internal static readonly byte[] WantedV6 = [EchoReplyV6, UnreachableV6, TimeExceededV6];

    /// <summary>An echo request; the IPv4 checksum is computed here, the ICMPv6 one by the kernel (it must cover the pseudo-header).</summary>
    public static byte[] Request(AddressFamily family, ushort identifier, ushort sequence)
    {
        var packet = new byte[8 + DataLength];
        packet[0] = family == AddressFamily.InterNetworkV6 ? EchoRequestV6 : EchoRequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        for (var i = 0; i < DataLength; i++)
        {
            packet[8 + i] = (byte)(0x10 + i);
        }

        if (family != AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        }

        return packet;
    }

    /// <summary>Reads what an IPv4 raw ICMP socket received (IP header first); false for anything that is not about an echo request.</summary>
    public static bool TryReadV4(ReadOnlySpan<byte> datagram, out EchoAnswer answer)
    {
        answer = default;
        if (!TryIpv4Header(datagram, out var headerLength, out var source))
        {
            return false;
        }

        var icmp = datagram[headerLength..];
        if (icmp.Length < 8)
        {
            return false;
        }

        switch (icmp[0])
        {
            case EchoReplyV4:
                answer = new EchoAnswer(EchoAnswerKind.Reply, ReadU16(icmp, 4), ReadU16(icmp, 6), source, icmp[1]);
                return true;
            case UnreachableV4 or TimeExceededV4:
                // The error quotes our request: its IP header, then at least 8 bytes of the ICMP message.
                var quoted = icmp[8..];
                if (!TryIpv4Header(quoted, out var quotedLength, out _) || quoted.Length < quotedLength + 8 || quoted[9] != 1 || quoted[quotedLength] != EchoRequestV4)
                {
                    return false;
                }

                var kind = icmp[0] == UnreachableV4 ? EchoAnswerKind.DestinationUnreachable : EchoAnswerKind.TimeExceeded;
                answer = new EchoAnswer(kind, ReadU16(quoted, quotedLength + 4), ReadU16(quoted, quotedLength + 6), source, icmp[1]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Reads what an ICMPv6 raw socket received (no IPv6 header); <paramref name="source"/> is the sender's address from recvfrom.</summary>
    public static bool TryReadV6(ReadOnlySpan<byte> message, IPAddress source, out EchoAnswer answer)
    {
        answer = default;
        if (message.Length < 8)
        {
            return false;
        }

        switch (message[0])
        {
            case EchoReplyV6:
                answer = new EchoAnswer(EchoAnswerKind.Reply, ReadU16(message, 4), ReadU16(message, 6), source, message[1]);
                return true;
            case UnreachableV6 or TimeExceededV6:
                // The quoted packet: a 40-byte IPv6 header (next header 58, ICMPv6) and our request.
                var quoted = message[8..];
                if (quoted.Length < Ipv6HeaderLength + 8 || quoted[6] != 58 || quoted[Ipv6HeaderLength] != EchoRequestV6)
                {
                    return false;
                }

                var kind = message[0] == UnreachableV6 ? EchoAnswerKind.DestinationUnreachable : EchoAnswerKind.TimeExceeded;
                answer = new EchoAnswer(kind, ReadU16(quoted, Ipv6HeaderLength + 4), ReadU16(quoted, Ipv6HeaderLength + 6), source, message[1]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static bool TryIpv4Header(ReadOnlySpan<byte> packet, out int headerLength, out IPAddress source)
    {
        headerLength = 0;
        source = IPAddress.None;
        if (packet.Length < 20 || packet[0] >> 4 != 4)
        {
            return false;
        }

        headerLength = (packet[0] & 0x0f) * 4;
        if (headerLength < 20 || packet.Length < headerLength)
        {
            return false;
        }

        source = new IPAddress(packet.Slice(12, 4));
        return true;
    }

    private static ushort ReadU16(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
}
