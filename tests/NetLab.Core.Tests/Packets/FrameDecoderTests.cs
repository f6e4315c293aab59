using System.Net;
using NetLab.Core.Packets;

namespace NetLab.Core.Tests.Packets;

/// <summary>
/// The decoder against real frames (TestData/frames.pcap, captured by tcpdump between two namespaces) and what
/// tcpdump printed for each; then truncated and mutated in thousands of seeded ways, where it must never throw.
/// </summary>
public sealed class FrameDecoderTests
{
    /// <summary>Set NETLAB_FUZZ_SEED to rerun the mutation test with the seed a failure printed.</summary>
    private const string SeedVariable = "NETLAB_FUZZ_SEED";
    private const int DefaultSeed = 0x46524D45;
    private const int Mutations = 20_000;

    [Fact]
    public void Every_frame_of_the_corpus_decodes_to_what_tcpdump_printed()
    {
        var corpus = PcapFile.Corpus();
        Assert.True(corpus.Count >= 20, $"expected the whole corpus, read {corpus.Count} frames");
        foreach (var (record, tcpdump) in corpus)
        {
            var summary = FrameDecoder.Decode(record.Data);
            Assert.False(summary.Truncated, $"{tcpdump}\ndecoded as truncated: {summary.Text}");
            Assert.Contains($"{summary.Source} > {summary.Destination}, ", tcpdump, StringComparison.Ordinal);
            foreach (var tag in summary.Tags)
            {
                Assert.Contains($"vlan {tag.Id}, p {tag.Priority}", tcpdump, StringComparison.Ordinal);
            }

            if (summary.SourceAddress is not null && summary.Protocol != "ARP")
            {
                var ports = summary.SourcePort is null ? "" : $".{summary.SourcePort}";
                Assert.Contains($"{summary.SourceAddress}{ports} > {summary.DestinationAddress}", tcpdump, StringComparison.Ordinal);
            }

            Assert.Contains(DetailCore(summary), tcpdump, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Arp_request_and_reply_carry_the_addresses()
    {
        var arp = Decoded().Where(s => s.Protocol == "ARP").ToList();
        var request = Assert.Single(arp, s => s.Detail.StartsWith("Request", StringComparison.Ordinal));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), request.SourceAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), request.DestinationAddress);
        Assert.Equal("ff:ff:ff:ff:ff:ff", request.Destination.ToString());
        Assert.Equal("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28", request.Text);
        var reply = Assert.Single(arp, s => s.Detail.StartsWith("Reply", StringComparison.Ordinal));
        Assert.Equal("Reply 10.0.0.2 is-at 02:00:00:00:00:0b, length 28", reply.Detail);
    }

    [Fact]
    public void Icmp_echo_has_type_id_and_sequence_for_both_ip_versions()
    {
        var decoded = Decoded();
        var echo = decoded.First(s => s.Protocol == "ICMP" && s.Tags.Count == 0);
        Assert.Matches(@"^02:00:00:00:00:0a > 02:00:00:00:00:0b: IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length 64$", echo.Text);
        var echo6 = decoded.First(s => s.Protocol == "ICMPv6" && s.Detail.Contains("echo reply", StringComparison.Ordinal));
        Assert.Matches(@": IP6 fd00::2 > fd00::1: ICMP6, echo reply, id \d+, seq 1, length 64$", echo6.Text);
        var solicitation = Assert.Single(decoded, s => s.Detail.Contains("neighbor solicitation", StringComparison.Ordinal));
        Assert.Equal("ICMP6, neighbor solicitation, who has fd00::2, length 32", solicitation.Detail);
        Assert.Contains(decoded, s => s.Detail == "ICMP6, neighbor advertisement, tgt is fd00::2, length 32");
    }

    [Fact]
    public void Port_unreachable_names_the_quoted_destination_and_port()
    {
        var unreachable = Assert.Single(Decoded(), s => s.Detail.Contains("unreachable", StringComparison.Ordinal));
        Assert.Equal("ICMP port unreachable (10.0.0.2 udp port 5353), length 41", unreachable.Detail);
    }

    [Fact]
    public void Udp_and_tcp_give_ports_and_tcp_its_flags()
    {
        var decoded = Decoded();
        var udp = Assert.Single(decoded, s => s.Protocol == "UDP");
        Assert.Equal(5353, udp.DestinationPort);
        Assert.Equal("UDP, length 5", udp.Detail);
        var syn = Assert.Single(decoded, s => s.Protocol == "TCP" && s.Detail.StartsWith("Flags [S]", StringComparison.Ordinal));
        Assert.Equal(8080, syn.DestinationPort);
        Assert.Single(decoded, s => s.Protocol == "TCP" && s.Detail.StartsWith("Flags [R.]", StringComparison.Ordinal) && s.SourcePort == 8080);
    }

    [Fact]
    public void Single_and_stacked_vlan_tags_are_read_outermost_first()
    {
        var tagged = Decoded().Where(s => s.Tags.Count > 0).ToList();
        var single = Assert.Single(tagged, s => s.Tags.Count == 1);
        Assert.Equal(new VlanTag(VlanTag.Dot1Q, 888, 0, false), single.Tags[0]);
        Assert.Equal(888, single.VlanId);
        Assert.StartsWith("02:00:00:00:00:0a > 02:00:00:00:00:0b, vlan 888, p 0: IP 88.88.8.8 > 88.88.8.88: ICMP echo request, id 7, seq 1", single.Text, StringComparison.Ordinal);
        var stacked = Assert.Single(tagged, s => s.Tags.Count == 2);
        Assert.Equal([new VlanTag(VlanTag.Dot1Ad, 100, 0, false), new VlanTag(VlanTag.Dot1Q, 888, 5, false)], stacked.Tags);
        Assert.Contains("802.1ad vlan 100, p 0, vlan 888, p 5: IP ", stacked.Text, StringComparison.Ordinal);
        Assert.Equal((ushort)0x0800, stacked.EtherType);
    }

    [Fact]
    public void An_unknown_ethertype_is_named_by_its_number()
    {
        var lldp = Assert.Single(Decoded(), s => s.EtherType == 0x88cc);
        Assert.Equal("0x88cc", lldp.Protocol);
        Assert.Equal("ethertype LLDP 0x88cc, length 60", lldp.Detail);
    }

    [Fact]
    public void Frames_shorter_than_their_headers_say_where_they_end()
    {
        Assert.Equal("[|ether] length 5", FrameDecoder.Decode(new byte[5]).Text);
        var echo = Decoded().Select((s, i) => (s, i)).First(p => p.s.Protocol == "ICMP").i;
        var frame = PcapFile.Corpus()[echo].Record.Data;
        var cut = FrameDecoder.Decode(frame.AsSpan(0, 14 + 20 + 2));
        Assert.True(cut.Truncated);
        Assert.Equal("ICMP", cut.Protocol);
        Assert.EndsWith("ICMP [|truncated]", cut.Text, StringComparison.Ordinal);

        // Cut after the headers (a short snap length): the headers are whole, so the summary is not truncated.
        var snapped = FrameDecoder.Decode(frame.AsSpan(0, 14 + 20 + 8));
        Assert.False(snapped.Truncated);
        Assert.Contains("echo request", snapped.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_prefix_of_every_frame_decodes_without_an_exception()
    {
        foreach (var (record, tcpdump) in PcapFile.Corpus())
        {
            for (var length = 0; length <= record.Data.Length; length++)
            {
                var summary = Decode(record.Data.AsSpan(0, length).ToArray(), $"{tcpdump} cut to {length} bytes");
                Assert.Equal(length, summary.Length);
            }
        }
    }

    [Fact]
    public void Mutated_frames_decode_without_an_exception()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var chosen) ? chosen : DefaultSeed;
        var random = new Random(seed);
        var corpus = PcapFile.Corpus();
        for (var i = 0; i < Mutations; i++)
        {
            var (record, tcpdump) = corpus[random.Next(corpus.Count)];
            var frame = record.Data.ToArray();
            var description = Mutate(random, ref frame);
            Decode(frame, $"seed {seed} ({SeedVariable}={seed} reruns it), mutation {i}: {description} of {tcpdump}");
        }
    }

    [Fact]
    public void Tag_floods_stop_at_a_bounded_depth()
    {
        var frame = new byte[12 + (4 * 1000)];
        for (var offset = 12; offset < frame.Length; offset += 4)
        {
            frame[offset] = 0x81;
        }

        var summary = FrameDecoder.Decode(frame);
        Assert.Equal(8, summary.Tags.Count);
    }

    private static List<FrameSummary> Decoded() => PcapFile.Corpus().Select(c => FrameDecoder.Decode(c.Record.Data)).ToList();

    /// <summary>The part of the detail that tcpdump prints the same way (it words UDP payloads and ICMP errors its own way).</summary>
    private static string DetailCore(FrameSummary summary)
    {
        var detail = summary.Detail;
        if (summary.Protocol == "UDP" || detail.Contains("unreachable", StringComparison.Ordinal))
        {
            return summary.Protocol == "UDP" ? $".{summary.DestinationPort}: " : "unreachable";
        }

        foreach (var prefix in new[] { "ICMP6, ", "ICMP " })
        {
            if (detail.StartsWith(prefix, StringComparison.Ordinal))
            {
                detail = detail[prefix.Length..];
                break;
            }
        }

        var length = detail.IndexOf(", length", StringComparison.Ordinal);
        return detail.StartsWith("ethertype", StringComparison.Ordinal) ? "LLDP" : length > 0 ? detail[..length] : detail;
    }

    private static FrameSummary Decode(byte[] frame, string what)
    {
        try
        {
            var summary = FrameDecoder.Decode(frame);
            Assert.False(string.IsNullOrEmpty(summary.Text), what);
            return summary;
        }
        catch (Exception error) when (error is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{what}: {error}");
            throw;
        }
    }

    private static string Mutate(Random random, ref byte[] frame)
    {
        switch (random.Next(5))
        {
            case 0:
                var flips = random.Next(1, 8);
                for (var f = 0; f < flips; f++)
                {
                    frame[random.Next(frame.Length)] = (byte)random.Next(256);
                }

                return $"{flips} random bytes";
            case 1:
                // Length and header-length fields: IPv4 IHL/total length, IPv6 payload length, TCP data offset.
                foreach (var offset in new[] { 14, 16, 17, 18, 19, 46, 58 })
                {
                    if (offset < frame.Length && random.Next(2) == 0)
                    {
                        frame[offset] = (byte)random.Next(256);
                    }
                }

                return "length fields";
            case 2:
                var cut = random.Next(frame.Length);
                frame = frame[..cut];
                return $"cut to {cut}";
            case 3:
                // A tag inserted where the ethertype was, possibly many times.
                var tags = random.Next(1, 10);
                var tagged = new byte[frame.Length + (4 * tags)];
                frame.AsSpan(0, 12).CopyTo(tagged);
                for (var t = 0; t < tags; t++)
                {
                    tagged[12 + (4 * t)] = random.Next(2) == 0 ? (byte)0x81 : (byte)0x88;
                    tagged[13 + (4 * t)] = random.Next(2) == 0 ? (byte)0x00 : (byte)0xa8;
                    tagged[14 + (4 * t)] = (byte)random.Next(256);
                }

                frame.AsSpan(12).CopyTo(tagged.AsSpan(12 + (4 * tags)));
                frame = tagged;
                return $"{tags} tags";
            default:
                var noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                frame = noise;
                return "random bytes";
        }
    }
}
