using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Protocol;

/// <summary>
/// Parsing real kernel replies (TestData/kernel-replies.json, captured with strace from `ip` in scratch namespaces):
/// unmodified, they parse to what iproute2 printed from the very same bytes; truncated or mutated in thousands of
/// seeded ways, they give <see cref="NetlinkParseException"/> and nothing else, and never hang.
/// </summary>
public sealed class ParserRobustnessTests
{
    /// <summary>Set NETLAB_FUZZ_SEED to rerun the fuzz test with the seed a failure printed.</summary>
    private const string SeedVariable = "NETLAB_FUZZ_SEED";
    private const int DefaultSeed = 0x4E4C4642;
    private const int FuzzIterations = 20_000;

    private const byte ScopeGlobal = 0;
    private const byte ScopeLink = 253;
    private const byte ScopeHost = 254;
    private const uint IfaSecondary = 0x01;
    private const uint IfaNoDad = 0x02;
    private const uint IfaPermanent = 0x80;

    // ---- the unmodified corpus ----

    [Fact]
    public void Every_datagram_of_the_corpus_parses_without_an_exception()
    {
        var links = 0;
        var addresses = 0;
        var errors = 0;
        foreach (var (label, datagram) in KernelReplies.Datagrams())
        {
            var walked = Walk(label, datagram);
            Assert.True(walked.Messages > 0, $"{label}: no messages");
            links += walked.Links.Count;
            addresses += walked.Addresses.Count;
            errors += walked.Errors.Count;
        }

        Assert.True(links >= 60, $"expected the link dumps and events of the corpus, parsed {links} links");
        Assert.True(addresses >= 35, $"expected the address dumps and events of the corpus, parsed {addresses} addresses");
        Assert.True(errors >= 8, $"expected the error replies of the corpus, parsed {errors}");
    }

    [Theory]
    [InlineData("link-dump-a")]
    [InlineData("link-dump-b")]
    public void Link_dump_parses_to_what_iproute2_printed_from_the_same_bytes(string captureName)
    {
        var capture = KernelReplies.Get(captureName);
        var links = LinksOf(capture);
        var printed = capture.IpOutput.EnumerateArray().ToList();
        Assert.Equal(printed.Count, links.Count);
        var indexByName = printed.ToDictionary(p => p.GetProperty("ifname").GetString()!, p => p.GetProperty("ifindex").GetInt32());

        foreach (var expected in printed)
        {
            var index = expected.GetProperty("ifindex").GetInt32();
            var link = Assert.Single(links, l => l.Index == index);
            var name = expected.GetProperty("ifname").GetString();
            Assert.Equal(name, link.Name);
            Assert.Equal(expected.GetProperty("mtu").GetInt32(), link.Mtu);
            Assert.Equal(expected.GetProperty("txqlen").GetInt32(), link.TxQueueLength);
            Assert.Equal(MacAddress.Parse(expected.GetProperty("address").GetString()!), link.Address);
            Assert.Equal(Text(expected, "ifalias"), link.Alias);
            Assert.Equal(ParseOperState(expected.GetProperty("operstate").GetString()!), link.OperState);
            AssertFlags(expected, link);

            // IFLA_LINK: iproute2 names the parent when it is local, and shows its index when it is in another namespace.
            int? parent = Text(expected, "link") is { } parentName ? indexByName[parentName]
                : expected.TryGetProperty("link_index", out var linkIndex) ? linkIndex.GetInt32() : null;
            Assert.Equal(parent, link.ParentIndex);
            Assert.Equal(expected.TryGetProperty("link_netnsid", out var netnsid) ? netnsid.GetInt32() : null, link.ParentNetnsId);
            Assert.Equal(Text(expected, "master") is { } master ? indexByName[master] : null, link.MasterIndex);

            var stats = expected.GetProperty("stats64");
            Assert.Equal(
                new LinkStatistics(
                    Counter(stats, "rx", "packets"), Counter(stats, "tx", "packets"), Counter(stats, "rx", "bytes"), Counter(stats, "tx", "bytes"),
                    Counter(stats, "rx", "errors"), Counter(stats, "tx", "errors"), Counter(stats, "rx", "dropped"), Counter(stats, "tx", "dropped")),
                link.Statistics);

            var info = expected.TryGetProperty("linkinfo", out var linkInfo) ? linkInfo : default;
            Assert.Equal(info.ValueKind == JsonValueKind.Object ? Text(info, "info_kind") : null, link.Kind);
            Assert.Equal(info.ValueKind == JsonValueKind.Object ? Text(info, "info_slave_kind") : null, link.PortKind);
            AssertKindData(info, link, indexByName);
        }
    }

    [Fact]
    public void Link_dump_holds_every_link_of_the_scratch_namespace_as_created()
    {
        var links = LinksOf(KernelReplies.Get("link-dump-a")).ToDictionary(l => l.Name);
        Assert.Equal(
            ["bp0", "bp0p", "bp1", "bp1p", "br0", "ifb0", "lo", "mv-bridge", "mv-passthru", "mv-private", "mv-source", "mv-vepa", "mvt0", "up0", "up0p", "up1", "up1p", "va", "vb", "vx", "vxl4", "vxl6"],
            links.Keys.Order(StringComparer.Ordinal));

        var lo = Assert.IsType<OtherLink>(links["lo"]);
        Assert.Null(lo.Kind);
        Assert.True(lo.Flags.HasFlag(LinkFlags.Loopback));
        Assert.Equal(65536, lo.Mtu);

        var va = Assert.IsType<Veth>(links["va"]);
        Assert.Equal(1400, va.Mtu);
        Assert.Equal("netlab fuzz corpus", va.Alias);
        Assert.Equal(links["vb"].Index, va.ParentIndex);
        Assert.Equal(va.Index, links["vb"].ParentIndex);
        Assert.Null(va.ParentNetnsId);

        // The veth whose peer lives in nlfuzz-b: IFLA_LINK is the peer's index over there, IFLA_LINK_NETNSID says where.
        var vx = Assert.IsType<Veth>(links["vx"]);
        Assert.Equal(0, vx.ParentNetnsId);
        var vxp = Assert.Single(LinksOf(KernelReplies.Get("link-dump-b")), l => l.Name == "vxp");
        Assert.Equal(vxp.Index, vx.ParentIndex);
        Assert.Equal(vx.Index, vxp.ParentIndex);
        Assert.NotNull(vxp.ParentNetnsId);

        Assert.Equal(MacvlanMode.Private, Assert.IsType<Macvlan>(links["mv-private"]).Mode);
        Assert.Equal(MacvlanMode.Vepa, Assert.IsType<Macvlan>(links["mv-vepa"]).Mode);
        Assert.Equal(MacvlanMode.Bridge, Assert.IsType<Macvlan>(links["mv-bridge"]).Mode);
        var passthru = Assert.IsType<Macvlan>(links["mv-passthru"]);
        Assert.Equal(MacvlanMode.Passthru, passthru.Mode);
        Assert.True(passthru.NoPromisc);
        Assert.Equal(links["up1"].Index, passthru.ParentIndex);
        var source = Assert.IsType<Macvlan>(links["mv-source"]);
        Assert.Equal(MacvlanMode.Source, source.Mode);
        Assert.False(source.NoPromisc);
        Assert.Equal(["02:00:00:00:00:aa", "02:00:00:00:00:bb", "02:00:00:00:00:cc"], source.SourceAddresses.Select(m => m.ToString()).Order(StringComparer.Ordinal));
        foreach (var child in new[] { "mv-private", "mv-vepa", "mv-bridge", "mv-source", "mvt0" })
        {
            Assert.Equal(links["up0"].Index, links[child].ParentIndex);
        }

        var macvtap = Assert.IsType<Macvtap>(links["mvt0"]);
        Assert.Equal("macvtap", macvtap.Kind);
        Assert.Equal(MacvlanMode.Bridge, macvtap.Mode);

        var bridge = Assert.IsType<Bridge>(links["br0"]);
        var hairpinPort = links["bp0"];
        Assert.Equal(bridge.Index, hairpinPort.MasterIndex);
        Assert.Equal("bridge", hairpinPort.PortKind);
        Assert.True(hairpinPort.Hairpin);
        Assert.Equal(bridge.Index, links["bp1"].MasterIndex);
        Assert.False(links["bp1"].Hairpin);
        Assert.Null(links["bp0p"].Hairpin);
        Assert.Null(links["bp0p"].MasterIndex);

        var vxlan4 = Assert.IsType<Vxlan>(links["vxl4"]);
        Assert.Equal(42u, vxlan4.Vni);
        Assert.Equal((ushort)4789, vxlan4.Port);
        Assert.Equal(IPAddress.Parse("239.1.1.1"), vxlan4.Group);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), vxlan4.Local);
        Assert.Equal(va.Index, vxlan4.UnderlayIndex);
        var vxlan6 = Assert.IsType<Vxlan>(links["vxl6"]);
        Assert.Equal(4242u, vxlan6.Vni);
        Assert.Equal(IPAddress.Parse("ff05::100"), vxlan6.Group);
        Assert.Equal(IPAddress.Parse("fd00:1::1"), vxlan6.Local);
        Assert.False(vxlan6.IsUp);

        Assert.Equal("ifb", Assert.IsType<OtherLink>(links["ifb0"]).Kind);
    }

    [Theory]
    [InlineData("addr-dump-a")]
    [InlineData("addr-dump-b")]
    public void Address_dump_parses_to_what_iproute2_printed_from_the_same_bytes(string captureName)
    {
        var capture = KernelReplies.Get(captureName);
        var parsed = capture.Datagrams.SelectMany(d => Walk(captureName, d).Addresses).Select(a => a.Address).ToList();
        var printed = capture.IpOutput.EnumerateArray()
            .SelectMany(link => link.GetProperty("addr_info").EnumerateArray().Select(info => (Index: link.GetProperty("ifindex").GetInt32(), Info: info)))
            .ToList();
        Assert.Equal(printed.Count, parsed.Count);

        foreach (var (index, info) in printed)
        {
            var ip = IPAddress.Parse(info.GetProperty("local").GetString()!);
            var address = Assert.Single(parsed, a => a.InterfaceIndex == index && a.Ip.Equals(ip));
            Assert.Equal(info.GetProperty("prefixlen").GetInt32(), address.PrefixLength);
            Assert.Equal(info.GetProperty("family").GetString() == "inet6" ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork, address.Family);
            Assert.Equal(Text(info, "label"), address.Label);
            Assert.Equal(ParseScope(info.GetProperty("scope").GetString()!), address.Scope);
            Assert.Equal(Bool(info, "secondary"), (address.Flags & IfaSecondary) != 0);
            Assert.Equal(Bool(info, "nodad"), (address.Flags & IfaNoDad) != 0);
            Assert.Equal(!Bool(info, "dynamic"), (address.Flags & IfaPermanent) != 0);
        }
    }

    [Fact]
    public void Address_dump_holds_every_address_of_the_scratch_namespaces_as_added()
    {
        var a = KernelReplies.Get("addr-dump-a");
        var walkedA = a.Datagrams.Select(d => Walk(a.Name, d)).ToList();
        var index = walkedA.SelectMany(w => w.Links).ToDictionary(l => l.Link.Name, l => l.Link.Index);
        var addresses = walkedA.SelectMany(w => w.Addresses).Select(x => x.Address).ToList();

        Address Find(string device, string ip) => Assert.Single(addresses, x => x.InterfaceIndex == index[device] && x.Ip.Equals(IPAddress.Parse(ip)));

        Assert.Equal(8, Find("lo", "127.0.0.1").PrefixLength);
        Assert.Equal(ScopeHost, Find("lo", "127.0.0.1").Scope);
        Assert.Equal(128, Find("lo", "::1").PrefixLength);
        var primary = Find("va", "10.1.0.1");
        Assert.Equal((24, "va", ScopeGlobal), (primary.PrefixLength, primary.Label, primary.Scope));
        Assert.Equal(0u, primary.Flags & IfaSecondary);
        var secondary = Find("va", "10.1.0.2");
        Assert.Equal((24, "va:sec"), (secondary.PrefixLength, secondary.Label));
        Assert.Equal(IfaSecondary, secondary.Flags & IfaSecondary);
        var v6 = Find("va", "fd00:1::1");
        Assert.Equal(64, v6.PrefixLength);
        Assert.Null(v6.Label);
        Assert.Equal(IfaNoDad, v6.Flags & IfaNoDad);

        // `peer 10.9.0.2/32`: IFA_LOCAL is the interface's own address, IFA_ADDRESS the peer; NetLab reports the former.
        Assert.Equal(32, Find("vb", "10.9.0.1").PrefixLength);
        Assert.DoesNotContain(addresses, x => x.Ip.Equals(IPAddress.Parse("10.9.0.2")));
        Assert.Equal(24, Find("br0", "192.168.77.1").PrefixLength);
        Assert.Equal(64, Find("br0", "fd00:77::1").PrefixLength);
        Assert.Equal(12, Find("mv-bridge", "172.16.0.1").PrefixLength);
        Assert.Equal(128, Find("mv-bridge", "2001:db8::5").PrefixLength);
        var linkLocal = Assert.Single(addresses, x => x.InterfaceIndex == index["va"] && x.Ip.IsIPv6LinkLocal);
        Assert.Equal((64, ScopeLink), (linkLocal.PrefixLength, linkLocal.Scope));

        var b = KernelReplies.Get("addr-dump-b");
        var addressesB = b.Datagrams.SelectMany(d => Walk(b.Name, d).Addresses).Select(x => x.Address).ToList();
        Assert.Contains(addressesB, x => x.Ip.Equals(IPAddress.Parse("10.2.0.2")) && x.PrefixLength == 30);
        Assert.Contains(addressesB, x => x.Ip.Equals(IPAddress.Parse("fd00:2::2")) && x.PrefixLength == 64);
    }

    [Theory]
    [InlineData("error-unknown-kind", 95, "Unknown device type")]
    [InlineData("error-mtu-too-small", 22, "mtu less than device minimum")]
    [InlineData("error-capped-unknown-kind", 95, "Unknown device type")]
    [InlineData("error-exists", 17, null)]
    public void Error_reply_yields_its_errno_and_extended_ack_text(string captureName, int errno, string? text)
    {
        var capture = KernelReplies.Get(captureName);
        var (actualErrno, extendedAck) = Assert.Single(Walk(captureName, capture.Datagrams[^1]).Errors);

        Assert.Equal(errno, actualErrno);
        Assert.Equal(text, extendedAck);
        if (text is not null && capture.IpStderr is not null)
        {
            // iproute2 printed the kernel's text from the same bytes.
            Assert.Equal($"Error: {text}.", capture.IpStderr);
        }
    }

    [Fact]
    public void Event_datagrams_parse_as_the_event_reader_parses_them()
    {
        var capture = KernelReplies.Get("events-a");
        var walked = capture.Datagrams.Select(d => Walk(capture.Name, d)).ToList();
        var links = walked.SelectMany(w => w.Links).ToList();
        var addresses = walked.SelectMany(w => w.Addresses).ToList();

        var ev0 = links.First(l => l.Type == Rtm.RTM_NEWLINK && l.Link.Name == "ev0").Link;
        Assert.IsType<Veth>(ev0);
        Assert.Contains(links, l => l.Type == Rtm.RTM_NEWLINK && l.Link.Name == "ev0" && l.Link.IsUp);
        Assert.Contains(links, l => l.Type == Rtm.RTM_DELLINK && l.Link.Name == "ev0");
        Assert.Contains(links, l => l.Type == Rtm.RTM_DELLINK && l.Link.Name == "ev0p");
        Assert.Contains(addresses, a => a.Type == Rtm.RTM_NEWADDR && a.Address.InterfaceIndex == ev0.Index && a.Address.ToString() == "10.5.0.1/24");
        Assert.Contains(addresses, a => a.Type == Rtm.RTM_NEWADDR && a.Address.InterfaceIndex == ev0.Index && a.Address.ToString() == "fd00:5::1/64");
        Assert.Contains(addresses, a => a.Type == Rtm.RTM_DELADDR && a.Address.InterfaceIndex == ev0.Index && a.Address.ToString() == "10.5.0.1/24");
        Assert.Contains(addresses, a => a.Type == Rtm.RTM_DELADDR && a.Address.InterfaceIndex == ev0.Index && a.Address.ToString() == "fd00:5::1/64");
    }

    // ---- truncation at every length ----

    public static TheoryData<string, ushort> TruncationSamples() => new()
    {
        { "link-dump-a", Rtm.RTM_NEWLINK },
        { "link-get-mv-source", Rtm.RTM_NEWLINK },
        { "addr-dump-a", Rtm.RTM_NEWADDR },
        { "events-a", Rtm.RTM_DELLINK },
        { "events-a", Rtm.RTM_DELADDR },
        { "error-unknown-kind", Nl.NLMSG_ERROR },
        { "error-capped-unknown-kind", Nl.NLMSG_ERROR },
    };

    [Theory]
    [MemberData(nameof(TruncationSamples))]
    public async Task Datagram_cut_at_every_length_parses_only_at_message_boundaries_and_otherwise_gives_NetlinkParseException(string captureName, ushort type)
    {
        var datagram = Sample(captureName, type);
        var whole = WholeMessagePrefixes(datagram);

        var wrong = await Bounded.RunAsync(progress =>
        {
            var problems = new List<string>();
            for (var length = 0; length <= datagram.Length; length++)
            {
                progress.Started($"{captureName} cut to {length} of {datagram.Length} bytes");
                var outcome = Outcome(datagram.AsSpan(0, length));
                var expected = whole(length) ? "parsed" : nameof(NetlinkParseException);
                if (outcome != expected)
                {
                    problems.Add($"cut to {length} bytes: {outcome}, expected {expected}");
                }
            }

            return problems;
        }, $"{captureName} truncations");

        Assert.True(wrong.Count == 0, $"{captureName} ({datagram.Length} bytes):\n{string.Join('\n', wrong.Take(20))}");
    }

    [Theory]
    [MemberData(nameof(TruncationSamples))]
    public async Task Message_payload_cut_at_every_length_with_a_matching_nlmsg_len_gives_only_NetlinkParseException(string captureName, ushort type)
    {
        var datagram = Sample(captureName, type);
        var messages = Messages(datagram);

        var wrong = await Bounded.RunAsync(progress =>
        {
            var problems = new List<string>();
            foreach (var (offset, length) in messages)
            {
                var message = datagram.AsSpan(offset, length).ToArray();
                var messageType = BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4));
                var minimum = messageType switch
                {
                    Rtm.RTM_NEWLINK or Rtm.RTM_DELLINK => Rtm.IfInfoMsgLength,
                    Rtm.RTM_NEWADDR or Rtm.RTM_DELADDR => Rtm.IfAddrMsgLength,
                    _ => 0,
                };
                for (var payload = 0; payload <= length - Nl.HeaderLength; payload++)
                {
                    progress.Started($"message at {offset} with its payload cut to {payload} bytes");
                    var cut = message[..(Nl.HeaderLength + payload)];
                    BinaryPrimitives.WriteUInt32LittleEndian(cut, (uint)cut.Length);
                    var outcome = Outcome(cut);
                    if (outcome != "parsed" && outcome != nameof(NetlinkParseException))
                    {
                        problems.Add($"message at {offset}, payload cut to {payload} bytes: {outcome}");
                    }
                    else if (payload < minimum && outcome == "parsed")
                    {
                        problems.Add($"message at {offset}, payload cut to {payload} bytes: parsed without its {minimum}-byte header");
                    }
                }
            }

            return problems;
        }, $"{captureName} payload truncations");

        Assert.True(wrong.Count == 0, $"{captureName}:\n{string.Join('\n', wrong.Take(20))}");
    }

    // ---- the fuzz test ----

    [Fact]
    public async Task Twenty_thousand_seeded_mutations_of_kernel_replies_give_only_NetlinkParseException_and_never_hang()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeed;
        var rerun = $"seed {seed} (rerun with {SeedVariable}={seed})";
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzzing {FuzzIterations} mutations with {rerun}");
        var corpus = KernelReplies.Datagrams().Select(d => (d.Label, d.Datagram, Layout: DatagramLayout.Of(d.Datagram))).ToList();

        var result = await Bounded.RunAsync(progress =>
        {
            var failures = new List<string>();
            int parsed = 0, rejected = 0, duplicates = 0;
            for (var iteration = 0; iteration < FuzzIterations; iteration++)
            {
                // One generator per iteration: a failure names the iteration, and the seed alone reproduces it.
                var random = new Random(unchecked(seed + (iteration * 7919)));
                var (label, original, layout) = corpus[random.Next(corpus.Count)];
                var mutation = CorpusMutator.Mutate(random, original, layout);
                progress.Started($"iteration {iteration}: {label}, {mutation.Description}");
                duplicates += mutation.MustParse ? 1 : 0;
                try
                {
                    ReplyWalker.Walk(mutation.Datagram);
                    parsed++;
                }
                catch (NetlinkParseException) when (!mutation.MustParse)
                {
                    rejected++;
                }
                catch (Exception exception)
                {
                    failures.Add($"iteration {iteration}: {label}, {mutation.Description}: {exception.GetType().Name}: {exception.Message}\n  {FirstFrame(exception)}\n  mutated bytes: {Hex(mutation.Datagram)}");
                }
            }

            return (failures, parsed, rejected, duplicates);
        }, rerun);

        TestContext.Current.TestOutputHelper?.WriteLine($"parsed {result.parsed}, rejected {result.rejected}, well-formed duplicates {result.duplicates}");
        Assert.True(
            result.failures.Count == 0,
            $"{result.failures.Count} of {FuzzIterations} mutations threw something other than NetlinkParseException (or a well-formed duplicate did not parse); {rerun}:\n{string.Join('\n', result.failures.Take(5))}");

        // The mutations must exercise both sides: many still parse, many are refused.
        Assert.True(result.parsed > FuzzIterations / 10, $"only {result.parsed} mutations parsed; {rerun}");
        Assert.True(result.rejected > FuzzIterations / 10, $"only {result.rejected} mutations were refused; {rerun}");
        Assert.True(result.duplicates > FuzzIterations / 20, $"only {result.duplicates} duplicated attributes; {rerun}");
    }

    // ---- helpers ----

    private static WalkedDatagram Walk(string label, byte[] datagram)
    {
        try
        {
            return ReplyWalker.Walk(datagram);
        }
        catch (NetlinkParseException exception)
        {
            throw new InvalidDataException($"{label} does not parse: {exception.Message}", exception);
        }
    }

    private static List<Link> LinksOf(KernelCapture capture) =>
        [.. capture.Datagrams.SelectMany(d => Walk(capture.Name, d).Links).Where(l => l.Type == Rtm.RTM_NEWLINK).Select(l => l.Link)];

    /// <summary>The largest datagram of a capture whose first message has <paramref name="type"/>.</summary>
    private static byte[] Sample(string captureName, ushort type) => KernelReplies.Get(captureName).Datagrams
        .Where(d => d.Length >= Nl.HeaderLength && BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(4)) == type)
        .MaxBy(d => d.Length) ?? throw new InvalidDataException($"{captureName} has no datagram starting with message type {type}");

    private static List<(int Offset, int Length)> Messages(byte[] datagram)
    {
        var messages = new List<(int, int)>();
        for (var offset = 0; offset < datagram.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram.AsSpan(offset));
            messages.Add((offset, length));
            offset += Nl.Align(length);
        }

        return messages;
    }

    /// <summary>Which prefix lengths hold whole messages only (a message's trailing padding may be cut).</summary>
    private static Func<int, bool> WholeMessagePrefixes(byte[] datagram)
    {
        var messages = Messages(datagram);
        return length => length == 0 || messages.Any(m => m.Offset + m.Length <= length && length <= m.Offset + Nl.Align(m.Length));
    }

    private static string Outcome(ReadOnlySpan<byte> datagram)
    {
        try
        {
            ReplyWalker.Walk(datagram);
            return "parsed";
        }
        catch (NetlinkParseException)
        {
            return nameof(NetlinkParseException);
        }
        catch (Exception exception)
        {
            return $"{exception.GetType().Name}: {exception.Message} at {FirstFrame(exception)}";
        }
    }

    private static string FirstFrame(Exception exception) =>
        exception.StackTrace?.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no stack)";

    private static string Hex(byte[] bytes) =>
        bytes.Length <= 256 ? Convert.ToHexStringLower(bytes) : $"{Convert.ToHexStringLower(bytes.AsSpan(0, 256))}... ({bytes.Length} bytes)";

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    private static ulong Counter(JsonElement stats, string direction, string name) => stats.GetProperty(direction).GetProperty(name).GetUInt64();

    private static OperState ParseOperState(string word) => word switch
    {
        "UNKNOWN" => OperState.Unknown,
        "NOTPRESENT" => OperState.NotPresent,
        "DOWN" => OperState.Down,
        "LOWERLAYERDOWN" => OperState.LowerLayerDown,
        "TESTING" => OperState.Testing,
        "DORMANT" => OperState.Dormant,
        "UP" => OperState.Up,
        _ => throw new InvalidDataException($"operstate {word}"),
    };

    private static byte ParseScope(string word) => word switch
    {
        "global" => ScopeGlobal,
        "link" => ScopeLink,
        "host" => ScopeHost,
        _ => byte.Parse(word, CultureInfo.InvariantCulture),
    };

    private static void AssertFlags(JsonElement expected, Link link)
    {
        var printed = expected.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToHashSet();
        foreach (var (word, flag) in new[] { ("UP", LinkFlags.Up), ("LOWER_UP", LinkFlags.LowerUp), ("BROADCAST", LinkFlags.Broadcast), ("MULTICAST", LinkFlags.Multicast), ("LOOPBACK", LinkFlags.Loopback), ("NOARP", LinkFlags.NoArp) })
        {
            Assert.True(printed.Contains(word) == link.Flags.HasFlag(flag), $"{link.Name}: iproute2 printed flags [{string.Join(' ', printed)}], parsed {link.Flags}");
        }
    }

    private static void AssertKindData(JsonElement info, Link link, Dictionary<string, int> indexByName)
    {
        var data = info.ValueKind == JsonValueKind.Object && info.TryGetProperty("info_data", out var d) ? d : default;
        switch (link)
        {
            case Macvlan macvlan:
                Assert.Equal(data.GetProperty("mode").GetString(), macvlan.Mode.Word());
                Assert.Equal(Bool(data, "nopromisc"), macvlan.NoPromisc);
                var sources = data.TryGetProperty("macaddr_data", out var list) ? list.EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal).ToList() : [];
                Assert.Equal(sources, macvlan.SourceAddresses.Select(m => m.ToString()).Order(StringComparer.Ordinal));
                break;
            case Vxlan vxlan:
                Assert.Equal(data.GetProperty("id").GetUInt32(), vxlan.Vni);
                Assert.Equal(data.GetProperty("port").GetUInt16(), vxlan.Port);
                Assert.Equal(Ip(Text(data, "group") ?? Text(data, "group6")), vxlan.Group);
                Assert.Equal(Ip(Text(data, "local") ?? Text(data, "local6")), vxlan.Local);
                Assert.Equal(Text(data, "link") is { } underlay ? indexByName[underlay] : null, vxlan.UnderlayIndex);
                break;
        }

        if (link.PortKind == "bridge")
        {
            Assert.Equal(Bool(info.GetProperty("info_slave_data"), "hairpin"), link.Hairpin);
        }
        else
        {
            Assert.Null(link.Hairpin);
        }
    }

    private static IPAddress? Ip(string? text) => text is null ? null : IPAddress.Parse(text);
}
