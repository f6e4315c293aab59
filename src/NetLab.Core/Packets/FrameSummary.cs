using System.Globalization;
using System.Net;
using System.Text;
using NetLab.Core.Links;

namespace NetLab.Core.Packets;

/// <summary>An 802.1Q (C-tag) or 802.1ad (S-tag) VLAN tag as it sat in the frame.</summary>
/// <param name="Protocol">The tag's TPID: 0x8100 (802.1Q), 0x88a8 (802.1ad) or the older 0x9100.</param>
/// <param name="Id">The VLAN id (0-4095).</param>
/// <param name="Priority">The 802.1p priority code point (0-7).</param>
/// <param name="DropEligible">The DEI (formerly CFI) bit.</param>
public sealed record VlanTag(ushort Protocol, int Id, int Priority, bool DropEligible)
{
    public const ushort Dot1Q = 0x8100;
    public const ushort Dot1Ad = 0x88a8;
    public const ushort QinQ9100 = 0x9100;

    /// <summary>Whether <paramref name="etherType"/> announces a VLAN tag.</summary>
    public static bool IsTagProtocol(ushort etherType) => etherType is Dot1Q or Dot1Ad or QinQ9100;

    /// <summary>The tag as tcpdump prints it ("vlan 888, p 0"), with the standard named when it is not plain 802.1Q.</summary>
    public override string ToString()
    {
        var standard = Protocol switch
        {
            Dot1Q => "",
            Dot1Ad => "802.1ad ",
            _ => $"0x{Protocol:x4} ",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{standard}vlan {Id}, p {Priority}{(DropEligible ? ", DEI" : "")}");
    }
}

/// <summary>
/// What a captured Ethernet frame is, decoded as far as its bytes allow: addresses, VLAN tags, the network protocol
/// and its addresses, the transport ports and a protocol detail (ICMP type, ARP question, TCP flags).
/// <see cref="Text"/> is one line in the spirit of `tcpdump -e -n`.
/// </summary>
/// <param name="Length">The captured length in bytes.</param>
/// <param name="Source">The source MAC, or null when the frame is shorter than an Ethernet header.</param>
/// <param name="Destination">The destination MAC, or null when the frame is shorter than an Ethernet header.</param>
/// <param name="Tags">VLAN tags, outermost first.</param>
/// <param name="EtherType">The ethertype after the tags (or the 802.3 length field when below 0x0600); null when cut off.</param>
/// <param name="Protocol">The innermost protocol understood: ARP, IPv4, IPv6, ICMP, ICMPv6, TCP, UDP, 802.3, or the ethertype in hex.</param>
/// <param name="SourceAddress">IP source (ARP: the sender's protocol address).</param>
/// <param name="DestinationAddress">IP destination (ARP: the target's protocol address).</param>
/// <param name="SourcePort">TCP/UDP source port.</param>
/// <param name="DestinationPort">TCP/UDP destination port.</param>
/// <param name="Detail">The protocol's own words: "echo request, id 1, seq 2", "Request who-has 10.0.0.2 tell 10.0.0.1", "Flags [S]".</param>
/// <param name="Truncated">The bytes ended (or a length field pointed) before a header did: the summary stops where they did.</param>
public sealed record FrameSummary(
    int Length,
    MacAddress? Source,
    MacAddress? Destination,
    IReadOnlyList<VlanTag> Tags,
    ushort? EtherType,
    string Protocol,
    IPAddress? SourceAddress,
    IPAddress? DestinationAddress,
    int? SourcePort,
    int? DestinationPort,
    string Detail,
    bool Truncated)
{
    /// <summary>The outermost tag's VLAN id, if the frame is tagged.</summary>
    public int? VlanId => Tags.Count > 0 ? Tags[0].Id : null;

    /// <summary>One line, e.g. "02:..:01 > 02:..:02, vlan 888, p 0: IP 88.8.8.8 > 88.8.8.88: ICMP echo request, id 7, seq 1, length 64".</summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder();
            if (Source is null || Destination is null)
            {
                text.Append(CultureInfo.InvariantCulture, $"[|ether] length {Length}");
                return text.ToString();
            }

            text.Append(CultureInfo.InvariantCulture, $"{Source} > {Destination}");
            foreach (var tag in Tags)
            {
                text.Append(", ").Append(tag);
            }

            text.Append(": ");
            text.Append(Protocol == "ARP" ? "ARP, "
                : SourceAddress is null ? ""
                : SourceAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "IP " : "IP6 ");

            if (Protocol != "ARP" && SourceAddress is not null && DestinationAddress is not null)
            {
                text.Append(Endpoint(SourceAddress, SourcePort)).Append(" > ").Append(Endpoint(DestinationAddress, DestinationPort)).Append(": ");
            }

            text.Append(Detail);
            if (Truncated)
            {
                text.Append(" [|truncated]");
            }

            return text.ToString();
        }
    }

    public override string ToString() => Text;

    private static string Endpoint(IPAddress address, int? port) => port is null
        ? address.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"{address}.{port}");
}
