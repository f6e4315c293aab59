using System.Net;
using System.Net.Sockets;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Probing;
using NetLab.Netlink.Tests.Kernel;

namespace NetLab.Netlink.Tests.Probing;

/// <summary>
/// The probe on the real kernel, between two scratch namespaces joined by a veth pair, with `ip netns exec ... ping`
/// as the oracle: a reply with ARP answered, an address nobody holds (ARP unanswered), one's own address with lo down
/// and up, no route (ENETUNREACH as a result), and IPv6 once duplicate address detection is over.
/// </summary>
public sealed class NamespaceProbeKernelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Echoes_replies_arp_and_errors_are_told_apart_as_ping_sees_them()
    {
        using var lab = new KernelLab();
        var (a, b) = Pair(lab);
        IPAddress[] targets = [Ip("10.61.0.2"), Ip("10.61.0.99"), Ip("10.61.0.1"), Ip("10.62.0.1")];

        var outcomes = await NamespaceProbe.RunAsync(a, targets, Timeout, TestContext.Current.CancellationToken);

        var peer = outcomes[0];
        Assert.True(peer.Replied, $"10.61.0.2: {peer}");
        Assert.True(peer.RttMilliseconds > 0);
        Assert.True(peer.Neighbor?.WasAnswered, $"ARP for the peer should be answered: {peer.Neighbor}");
        Assert.Equal(RouteType.Unicast, peer.Route?.Type);

        var nobody = outcomes[1];
        Assert.False(nobody.Replied);
        Assert.True(nobody.Neighbor?.IsUnanswered, $"nobody holds 10.61.0.99, so ARP goes unanswered: {nobody.Neighbor}");

        var own = outcomes[2];
        Assert.False(own.Replied, "own address with lo down");
        Assert.Equal(RouteType.Local, own.Route?.Type);
        Assert.Null(own.Neighbor);

        var unrouted = outcomes[3];
        Assert.False(unrouted.Replied);
        Assert.Null(unrouted.Route);
        Assert.Equal("ENETUNREACH", unrouted.Errno);
        Assert.Contains("unreachable", unrouted.Error, StringComparison.OrdinalIgnoreCase);

        // The oracle agrees pair by pair.
        Assert.Equal([true, false, false, false], targets.Select(t => lab.Ping(a, t.ToString())));
        _ = b;
    }

    [Fact]
    public async Task A_neighbour_entry_the_probe_made_can_be_deleted_and_a_gone_one_is_enoent()
    {
        using var lab = new KernelLab();
        var (a, _) = Pair(lab);
        var peer = Ip("10.61.0.2");
        Assert.True((await NamespaceProbe.RunAsync(a, [peer], Timeout, TestContext.Current.CancellationToken))[0].Replied);
        var entry = Assert.Single(a.NeighborList(), n => n.Destination.Equals(peer));

        a.NeighborDelete(entry);

        Assert.DoesNotContain(a.NeighborList(), n => n.Destination.Equals(peer));
        Assert.DoesNotContain(peer.ToString(), KernelLab.Run("ip", "-n", a.Namespace.Name!, "neigh", "show").Output, StringComparison.Ordinal);
        var gone = Assert.Throws<NetlinkException>(() => a.NeighborDelete(entry));
        Assert.Equal("ENOENT", gone.ErrnoName);
    }

    [Fact]
    public async Task Own_address_replies_once_lo_is_up()
    {
        using var lab = new KernelLab();
        var (a, _) = Pair(lab);
        a.LinkSetUp(a.LinkByName("lo")!.Index);

        var outcome = Assert.Single(await NamespaceProbe.RunAsync(a, [Ip("10.61.0.1")], Timeout, TestContext.Current.CancellationToken));

        Assert.True(outcome.Replied, outcome.ToString());
        Assert.Equal(RouteType.Local, outcome.Route?.Type);
        Assert.True(lab.Ping(a, "10.61.0.1"));
    }

    [Fact]
    public async Task Ipv6_targets_get_icmpv6_echoes_and_neighbour_discovery()
    {
        using var lab = new KernelLab();
        var (a, b) = Pair(lab);
        a.AddressAdd(new Address(a.LinkByName("a0")!.Index, Ip("fd00:61::1"), 64));
        b.AddressAdd(new Address(b.LinkByName("b0")!.Index, Ip("fd00:61::2"), 64));
        await WhenAddressesSettledAsync(a, b);

        var outcomes = await NamespaceProbe.RunAsync(a, [Ip("fd00:61::2"), Ip("10.61.0.2"), Ip("fd00:61::99")], Timeout, TestContext.Current.CancellationToken);

        Assert.True(outcomes[0].Replied, outcomes[0].ToString());
        Assert.True(outcomes[0].Neighbor?.WasAnswered, $"{outcomes[0].Neighbor}");
        Assert.Equal(AddressFamily.InterNetworkV6, outcomes[0].Neighbor!.Family);
        Assert.True(outcomes[1].Replied, outcomes[1].ToString());
        Assert.False(outcomes[2].Replied);
        Assert.True(outcomes[2].Neighbor?.IsUnanswered, $"{outcomes[2].Neighbor}");
        Assert.True(lab.Ping(a, "fd00:61::2"));
    }

    [Fact]
    public async Task No_targets_is_an_empty_answer()
    {
        using var lab = new KernelLab();
        var a = lab.Namespace("a");

        Assert.Empty(await NamespaceProbe.RunAsync(a, [], Timeout, TestContext.Current.CancellationToken));
    }

    /// <summary>a0 (10.61.0.1/24) in namespace a, b0 (10.61.0.2/24) in namespace b, both up, lo down in both.</summary>
    private static (NetlinkHandle A, NetlinkHandle B) Pair(KernelLab lab)
    {
        var a = lab.Namespace("a");
        var b = lab.Namespace("b");
        a.LinkAdd(new Veth { Name = "a0", PeerName = "b0", PeerNamespace = b.Namespace });
        var a0 = a.LinkByName("a0")!.Index;
        var b0 = b.LinkByName("b0")!.Index;
        a.AddressAdd(new Address(a0, Ip("10.61.0.1"), 24));
        b.AddressAdd(new Address(b0, Ip("10.61.0.2"), 24));
        a.LinkSetUp(a0);
        b.LinkSetUp(b0);
        lab.Settle();
        return (a, b);
    }

    /// <summary>IPv6 addresses are tentative until duplicate address detection ends (about a second); echoes to or from them fail before.</summary>
    private static async Task WhenAddressesSettledAsync(params NetlinkHandle[] handles)
    {
        const uint tentative = 0x40;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (handles.All(h => h.AddressList(AddressFamily.InterNetworkV6).All(a => (a.Flags & tentative) == 0)))
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail("IPv6 addresses stayed tentative for 5 s");
    }

    private static IPAddress Ip(string text) => IPAddress.Parse(text);
}
