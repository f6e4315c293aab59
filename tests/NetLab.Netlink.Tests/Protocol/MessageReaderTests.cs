using System.Buffers.Binary;
using System.Net;
using System.Text;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Protocol;

/// <summary>
/// Hand-made malformed messages, one defect each: every one gives <see cref="NetlinkParseException"/>, or parses
/// where the kernel's own rules accept it, and none gives IndexOutOfRange, ArgumentOutOfRange, Overflow or the like.
/// </summary>
public sealed class MessageReaderTests
{
    private const ushort TypeDone = Nl.NLMSG_DONE;

    // ---- MessageEnumerator ----

    [Fact]
    public void Empty_datagram_holds_no_messages() => Assert.Equal(0, Count([]));

    [Fact]
    public void Header_fields_are_read_little_endian_and_the_payload_excludes_the_header()
    {
        byte[] datagram = [.. Message(Rtm.RTM_NEWLINK, [0xAA, 0xBB, 0xCC, 0xDD], flags: 0x0102, sequence: 0x01020304, portId: 0x0A0B0C0D)];
        var enumerator = new MessageEnumerator(datagram);

        Assert.True(enumerator.MoveNext());
        var message = enumerator.Current;
        Assert.Equal(Rtm.RTM_NEWLINK, message.Type);
        Assert.Equal((ushort)0x0102, message.Flags);
        Assert.Equal(0x01020304u, message.Sequence);
        Assert.Equal(0x0A0B0C0Du, message.PortId);
        Assert.Equal([0xAA, 0xBB, 0xCC, 0xDD], message.Payload.ToArray());
        Assert.False(enumerator.MoveNext());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(3u)]
    [InlineData(4u)]
    [InlineData(15u)]
    public void Nlmsg_len_below_the_header_size_gives_NetlinkParseException(uint length)
    {
        var datagram = Message(TypeDone, new byte[8], length: length);
        AssertParseException(() => Count(datagram));
    }

    [Theory]
    [InlineData(25u)]
    [InlineData(0xFFFFu)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFF0u)]
    [InlineData(0xFFFF_FFFFu)]
    public void Nlmsg_len_beyond_the_datagram_gives_NetlinkParseException(uint length)
    {
        var datagram = Message(TypeDone, new byte[8], length: length);
        AssertParseException(() => Count(datagram));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(15)]
    public void Datagram_shorter_than_a_header_gives_NetlinkParseException(int length)
    {
        var datagram = Message(TypeDone, new byte[4])[..length];
        AssertParseException(() => Count(datagram));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Odd_nlmsg_len_is_followed_by_the_next_message_at_the_aligned_offset(int payload)
    {
        byte[] datagram = [.. Message(TypeDone, new byte[payload]), .. Message(Nl.NLMSG_NOOP, [])];
        var enumerator = new MessageEnumerator(datagram);

        Assert.True(enumerator.MoveNext());
        Assert.Equal(payload, enumerator.Current.Payload.Length);
        Assert.True(enumerator.MoveNext());
        Assert.Equal(Nl.NLMSG_NOOP, enumerator.Current.Type);
        Assert.False(enumerator.MoveNext());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Odd_nlmsg_len_of_the_last_message_parses_without_its_padding(int payload)
    {
        var datagram = Message(TypeDone, new byte[payload])[..(Nl.HeaderLength + payload)];
        Assert.Equal(1, Count(datagram));
    }

    [Fact]
    public void Next_message_without_alignment_padding_gives_NetlinkParseException()
    {
        // A 17-byte message followed at once (not at offset 20) by another.
        byte[] datagram = [.. Message(TypeDone, [0x01])[..17], .. Message(TypeDone, new byte[4])];
        AssertParseException(() => Count(datagram));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(15)]
    public void Trailing_garbage_after_the_last_message_gives_NetlinkParseException(int garbage)
    {
        // iproute2 stops with "!!!Remnant of size N" on the same bytes.
        byte[] datagram = [.. Message(TypeDone, new byte[4]), .. Enumerable.Repeat((byte)0xEE, garbage)];
        AssertParseException(() => Count(datagram));
    }

    // ---- AttributeEnumerator ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Nla_len_below_the_attribute_header_gives_NetlinkParseException(int length)
    {
        var attributes = RawAttribute((ushort)length, Ifla.IFLA_MTU, [1, 2, 3, 4]);
        AssertParseException(() => CountAttributes(attributes));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(12)]
    [InlineData(0x8000)]
    [InlineData(0xFFFF)]
    public void Nla_len_beyond_its_parent_gives_NetlinkParseException(int length)
    {
        var attributes = RawAttribute((ushort)length, Ifla.IFLA_MTU, [1, 2, 3, 4]);
        AssertParseException(() => CountAttributes(attributes));
    }

    [Fact]
    public void Attribute_with_an_empty_value_is_allowed()
    {
        var attributes = Attribute(Ifla.IFLA_IFALIAS, []);
        var enumerator = new AttributeEnumerator(attributes);

        Assert.True(enumerator.MoveNext());
        Assert.Equal(Ifla.IFLA_IFALIAS, enumerator.Current.Type);
        Assert.True(enumerator.Current.Value.IsEmpty);
        Assert.False(enumerator.MoveNext());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fewer_than_four_trailing_bytes_are_padding_as_in_the_kernels_nla_for_each_attr(int trailing)
    {
        byte[] attributes = [.. Attribute(Ifla.IFLA_MTU, U32(1500)), .. Enumerable.Repeat((byte)0xEE, trailing)];
        Assert.Equal(1, CountAttributes(attributes));
    }

    [Fact]
    public void Odd_nla_len_is_followed_by_the_next_attribute_at_the_aligned_offset_and_the_last_may_lack_padding()
    {
        byte[] attributes = [.. Attribute(Ifla.IFLA_OPERSTATE, [6]), .. Attribute(Ifla.IFLA_IFNAME, "eth"u8.ToArray())[..7]];
        var enumerator = new AttributeEnumerator(attributes);

        Assert.True(enumerator.MoveNext());
        Assert.Equal(Ifla.IFLA_OPERSTATE, enumerator.Current.Type);
        Assert.Equal(6, enumerator.Current.U8());
        Assert.True(enumerator.MoveNext());
        Assert.Equal("eth", enumerator.Current.String());
        Assert.False(enumerator.MoveNext());
    }

    [Fact]
    public void Nested_and_byte_order_flags_are_masked_from_the_type()
    {
        var attributes = Attribute((ushort)(Ifla.IFLA_LINKINFO | Nl.NLA_F_NESTED | 0x4000), []);
        var enumerator = new AttributeEnumerator(attributes);

        Assert.True(enumerator.MoveNext());
        Assert.Equal(Ifla.IFLA_LINKINFO, enumerator.Current.Type);
    }

    [Fact]
    public void Nested_attribute_overrunning_its_parent_gives_NetlinkParseException()
    {
        // The parent holds 8 bytes; its child claims 12.
        var attributes = Attribute(Ifla.IFLA_LINKINFO, [.. RawAttribute(12, Ifla.IFLA_INFO_KIND, "veth"u8.ToArray())]);
        var enumerator = new AttributeEnumerator(attributes);
        Assert.True(enumerator.MoveNext());

        AssertParseException(() =>
        {
            var parent = new AttributeEnumerator(attributes);
            parent.MoveNext();
            var count = 0;
            foreach (var _ in parent.Current.Nested())
            {
                count++;
            }

            return count;
        });
    }

    [Theory]
    [InlineData("u8", 0)]
    [InlineData("u16", 1)]
    [InlineData("u16be", 1)]
    [InlineData("u32", 3)]
    [InlineData("i32", 0)]
    public void Scalar_read_from_too_few_bytes_gives_NetlinkParseException(string read, int bytes)
    {
        var attributes = Attribute(Ifla.IFLA_MTU, new byte[bytes]);
        AssertParseException(() =>
        {
            var enumerator = new AttributeEnumerator(attributes);
            enumerator.MoveNext();
            var attribute = enumerator.Current;
            return read switch
            {
                "u8" => attribute.U8(),
                "u16" => attribute.U16(),
                "u16be" => attribute.U16BigEndian(),
                "u32" => (long)attribute.U32(),
                _ => attribute.I32(),
            };
        });
    }

    [Fact]
    public void String_without_a_NUL_or_with_invalid_UTF8_parses()
    {
        byte[] attributes = [.. Attribute(Ifla.IFLA_IFALIAS, "no-nul"u8.ToArray()), .. Attribute(Ifla.IFLA_IFNAME, [0xC3, 0x28, 0xFF, 0x00, 0x41])];
        var enumerator = new AttributeEnumerator(attributes);

        Assert.True(enumerator.MoveNext());
        Assert.Equal("no-nul", enumerator.Current.String());
        Assert.True(enumerator.MoveNext());
        Assert.Equal(3, enumerator.Current.String().Length);
    }

    // ---- LinkMessages.Parse ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void Link_payload_shorter_than_ifinfomsg_gives_NetlinkParseException(int length)
    {
        var payload = new byte[length];
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Fact]
    public void Link_without_a_name_gives_NetlinkParseException()
    {
        byte[] payload = [.. IfInfo(3), .. Attribute(Ifla.IFLA_MTU, U32(1500))];
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(63)]
    public void Stats64_shorter_than_its_first_eight_counters_gives_NetlinkParseException(int length)
    {
        var payload = Link(Attribute(Ifla.IFLA_STATS64, new byte[length]));
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(200)]
    public void Stats64_of_at_least_eight_counters_parses(int length)
    {
        var counters = new byte[length];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(counters.AsSpan(i * 8), (ulong)(i + 1));
        }

        var link = LinkMessages.Parse(Link(Attribute(Ifla.IFLA_STATS64, counters)));

        Assert.Equal(new LinkStatistics(1, 2, 3, 4, 5, 6, 7, 8), link.Statistics);
    }

    [Theory]
    [InlineData(Ifla.IFLA_MTU, 2)]
    [InlineData(Ifla.IFLA_LINK, 3)]
    [InlineData(Ifla.IFLA_MASTER, 0)]
    [InlineData(Ifla.IFLA_TXQLEN, 1)]
    [InlineData(Ifla.IFLA_LINK_NETNSID, 2)]
    [InlineData(Ifla.IFLA_OPERSTATE, 0)]
    [InlineData(Ifla.IFLA_CARRIER, 0)]
    public void Scalar_link_attribute_with_too_few_bytes_gives_NetlinkParseException(ushort type, int length)
    {
        var payload = Link(Attribute(type, new byte[length]));
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(20)]
    public void Hardware_address_of_another_length_than_six_is_ignored(int length)
    {
        // Not every device type has 6-byte addresses (ipip has 4, InfiniBand 20): not an error, just not a MacAddress.
        var link = LinkMessages.Parse(Link(Attribute(Ifla.IFLA_ADDRESS, new byte[length])));
        Assert.Null(link.Address);
    }

    [Fact]
    public void Linkinfo_child_overrunning_linkinfo_gives_NetlinkParseException()
    {
        var payload = Link(Attribute(Ifla.IFLA_LINKINFO, RawAttribute(40, Ifla.IFLA_INFO_KIND, "macvlan"u8.ToArray())));
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Fact]
    public void Kind_data_overrunning_its_parent_gives_NetlinkParseException()
    {
        var payload = Link(LinkInfo("macvlan", RawAttribute(200, Ifla.IFLA_MACVLAN_MODE, U32(4))));
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Fact]
    public void Macvlan_mode_shorter_than_four_bytes_gives_NetlinkParseException()
    {
        var payload = Link(LinkInfo("macvlan", Attribute(Ifla.IFLA_MACVLAN_MODE, [4, 0])));
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Fact]
    public void Macvlan_source_address_of_the_wrong_length_is_skipped()
    {
        var sources = Attribute(Ifla.IFLA_MACVLAN_MACADDR_DATA, [
            .. Attribute(Ifla.IFLA_MACVLAN_MACADDR, [2, 0, 0, 0, 0, 0xAA]),
            .. Attribute(Ifla.IFLA_MACVLAN_MACADDR, [2, 0, 0, 0, 0]),
            .. Attribute(Ifla.IFLA_MACVLAN_MACADDR, new byte[8])]);
        var link = LinkMessages.Parse(Link(LinkInfo("macvlan", [.. Attribute(Ifla.IFLA_MACVLAN_MODE, U32(16)), .. sources])));

        var macvlan = Assert.IsType<Macvlan>(link);
        Assert.Equal(MacvlanMode.Source, macvlan.Mode);
        Assert.Equal([MacAddress.Parse("02:00:00:00:00:aa")], macvlan.SourceAddresses);
    }

    [Fact]
    public void Values_outside_the_known_enums_parse_as_their_numbers()
    {
        byte[] attributes = [.. Attribute(Ifla.IFLA_OPERSTATE, [200]), .. LinkInfo("macvlan", Attribute(Ifla.IFLA_MACVLAN_MODE, U32(0x1234)))];
        var link = Assert.IsType<Macvlan>(LinkMessages.Parse(Link(attributes)));

        Assert.Equal((OperState)200, link.OperState);
        Assert.Equal((MacvlanMode)0x1234, link.Mode);
    }

    [Fact]
    public void Vxlan_address_of_the_wrong_length_is_ignored()
    {
        var data = (byte[])[.. Attribute(Ifla.IFLA_VXLAN_ID, U32(7)), .. Attribute(Ifla.IFLA_VXLAN_GROUP, [239, 1, 1]), .. Attribute(Ifla.IFLA_VXLAN_LOCAL6, new byte[15])];
        var link = Assert.IsType<Vxlan>(LinkMessages.Parse(Link(LinkInfo("vxlan", data))));

        Assert.Equal(7u, link.Vni);
        Assert.Null(link.Group);
        Assert.Null(link.Local);
    }

    [Fact]
    public void Bridge_port_mode_without_a_byte_gives_NetlinkParseException()
    {
        var linkInfo = Attribute(Ifla.IFLA_LINKINFO, [
            .. Attribute(Ifla.IFLA_INFO_SLAVE_KIND, "bridge\0"u8.ToArray()),
            .. Attribute(Ifla.IFLA_INFO_SLAVE_DATA, Attribute(Ifla.IFLA_BRPORT_MODE, []))]);
        var payload = Link(linkInfo);
        AssertParseException(() => LinkMessages.Parse(payload));
    }

    [Fact]
    public void Repeated_attribute_takes_its_last_value_as_the_kernels_nla_parse_does()
    {
        var link = LinkMessages.Parse([.. IfInfo(5), .. Attribute(Ifla.IFLA_IFNAME, "first\0"u8.ToArray()), .. Attribute(Ifla.IFLA_IFNAME, "second\0"u8.ToArray())]);
        Assert.Equal("second", link.Name);
    }

    // ---- AddressMessages.Parse ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Address_payload_shorter_than_ifaddrmsg_gives_NetlinkParseException(int length)
    {
        var payload = new byte[length];
        payload.AsSpan().Fill(Rtm.AF_INET);
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Theory]
    [InlineData(Rtm.AF_UNSPEC)]
    [InlineData(Rtm.AF_BRIDGE)]
    [InlineData(Rtm.AF_PACKET)]
    [InlineData((byte)255)]
    public void Address_family_other_than_inet_or_inet6_gives_NetlinkParseException(byte family)
    {
        var payload = AddressMessage(family, 24, Attribute(Ifa.IFA_LOCAL, [10, 0, 0, 1]));
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Theory]
    [InlineData(Rtm.AF_INET, Ifa.IFA_LOCAL, 0)]
    [InlineData(Rtm.AF_INET, Ifa.IFA_LOCAL, 3)]
    [InlineData(Rtm.AF_INET, Ifa.IFA_ADDRESS, 5)]
    [InlineData(Rtm.AF_INET, Ifa.IFA_LOCAL, 16)]
    [InlineData(Rtm.AF_INET6, Ifa.IFA_ADDRESS, 4)]
    [InlineData(Rtm.AF_INET6, Ifa.IFA_ADDRESS, 15)]
    [InlineData(Rtm.AF_INET6, Ifa.IFA_LOCAL, 17)]
    public void Address_of_the_wrong_length_for_its_family_gives_NetlinkParseException(byte family, ushort type, int length)
    {
        var payload = AddressMessage(family, 8, Attribute(type, new byte[length]));
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Theory]
    [InlineData(Rtm.AF_INET, 33)]
    [InlineData(Rtm.AF_INET, 128)]
    [InlineData(Rtm.AF_INET, 255)]
    [InlineData(Rtm.AF_INET6, 129)]
    [InlineData(Rtm.AF_INET6, 255)]
    public void Prefix_longer_than_the_address_gives_NetlinkParseException(byte family, int prefix)
    {
        var payload = AddressMessage(family, (byte)prefix, Attribute(Ifa.IFA_ADDRESS, new byte[family == Rtm.AF_INET ? 4 : 16]));
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Theory]
    [InlineData(Rtm.AF_INET, 0, "0.0.0.0")]
    [InlineData(Rtm.AF_INET, 32, "10.0.0.1")]
    [InlineData(Rtm.AF_INET6, 128, "fd00::1")]
    public void Prefix_up_to_the_address_length_parses(byte family, int prefix, string ip)
    {
        var address = AddressMessages.Parse(AddressMessage(family, (byte)prefix, Attribute(Ifa.IFA_ADDRESS, IPAddress.Parse(ip).GetAddressBytes())));

        Assert.Equal(prefix, address.PrefixLength);
        Assert.Equal(IPAddress.Parse(ip), address.Ip);
    }

    [Fact]
    public void Address_message_without_an_address_gives_NetlinkParseException()
    {
        var payload = AddressMessage(Rtm.AF_INET, 24, Attribute(Ifa.IFA_LABEL, "eth0\0"u8.ToArray()));
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Fact]
    public void Ifa_flags_shorter_than_four_bytes_gives_NetlinkParseException()
    {
        var payload = AddressMessage(Rtm.AF_INET, 24, [.. Attribute(Ifa.IFA_LOCAL, [10, 0, 0, 1]), .. Attribute(Ifa.IFA_FLAGS, [0x80, 0])]);
        AssertParseException(() => AddressMessages.Parse(payload));
    }

    [Fact]
    public void Ifa_flags_replace_the_eight_bit_flags_and_local_wins_over_the_peer()
    {
        var payload = AddressMessage(Rtm.AF_INET, 32, [
            .. Attribute(Ifa.IFA_ADDRESS, [10, 9, 0, 2]),
            .. Attribute(Ifa.IFA_LOCAL, [10, 9, 0, 1]),
            .. Attribute(Ifa.IFA_FLAGS, U32(0x280))], flags: 0x01);
        var address = AddressMessages.Parse(payload);

        Assert.Equal(IPAddress.Parse("10.9.0.1"), address.Ip);
        Assert.Equal(0x280u, address.Flags);
    }

    // ---- NetlinkSocket.ExtendedAckMessage ----

    [Fact]
    public void Error_without_the_ack_tlvs_flag_has_no_extended_ack()
    {
        var payload = ErrorPayload(-22, echoedLength: 16, capped: true, MessageTlv("ignored"));
        Assert.Null(ExtendedAck(payload, Nl.NLM_F_CAPPED));
    }

    [Fact]
    public void Capped_error_yields_its_text()
    {
        var payload = ErrorPayload(-95, echoedLength: 60, capped: true, MessageTlv("Unknown device type"));
        Assert.Equal("Unknown device type", ExtendedAck(payload, Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS));
    }

    [Theory]
    [InlineData(16u)]
    [InlineData(17u)]
    [InlineData(40u)]
    public void Uncapped_error_skips_the_echoed_request_to_find_its_text(uint echoedLength)
    {
        var payload = ErrorPayload(-22, echoedLength, capped: false, MessageTlv("mtu less than device minimum"));
        Assert.Equal("mtu less than device minimum", ExtendedAck(payload, Nl.NLM_F_ACK_TLVS));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    [InlineData(200u)]
    [InlineData(0xFFFFu)]
    [InlineData(0x7FFF_FFFCu)]
    [InlineData(0x7FFF_FFFDu)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void Echoed_request_length_that_does_not_fit_the_error_yields_no_text(uint echoedLength)
    {
        // The uncapped error echoes the whole request; its nlmsg_len says how far to skip to the TLVs.
        var payload = ErrorPayload(-22, echoedLength, capped: false, MessageTlv("text"), echoedBytes: 16);
        string? text = "(not run)";
        var exception = Record.Exception(() => text = ExtendedAck(payload, Nl.NLM_F_ACK_TLVS));

        Assert.True(exception is null or NetlinkParseException, $"echoed length 0x{echoedLength:x}: {exception}");
        Assert.True(exception is not null || text is null, $"echoed length 0x{echoedLength:x}: read '{text}' from the wrong place");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(19)]
    public void Error_too_short_for_its_errno_and_echoed_header_has_no_text(int length)
    {
        var payload = new byte[length];
        Assert.Null(ExtendedAck(payload, Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS));
    }

    [Fact]
    public void Error_tlv_overrunning_the_message_gives_NetlinkParseException()
    {
        var payload = ErrorPayload(-22, echoedLength: 16, capped: true, RawAttribute(64, Nl.NLMSGERR_ATTR_MSG, "short\0"u8.ToArray()));
        AssertParseException(() => ExtendedAck(payload, Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS));
    }

    // ---- helpers ----

    private static void AssertParseException<T>(Func<T> parse)
    {
        var exception = Record.Exception(() => parse());
        Assert.True(exception is NetlinkParseException, $"expected NetlinkParseException, got {exception?.GetType().Name ?? "no exception"}: {exception}");
    }

    private static int Count(byte[] datagram)
    {
        var count = 0;
        foreach (var _ in new MessageEnumerator(datagram))
        {
            count++;
        }

        return count;
    }

    private static int CountAttributes(byte[] attributes)
    {
        var count = 0;
        foreach (var _ in new AttributeEnumerator(attributes))
        {
            count++;
        }

        return count;
    }

    private static string? ExtendedAck(byte[] payload, ushort flags) =>
        NetlinkSocket.ExtendedAckMessage(new NetlinkMessage(Nl.NLMSG_ERROR, flags, 1, 0, payload));

    /// <summary>A message with header; <paramref name="length"/> overrides nlmsg_len; the result is padded to 4 bytes.</summary>
    private static byte[] Message(ushort type, byte[] payload, ushort flags = 0, uint sequence = 0, uint portId = 0, uint? length = null)
    {
        var bytes = new byte[Nl.Align(Nl.HeaderLength + payload.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, length ?? (uint)(Nl.HeaderLength + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), portId);
        payload.CopyTo(bytes, Nl.HeaderLength);
        return bytes;
    }

    /// <summary>An attribute with a correct nla_len, padded to 4 bytes.</summary>
    private static byte[] Attribute(ushort type, byte[] value) => RawAttribute((ushort)(4 + value.Length), type, value);

    /// <summary>An attribute whose nla_len is whatever the test says; the bytes hold the value padded to 4.</summary>
    private static byte[] RawAttribute(ushort length, ushort type, byte[] value)
    {
        var bytes = new byte[Nl.Align(4 + value.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), type);
        value.CopyTo(bytes, 4);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] IfInfo(int index)
    {
        var bytes = new byte[Rtm.IfInfoMsgLength];
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), index);
        return bytes;
    }

    /// <summary>An RTM_NEWLINK payload for ifindex 7 named "t0", followed by <paramref name="attributes"/>.</summary>
    private static byte[] Link(byte[] attributes) => [.. IfInfo(7), .. Attribute(Ifla.IFLA_IFNAME, "t0\0"u8.ToArray()), .. attributes];

    private static byte[] LinkInfo(string kind, byte[] data) =>
        Attribute(Ifla.IFLA_LINKINFO, [.. Attribute(Ifla.IFLA_INFO_KIND, Encoding.ASCII.GetBytes(kind)), .. Attribute(Ifla.IFLA_INFO_DATA, data)]);

    private static byte[] AddressMessage(byte family, byte prefix, byte[] attributes, byte flags = 0)
    {
        var header = new byte[Rtm.IfAddrMsgLength];
        header[0] = family;
        header[1] = prefix;
        header[2] = flags;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 7);
        return [.. header, .. attributes];
    }

    private static byte[] MessageTlv(string text) => Attribute(Nl.NLMSGERR_ATTR_MSG, Encoding.UTF8.GetBytes(text + "\0"));

    /// <summary>
    /// An NLMSG_ERROR payload: errno, the echoed request (its header, whose nlmsg_len is <paramref name="echoedLength"/>,
    /// then its body unless capped), then the TLVs. <paramref name="echoedBytes"/> overrides how many echoed bytes are present.
    /// </summary>
    private static byte[] ErrorPayload(int errno, uint echoedLength, bool capped, byte[] tlvs, int? echoedBytes = null)
    {
        var present = echoedBytes ?? (capped ? Nl.HeaderLength : Nl.Align((int)echoedLength));
        var echoed = new byte[present];
        BinaryPrimitives.WriteUInt32LittleEndian(echoed, echoedLength);
        BinaryPrimitives.WriteUInt16LittleEndian(echoed.AsSpan(4), Rtm.RTM_NEWLINK);
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, errno);
        return [.. bytes, .. echoed, .. tlvs];
    }
}
