using System.Net;
using System.Text.Json;
using NetLab.Core.Links;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Probing;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Probing;

/// <summary>
/// The neighbour and route parsers against real kernel replies (TestData/probe-replies.json, captured with strace
/// from `ip -j neigh show` and `ip -j route get`); iproute2's own JSON output of the same datagrams is the oracle.
/// </summary>
public sealed class ProbeRepliesTests
{
    private static readonly JsonElement Document = Load();

    [Fact]
    public void Neighbour_dump_parses_to_what_ip_neigh_show_printed()
    {
        var capture = Capture("neigh-dump");
        var neighbors = Messages(capture, Rtm.RTM_NEWNEIGH).Select(p => NeighborMessages.Parse(p)).ToList();
        var indexOf = Document.GetProperty("ifindex").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

        // `ip neigh show` hides NOARP entries (multicast, lo) on its own side; the dump carries them.
        var shown = neighbors.Where(n => (n.State & NeighborState.NoArp) == 0).ToList();
        var expected = capture.GetProperty("ip_output").EnumerateArray().ToList();
        Assert.Equal(expected.Count, shown.Count);
        foreach (var entry in expected)
        {
            var destination = IPAddress.Parse(entry.GetProperty("dst").GetString()!);
            var neighbor = Assert.Single(shown, n => n.Destination.Equals(destination));
            Assert.Equal(indexOf[entry.GetProperty("dev").GetString()!], neighbor.InterfaceIndex);
            Assert.Equal(string.Join(' ', entry.GetProperty("state").EnumerateArray().Select(s => s.GetString())), Neighbor.Describe(neighbor.State));
            Assert.Equal(entry.TryGetProperty("lladdr", out var mac) ? MacAddress.Parse(mac.GetString()!) : null, neighbor.LinkLayerAddress);
        }
    }

    [Theory]
    [InlineData("10.8.0.2", true, false)]
    [InlineData("fd00:8::2", true, false)]
    [InlineData("10.8.0.9", true, false)]
    [InlineData("10.8.0.10", true, false)]
    [InlineData("10.8.0.77", false, true)]
    public void Neighbour_states_read_as_answered_or_unanswered(string destination, bool answered, bool unanswered)
    {
        var neighbor = Messages(Capture("neigh-dump"), Rtm.RTM_NEWNEIGH).Select(p => NeighborMessages.Parse(p)).Single(n => n.Destination.Equals(IPAddress.Parse(destination)));

        Assert.Equal(answered, neighbor.WasAnswered);
        Assert.Equal(unanswered, neighbor.IsUnanswered);
    }

    [Theory]
    [InlineData("route-get-v4", RouteType.Unicast)]
    [InlineData("route-get-v6", RouteType.Unicast)]
    [InlineData("route-get-local", RouteType.Local)]
    public void Route_lookup_parses_to_what_ip_route_get_printed(string name, RouteType type)
    {
        var capture = Capture(name);
        var indexOf = Document.GetProperty("ifindex").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        var route = RouteMessages.Parse(Assert.Single(Messages(capture, Rtm.RTM_NEWROUTE)));
        var printed = capture.GetProperty("ip_output")[0];

        Assert.Equal(type, route.Type);
        Assert.Equal(IPAddress.Parse(printed.GetProperty("dst").GetString()!), route.Destination);
        Assert.Equal(indexOf[printed.GetProperty("dev").GetString()!], route.OutputInterfaceIndex);
        Assert.Equal(IPAddress.Parse(printed.GetProperty("prefsrc").GetString()!), route.PreferredSource);
        Assert.Null(route.Gateway);
        Assert.Equal(route.Destination, route.NextHop);
    }

    [Fact]
    public void No_route_is_an_ENETUNREACH_error_reply()
    {
        var capture = Capture("route-get-unreachable");
        Assert.Contains("Network is unreachable", capture.GetProperty("ip_stderr").GetString(), StringComparison.Ordinal);

        var errors = Datagrams(capture).SelectMany(d => Walk(d)).Where(m => m.Type == Nl.NLMSG_ERROR).ToList();
        var error = Assert.Single(errors);
        Assert.Equal(-Errno.ENETUNREACH, BitConverter.ToInt32(error.Payload, 0));
    }

    [Fact]
    public void Truncated_neighbour_and_route_messages_are_refused_with_a_parse_error()
    {
        var neighbor = Messages(Capture("neigh-dump"), Rtm.RTM_NEWNEIGH).First();
        var route = Messages(Capture("route-get-v4"), Rtm.RTM_NEWROUTE).First();

        for (var length = 0; length < neighbor.Length; length++)
        {
            AssertParsesOrRefuses(() => NeighborMessages.Parse(neighbor.AsSpan(0, length)));
        }

        for (var length = 0; length < route.Length; length++)
        {
            AssertParsesOrRefuses(() => RouteMessages.Parse(route.AsSpan(0, length)));
        }
    }

    private static void AssertParsesOrRefuses(Action parse)
    {
        try
        {
            parse();
        }
        catch (NetlinkParseException)
        {
            // Refused with a reason: what a truncated message must get.
        }
    }

    private static JsonElement Capture(string name) =>
        Document.GetProperty("captures").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static IEnumerable<byte[]> Datagrams(JsonElement capture) =>
        capture.GetProperty("datagrams").EnumerateArray().Select(d => Convert.FromHexString(d.GetString()!));

    private static List<byte[]> Messages(JsonElement capture, ushort type) =>
        [.. Datagrams(capture).SelectMany(Walk).Where(m => m.Type == type).Select(m => m.Payload)];

    private static List<(ushort Type, byte[] Payload)> Walk(byte[] datagram)
    {
        var messages = new List<(ushort, byte[])>();
        foreach (var message in new MessageEnumerator(datagram))
        {
            messages.Add((message.Type, message.Payload.ToArray()));
        }

        return messages;
    }

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "probe-replies.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
