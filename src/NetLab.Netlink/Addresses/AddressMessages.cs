using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Addresses;

/// <summary>Encodes `ip addr add|del` requests as iproute2 does and parses RTM_NEWADDR/RTM_DELADDR payloads.</summary>
internal static class AddressMessages
{
    public static MessageWriter Add(Address address) => Change(Rtm.RTM_NEWADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK | Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, address);

    public static MessageWriter Delete(Address address) => Change(Rtm.RTM_DELADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, address);

    public static MessageWriter Dump(AddressFamily? family = null)
    {
        var writer = new MessageWriter(Rtm.RTM_GETADDR, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        writer.IfAddr(FamilyByte(family), 0, 0, 0, 0);
        return writer;
    }

    private static MessageWriter Change(ushort type, ushort flags, Address address)
    {
        var writer = new MessageWriter(type, flags);
        // As iproute2's ipaddr_modify: flags that fit in ifaddrmsg's byte go there, larger ones in IFA_FLAGS.
        var fitsHeader = address.Flags <= byte.MaxValue;
        writer.IfAddr(FamilyByte(address.Family), (byte)address.PrefixLength, fitsHeader ? (byte)address.Flags : (byte)0, address.Scope, address.InterfaceIndex);
        var bytes = address.Ip.GetAddressBytes();
        writer.Attribute(Ifa.IFA_LOCAL, bytes);
        writer.Attribute(Ifa.IFA_ADDRESS, bytes);
        if (!fitsHeader)
        {
            writer.U32(Ifa.IFA_FLAGS, address.Flags);
        }

        return writer;
    }

    private static byte FamilyByte(AddressFamily? family) => family switch
    {
        AddressFamily.InterNetwork => Rtm.AF_INET,
        AddressFamily.InterNetworkV6 => Rtm.AF_INET6,
        _ => Rtm.AF_UNSPEC,
    };

    public static Address Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Rtm.IfAddrMsgLength)
        {
            throw new NetlinkParseException($"an address message needs {Rtm.IfAddrMsgLength} bytes of ifaddrmsg, it has {payload.Length}");
        }

        var family = payload[0];
        var prefix = payload[1];
        uint flags = payload[2];
        var scope = payload[3];
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var expected = family switch
        {
            Rtm.AF_INET => 4,
            Rtm.AF_INET6 => 16,
            _ => throw new NetlinkParseException($"address family {family} is neither AF_INET nor AF_INET6"),
        };

        IPAddress? local = null;
        IPAddress? peer = null;
        string? label = null;
        foreach (var attribute in new AttributeEnumerator(payload[Rtm.IfAddrMsgLength..]))
        {
            switch (attribute.Type)
            {
                case Ifa.IFA_LOCAL: local = ReadIp(attribute.Value, expected); break;
                case Ifa.IFA_ADDRESS: peer = ReadIp(attribute.Value, expected); break;
                case Ifa.IFA_LABEL: label = attribute.String(); break;
                case Ifa.IFA_FLAGS: flags = attribute.U32(); break;
            }
        }

        // IPv4 carries the interface's own address in IFA_LOCAL; IPv6 only in IFA_ADDRESS.
        var ip = local ?? peer ?? throw new NetlinkParseException($"address message for ifindex {index} has no IFA_LOCAL or IFA_ADDRESS");
        if (prefix > expected * 8)
        {
            throw new NetlinkParseException($"prefix length {prefix} exceeds {expected * 8}");
        }

        return new Address(index, ip, prefix) { Scope = scope, Label = label, Flags = flags };
    }

    private static IPAddress ReadIp(ReadOnlySpan<byte> value, int expected) => value.Length == expected
        ? new IPAddress(value)
        : throw new NetlinkParseException($"an address attribute carries {value.Length} bytes where {expected} are needed");
}
