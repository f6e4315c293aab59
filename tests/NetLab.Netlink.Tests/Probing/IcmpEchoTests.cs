using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetLab.Netlink.Probing;

namespace NetLab.Netlink.Tests.Probing;

/// <summary>Echo messages as ping sends them, and the reading of what raw ICMP sockets receive.</summary>
public sealed class IcmpEchoTests
{
    [Fact]
    public void Checksum_is_rfc_1071s_example()
    {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2, whose complement is 220d.
        Assert.Equal(0x220d, IcmpEcho.Checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }

    [Fact]
    public void An_ipv4_request_checksums_to_zero_and_carries_identifier_and_sequence()
    {
        var request = IcmpEcho.Request(AddressFamily.InterNetwork, 0xbeef, 513);

        Assert.Equal(8 + IcmpEcho.DataLength, request.Length);
        Assert.Equal(8, request[0]);
        Assert.Equal(0, IcmpEcho.Checksum(request));
        Assert.Equal(0xbeef, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(4)));
        Assert.Equal(513, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(6)));
    }

    [Fact]
    public void An_ipv6_request_leaves_the_checksum_to_the_kernel()
    {
        var request = IcmpEcho.Request(AddressFamily.InterNetworkV6, 7, 9);

        Assert.Equal(128, request[0]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(2)));
    }

    [Fact]
    public void An_ipv4_reply_with_its_ip_header_is_read_with_its_source()
    {
        var reply = Ipv4("100.0.0.3", Reply(IcmpEcho.Request(AddressFamily.InterNetwork, 42, 7), type: 0));

        Assert.True(IcmpEcho.TryReadV4(reply, out var answer));
        Assert.Equal(new EchoAnswer(EchoAnswerKind.Reply, 42, 7, IPAddress.Parse("100.0.0.3"), 0), answer);
        Assert.Null(answer.Describe());
    }

    [Fact]
    public void An_ipv4_host_unreachable_error_is_matched_to_the_request_it_quotes()
    {
        var request = IcmpEcho.Request(AddressFamily.InterNetwork, 42, 9);
        var quoted = Ipv4("100.0.0.2", request).AsSpan(0, 20 + 8).ToArray();
        var error = Ipv4("100.0.0.2", [3, 1, 0, 0, 0, 0, 0, 0, .. quoted]);

        Assert.True(IcmpEcho.TryReadV4(error, out var answer));
        Assert.Equal(EchoAnswerKind.DestinationUnreachable, answer.Kind);
        Assert.Equal((42, 9), (answer.Identifier, answer.Sequence));
        Assert.Equal("Destination Host Unreachable (from 100.0.0.2)", answer.Describe());
    }

    [Fact]
    public void An_ipv6_reply_and_an_address_unreachable_error_are_read()
    {
        var from = IPAddress.Parse("fd00::3");
        var request = IcmpEcho.Request(AddressFamily.InterNetworkV6, 5, 6);
        var header = new byte[40];
        header[0] = 0x60;
        header[6] = 58;

        Assert.True(IcmpEcho.TryReadV6(Reply(request, type: 129), from, out var reply));
        Assert.Equal(new EchoAnswer(EchoAnswerKind.Reply, 5, 6, from, 0), reply);
        Assert.True(IcmpEcho.TryReadV6([1, 3, 0, 0, 0, 0, 0, 0, .. header, .. request], from, out var error));
        Assert.Equal((EchoAnswerKind.DestinationUnreachable, (ushort)5, (ushort)6), (error.Kind, error.Identifier, error.Sequence));
        Assert.Equal("Address unreachable (from fd00::3)", error.Describe());
    }

    [Fact]
    public void Requests_other_types_and_garbage_are_not_answers()
    {
        var request = IcmpEcho.Request(AddressFamily.InterNetwork, 1, 1);

        Assert.False(IcmpEcho.TryReadV4(Ipv4("100.0.0.2", request), out _));
        Assert.False(IcmpEcho.TryReadV4([0x45, 0, 0], out _));
        Assert.False(IcmpEcho.TryReadV4(Ipv4("100.0.0.2", [3, 1, 0, 0]), out _));
        Assert.False(IcmpEcho.TryReadV6([128, 0, 0, 0, 0, 1, 0, 1], IPAddress.IPv6Loopback, out _));
        Assert.False(IcmpEcho.TryReadV6([1, 3, 0, 0, 0, 0, 0, 0, 0x60], IPAddress.IPv6Loopback, out _));

        // Every truncation of a valid reply is either read or refused, never an exception.
        var reply = Ipv4("100.0.0.3", Reply(request, type: 0));
        for (var length = 0; length <= reply.Length; length++)
        {
            _ = IcmpEcho.TryReadV4(reply.AsSpan(0, length), out _);
        }
    }

    private static byte[] Reply(byte[] request, byte type)
    {
        var reply = (byte[])request.Clone();
        reply[0] = type;
        return reply;
    }

    private static byte[] Ipv4(string source, byte[] payload)
    {
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 1;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(packet, 12);
        payload.CopyTo(packet, 20);
        return packet;
    }
}
