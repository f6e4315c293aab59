using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using NetLab.Core.Links;

namespace NetLab.Core.Packets;

/// <summary>
/// Decodes an Ethernet frame into a <see cref="FrameSummary"/>. Total: any byte sequence gives a summary and never an
/// exception, because captured bytes come from the wire (and from a snap length that may cut any header); where the
/// bytes end or a length field lies, the summary stops there and says so (<see cref="FrameSummary.Truncated"/>).
/// </summary>
public static class FrameDecoder
{
    private const int EthernetHeaderLength = 14;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIPv6 = 0x86dd;

    /// <summary>More tags than this is not a frame a lab makes; the bound keeps a frame of 0x8100s from looping long.</summary>
    private const int MaxTags = 8;

    /// <summary>IPv6 extension headers followed before giving up (a chain longer than this is not honest traffic).</summary>
    private const int MaxExtensionHeaders = 8;

    private const byte IpProtoIcmp = 1;
    private const byte IpProtoTcp = 6;
    private const byte IpProtoUdp = 17;
    private const byte IpProtoIcmpV6 = 58;

    public static FrameSummary Decode(ReadOnlySpan<byte> frame)
    {
        var summary = new Builder(frame.Length);
        if (frame.Length < EthernetHeaderLength)
        {
            summary.Protocol = "Ethernet";
            summary.Truncated = true;
            return summary.Build();
        }

        summary.Destination = MacAddress.FromBytes(frame[..6]);
        summary.Source = MacAddress.FromBytes(frame[6..12]);
        var offset = 12;
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        offset += 2;
        while (VlanTag.IsTagProtocol(etherType) && summary.Tags.Count < MaxTags)
        {
            if (frame.Length - offset < 4)
            {
                summary.Protocol = "VLAN";
                summary.Truncated = true;
                return summary.Build();
            }

            var control = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
            summary.Tags.Add(new VlanTag(etherType, control & 0x0fff, control >> 13, (control & 0x1000) != 0));
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }

        summary.EtherType = etherType;
        var payload = frame[offset..];
        switch (etherType)
        {
            case EtherTypeArp:
                DecodeArp(payload, summary);
                break;
            case EtherTypeIPv4:
                DecodeIPv4(payload, summary);
                break;
            case EtherTypeIPv6:
                DecodeIPv6(payload, summary);
                break;
            case < 0x0600:
                summary.Protocol = "802.3";
                summary.Detail = Invariant($"802.3, length {etherType}");
                break;
            default:
                summary.Protocol = Invariant($"0x{etherType:x4}");
                summary.Detail = Invariant($"ethertype {EtherTypeName(etherType)}0x{etherType:x4}, length {frame.Length}");
                break;
        }

        return summary.Build();
    }

    private static string EtherTypeName(ushort etherType) => etherType switch
    {
        0x88cc => "LLDP ",
        0x8809 => "Slow Protocols ",
        0x888e => "EAPOL ",
        0x88f7 => "PTP ",
        0x8847 => "MPLS ",
        _ => "",
    };

    private static void DecodeArp(ReadOnlySpan<byte> arp, Builder summary)
    {
        summary.Protocol = "ARP";
        if (TooShort(arp, 8, "ARP", summary))
        {
            return;
        }

        var hardwareType = BinaryPrimitives.ReadUInt16BigEndian(arp);
        var protocolType = BinaryPrimitives.ReadUInt16BigEndian(arp[2..]);
        int hardwareLength = arp[4];
        int protocolLength = arp[5];
        var operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        var operationName = operation switch
        {
            1 => "Request",
            2 => "Reply",
            3 => "Reverse Request",
            4 => "Reverse Reply",
            _ => Invariant($"operation {operation}"),
        };

        if (hardwareType != 1 || protocolType != EtherTypeIPv4 || hardwareLength != 6 || protocolLength != 4)
        {
            summary.Detail = Invariant($"{operationName}, hardware type {hardwareType}, protocol 0x{protocolType:x4}, length {arp.Length}");
            return;
        }

        if (TooShort(arp, 28, operationName, summary))
        {
            return;
        }

        var senderMac = MacAddress.FromBytes(arp.Slice(8, 6));
        var senderIp = new IPAddress(arp.Slice(14, 4));
        var targetMac = MacAddress.FromBytes(arp.Slice(18, 6));
        var targetIp = new IPAddress(arp.Slice(24, 4));
        summary.SourceAddress = senderIp;
        summary.DestinationAddress = targetIp;
        summary.Detail = operation switch
        {
            1 => Invariant($"Request who-has {targetIp}{(targetMac.IsZero ? "" : $" ({targetMac})")} tell {senderIp}, length 28"),
            2 => Invariant($"Reply {senderIp} is-at {senderMac}, length 28"),
            _ => Invariant($"{operationName} {senderIp} ({senderMac}) to {targetIp} ({targetMac}), length 28"),
        };
    }

    private static void DecodeIPv4(ReadOnlySpan<byte> packet, Builder summary)
    {
        summary.Protocol = "IPv4";
        if (TooShort(packet, 20, "IP", summary))
        {
            return;
        }

        var version = packet[0] >> 4;
        var headerLength = (packet[0] & 0x0f) * 4;
        if (version != 4 || headerLength < 20)
        {
            summary.Detail = Invariant($"IP bad header (version {version}, header length {headerLength})");
            summary.Truncated = true;
            return;
        }

        summary.SourceAddress = new IPAddress(packet.Slice(12, 4));
        summary.DestinationAddress = new IPAddress(packet.Slice(16, 4));
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        var protocol = packet[9];
        if (totalLength < headerLength || packet.Length < headerLength)
        {
            summary.Detail = Invariant($"IP bad length {totalLength}");
            summary.Truncated = true;
            return;
        }

        // The IP length is what the sender meant; Ethernet padding after it is not payload, and a snap length may cut it.
        var payloadLength = totalLength - headerLength;
        var payload = packet[headerLength..Math.Min(packet.Length, totalLength)];
        var fragmentOffset = (fragment & 0x1fff) * 8;
        if (fragmentOffset != 0)
        {
            summary.Detail = Invariant($"ip-proto-{protocol} fragment offset {fragmentOffset}, length {payloadLength}");
            return;
        }

        DecodeTransport(protocol, payload, payloadLength, isIPv6: false, summary);
    }

    private static void DecodeIPv6(ReadOnlySpan<byte> packet, Builder summary)
    {
        summary.Protocol = "IPv6";
        if (TooShort(packet, 40, "IP6", summary))
        {
            return;
        }

        if (packet[0] >> 4 != 6)
        {
            summary.Detail = Invariant($"IP6 bad version {packet[0] >> 4}");
            summary.Truncated = true;
            return;
        }

        summary.SourceAddress = new IPAddress(packet.Slice(8, 16));
        summary.DestinationAddress = new IPAddress(packet.Slice(24, 16));
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var next = packet[6];
        var payload = packet[40..Math.Min(packet.Length, 40 + payloadLength)];
        for (var skipped = 0; skipped < MaxExtensionHeaders && next is 0 or 43 or 60 or 44; skipped++)
        {
            if (TooShort(payload, 8, Invariant($"IP6 extension header {next}"), summary))
            {
                return;
            }

            if (next == 44)
            {
                var offset = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]) & 0xfff8;
                if (offset != 0)
                {
                    summary.Detail = Invariant($"ip-proto-{payload[0]} fragment offset {offset}");
                    return;
                }
            }

            var length = next == 44 ? 8 : (payload[1] + 1) * 8;
            if (payload.Length < length)
            {
                summary.Detail = Invariant($"IP6 extension header {next}");
                summary.Truncated = true;
                return;
            }

            next = payload[0];
            payloadLength -= length;
            payload = payload[length..];
        }

        DecodeTransport(next, payload, Math.Max(payloadLength, 0), isIPv6: true, summary);
    }

    private static void DecodeTransport(byte protocol, ReadOnlySpan<byte> payload, int payloadLength, bool isIPv6, Builder summary)
    {
        switch (protocol)
        {
            case IpProtoIcmp when !isIPv6:
                summary.Protocol = "ICMP";
                DecodeIcmp(payload, payloadLength, summary);
                break;
            case IpProtoIcmpV6 when isIPv6:
                summary.Protocol = "ICMPv6";
                DecodeIcmpV6(payload, payloadLength, summary);
                break;
            case IpProtoUdp:
                summary.Protocol = "UDP";
                if (TooShort(payload, 8, "UDP", summary))
                {
                    return;
                }

                summary.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(payload);
                summary.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
                summary.Detail = Invariant($"UDP, length {Math.Max(BinaryPrimitives.ReadUInt16BigEndian(payload[4..]) - 8, 0)}");
                break;
            case IpProtoTcp:
                summary.Protocol = "TCP";
                DecodeTcp(payload, payloadLength, summary);
                break;
            default:
                summary.Detail = Invariant($"ip-proto-{protocol} {payloadLength}");
                break;
        }
    }

    private static void DecodeTcp(ReadOnlySpan<byte> segment, int segmentLength, Builder summary)
    {
        if (TooShort(segment, 20, "TCP", summary))
        {
            return;
        }

        summary.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(segment);
        summary.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(segment[2..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(segment[4..]);
        var acknowledgement = BinaryPrimitives.ReadUInt32BigEndian(segment[8..]);
        var headerLength = (segment[12] >> 4) * 4;
        var flags = segment[13];
        var window = BinaryPrimitives.ReadUInt16BigEndian(segment[14..]);
        var flagText = new StringBuilder();
        foreach (var (bit, letter) in new[] { (0x02, 'S'), (0x01, 'F'), (0x04, 'R'), (0x08, 'P'), (0x20, 'U'), (0x40, 'E'), (0x80, 'W') })
        {
            if ((flags & bit) != 0)
            {
                flagText.Append(letter);
            }
        }

        if ((flags & 0x10) != 0)
        {
            flagText.Append('.');
        }

        if (headerLength < 20)
        {
            summary.Detail = Invariant($"Flags [{flagText}], bad header length {headerLength}");
            summary.Truncated = true;
            return;
        }

        var dataLength = Math.Max(segmentLength - headerLength, 0);
        summary.Detail = (flags & 0x10) != 0
            ? Invariant($"Flags [{flagText}], seq {sequence}, ack {acknowledgement}, win {window}, length {dataLength}")
            : Invariant($"Flags [{flagText}], seq {sequence}, win {window}, length {dataLength}");
    }

    private static void DecodeIcmp(ReadOnlySpan<byte> message, int messageLength, Builder summary)
    {
        if (TooShort(message, 4, "ICMP", summary))
        {
            return;
        }

        var type = message[0];
        var code = message[1];
        string text;
        switch (type)
        {
            case 0 or 8:
                if (TooShort(message, 8, type == 8 ? "ICMP echo request" : "ICMP echo reply", summary))
                {
                    return;
                }

                text = EchoText(message, request: type == 8);
                break;
            case 3:
                text = Invariant($"{UnreachableWhat(code)} unreachable{UnreachableTarget(message, code)}");
                break;
            case 5:
                text = message.Length >= 8 ? Invariant($"redirect to {new IPAddress(message.Slice(4, 4))}") : "redirect";
                break;
            case 11:
                text = code == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded";
                break;
            default:
                text = Invariant($"type {type}, code {code}");
                break;
        }

        summary.Detail = Invariant($"ICMP {text}, length {messageLength}");
    }

    private static string UnreachableWhat(byte code) => code switch
    {
        0 => "net",
        1 => "host",
        2 => "protocol",
        3 => "port",
        4 => "fragmentation needed,",
        9 or 10 or 13 => "administratively prohibited,",
        _ => Invariant($"code {code}"),
    };

    /// <summary>The quoted header an ICMP error carries names what was unreachable: "10.0.0.9 udp port 53".</summary>
    private static string UnreachableTarget(ReadOnlySpan<byte> message, byte code)
    {
        if (message.Length < 8 + 20 || message[8] >> 4 != 4)
        {
            return "";
        }

        var quoted = message[8..];
        var headerLength = (quoted[0] & 0x0f) * 4;
        var destination = new IPAddress(quoted.Slice(16, 4));
        if (code == 3 && headerLength >= 20 && quoted.Length >= headerLength + 4)
        {
            var protocol = quoted[9] switch { IpProtoUdp => "udp", IpProtoTcp => "tcp", var p => Invariant($"proto {p}") };
            return Invariant($" ({destination} {protocol} port {BinaryPrimitives.ReadUInt16BigEndian(quoted[(headerLength + 2)..])})");
        }

        return Invariant($" ({destination})");
    }

    private static void DecodeIcmpV6(ReadOnlySpan<byte> message, int messageLength, Builder summary)
    {
        if (TooShort(message, 4, "ICMP6", summary))
        {
            return;
        }

        var type = message[0];
        var code = message[1];
        string text;
        switch (type)
        {
            case 128 or 129:
                if (TooShort(message, 8, type == 128 ? "ICMP6, echo request" : "ICMP6, echo reply", summary))
                {
                    return;
                }

                text = EchoText(message, request: type == 128);
                break;
            case 135 or 136:
                if (TooShort(message, 24, type == 135 ? "ICMP6, neighbor solicitation" : "ICMP6, neighbor advertisement", summary))
                {
                    return;
                }

                var target = new IPAddress(message.Slice(8, 16));
                text = type == 135 ? Invariant($"neighbor solicitation, who has {target}") : Invariant($"neighbor advertisement, tgt is {target}");
                break;
            case 1:
                text = Invariant($"destination unreachable, {code switch { 0 => "no route", 1 => "administratively prohibited", 3 => "unreachable address", 4 => "unreachable port", _ => $"code {code}" }}");
                break;
            case 2:
                text = message.Length >= 8 ? Invariant($"packet too big, mtu {BinaryPrimitives.ReadUInt32BigEndian(message[4..])}") : "packet too big";
                break;
            case 3:
                text = "time exceeded";
                break;
            case 133:
                text = "router solicitation";
                break;
            case 134:
                text = "router advertisement";
                break;
            case 143:
                text = "multicast listener report v2";
                break;
            default:
                text = Invariant($"type {type}, code {code}");
                break;
        }

        summary.Detail = Invariant($"ICMP6, {text}, length {messageLength}");
    }

    /// <summary>Whether <paramref name="bytes"/> lacks the <paramref name="needed"/> bytes of a header; if so the summary stops there.</summary>
    private static bool TooShort(ReadOnlySpan<byte> bytes, int needed, string detail, Builder summary)
    {
        if (bytes.Length >= needed)
        {
            return false;
        }

        summary.Detail = detail;
        summary.Truncated = true;
        return true;
    }

    /// <summary>ICMP and ICMPv6 echo share their layout: type, code, checksum, identifier, sequence.</summary>
    private static string EchoText(ReadOnlySpan<byte> message, bool request) =>
        Invariant($"echo {(request ? "request" : "reply")}, id {BinaryPrimitives.ReadUInt16BigEndian(message[4..])}, seq {BinaryPrimitives.ReadUInt16BigEndian(message[6..])}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Collects the fields while decoding goes deeper; one place to build the immutable record.</summary>
    private sealed class Builder(int length)
    {
        public MacAddress? Source { get; set; }

        public MacAddress? Destination { get; set; }

        public List<VlanTag> Tags { get; } = [];

        public ushort? EtherType { get; set; }

        public string Protocol { get; set; } = "Ethernet";

        public IPAddress? SourceAddress { get; set; }

        public IPAddress? DestinationAddress { get; set; }

        public int? SourcePort { get; set; }

        public int? DestinationPort { get; set; }

        public string Detail { get; set; } = "";

        public bool Truncated { get; set; }

        public FrameSummary Build() => new(length, Source, Destination, Tags.ToArray(), EtherType, Protocol, SourceAddress, DestinationAddress, SourcePort, DestinationPort, Detail, Truncated);
    }
}
