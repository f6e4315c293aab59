using System.Buffers.Binary;
using System.Net;
using NetLab.Core.Links;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Probing;

/// <summary>Encodes the `ip neigh show` dump and `ip neigh del` requests as iproute2 does, and parses RTM_NEWNEIGH payloads (struct ndmsg and NDA_* attributes).</summary>
internal static class NeighborMessages
{
    /// <summary>The 28-byte RTM_GETNEIGH dump of every family (iproute2 filters NOARP entries on its own side, and so do callers).</summary>
    public static MessageWriter Dump()
    {
        var writer = new MessageWriter(Rtm.RTM_GETNEIGH, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP);
        writer.NdMsg(Rtm.AF_UNSPEC, 0, 0, 0, 0);
        return writer;
    }

    /// <summary>
    /// `ip neigh del ADDRESS dev DEVICE`: iproute2 sends ndm_state NUD_PERMANENT (its default for every change), which
    /// the kernel ignores on delete; the entry is named by interface and destination alone.
    /// </summary>
    public static MessageWriter Delete(Neighbor neighbor)
    {
        var writer = new MessageWriter(Rtm.RTM_DELNEIGH, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK);
        var destination = neighbor.Destination.GetAddressBytes();
        writer.NdMsg(destination.Length == 4 ? Rtm.AF_INET : Rtm.AF_INET6, neighbor.InterfaceIndex, (ushort)NeighborState.Permanent, 0, 0);
        writer.Attribute(Rtm.NDA_DST, destination);
        return writer;
    }

    public static Neighbor Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Rtm.NdMsgLength)
        {
            throw new NetlinkParseException($"a neighbour message needs {Rtm.NdMsgLength} bytes of ndmsg, it has {payload.Length}");
        }

        var family = payload[0];
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var state = (NeighborState)BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]);
        var expected = family switch
        {
            Rtm.AF_INET => 4,
            Rtm.AF_INET6 => 16,
            _ => throw new NetlinkParseException($"neighbour family {family} is neither AF_INET nor AF_INET6"),
        };

        IPAddress? destination = null;
        MacAddress? mac = null;
        foreach (var attribute in new AttributeEnumerator(payload[Rtm.NdMsgLength..]))
        {
            switch (attribute.Type)
            {
                case Rtm.NDA_DST:
                    destination = attribute.Value.Length == expected
                        ? new IPAddress(attribute.Value)
                        : throw new NetlinkParseException($"NDA_DST carries {attribute.Value.Length} bytes where {expected} are needed");
                    break;
                case Rtm.NDA_LLADDR when attribute.Value.Length == 6:
                    // Other lengths are link layers without Ethernet addresses (tunnels, some IPv6 over IPv4); NetLab's labs have none.
                    mac = MacAddress.FromBytes(attribute.Value);
                    break;
            }
        }

        return new Neighbor(index, destination ?? throw new NetlinkParseException($"neighbour entry on ifindex {index} has no NDA_DST"), mac, state);
    }
}
