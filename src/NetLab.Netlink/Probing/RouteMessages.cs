using System.Net;
using System.Net.Sockets;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Probing;

/// <summary>Encodes `ip route get ADDRESS` as iproute2 6.1 does, and parses its RTM_NEWROUTE answer (struct rtmsg and RTA_* attributes).</summary>
internal static class RouteMessages
{
    private const uint RTM_F_LOOKUP_TABLE = 0x1000;

    public static MessageWriter Get(IPAddress destination)
    {
        var v6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        var writer = new MessageWriter(Rtm.RTM_GETROUTE, Nl.NLM_F_REQUEST);

        // iproute2 asks for the table id in the answer for IPv4 only.
        writer.RtMsg(v6 ? Rtm.AF_INET6 : Rtm.AF_INET, (byte)(v6 ? 128 : 32), v6 ? 0 : RTM_F_LOOKUP_TABLE);
        writer.Attribute(Rtm.RTA_DST, destination.GetAddressBytes());
        return writer;
    }

    public static RouteLookup Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Rtm.RtMsgLength)
        {
            throw new NetlinkParseException($"a route message needs {Rtm.RtMsgLength} bytes of rtmsg, it has {payload.Length}");
        }

        var family = payload[0];
        var expected = family switch
        {
            Rtm.AF_INET => 4,
            Rtm.AF_INET6 => 16,
            _ => throw new NetlinkParseException($"route family {family} is neither AF_INET nor AF_INET6"),
        };
        var type = (RouteType)payload[7];

        IPAddress? destination = null;
        IPAddress? gateway = null;
        IPAddress? source = null;
        int? output = null;
        foreach (var attribute in new AttributeEnumerator(payload[Rtm.RtMsgLength..]))
        {
            switch (attribute.Type)
            {
                case Rtm.RTA_DST: destination = ReadIp(attribute.Value, expected, "RTA_DST"); break;
                case Rtm.RTA_GATEWAY: gateway = ReadIp(attribute.Value, expected, "RTA_GATEWAY"); break;
                case Rtm.RTA_PREFSRC: source = ReadIp(attribute.Value, expected, "RTA_PREFSRC"); break;
                case Rtm.RTA_OIF: output = attribute.I32(); break;
            }
        }

        return new RouteLookup(destination ?? throw new NetlinkParseException("a route lookup's answer has no RTA_DST"), type, output, gateway, source);
    }

    private static IPAddress ReadIp(ReadOnlySpan<byte> value, int expected, string what) => value.Length == expected
        ? new IPAddress(value)
        : throw new NetlinkParseException($"{what} carries {value.Length} bytes where {expected} are needed");
}
