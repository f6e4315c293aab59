using System.Net;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Events;
using NetLab.Netlink.Links;
using static NetLab.Netlink.Tests.Kernel.LinkKernelTests;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>Kernel events from several namespaces: snapshot first, then every change; overruns become resyncs.</summary>
public sealed class EventKernelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Snapshot_comes_first_then_link_and_address_changes_from_every_namespace()
    {
        using var lab = new KernelLab();
        var a = lab.Namespace("ea");
        var b = lab.Namespace("eb");
        using var subscription = EventSubscription.Start([a.Namespace, b.Namespace]);
        var events = subscription.Reader;

        var first = Assert.IsType<NamespaceSnapshot>(await Next(events));
        var second = Assert.IsType<NamespaceSnapshot>(await Next(events));
        Assert.Equal(a.Namespace.Name, first.Namespace);
        Assert.Equal(b.Namespace.Name, second.Namespace);
        Assert.Equal("lo", Assert.Single(first.Links).Name);
        Assert.False(first.IsResync);

        a.LinkAdd(new Veth { Name = "vA", PeerName = "vB" });
        var created = await Until<LinkChanged>(events, e => e.Link.Name == "vA");
        Assert.Equal(a.Namespace.Name, created.Namespace);

        var index = Find(a, "vA").Index;
        a.LinkSetUp(index);
        await Until<LinkChanged>(events, e => e.Link.Name == "vA" && e.Link.IsUp);

        a.AddressAdd(new Address(index, IPAddress.Parse("100.0.0.2"), 24));
        var added = await Until<AddressAdded>(events, e => e.Address.Ip.Equals(IPAddress.Parse("100.0.0.2")));
        Assert.Equal(24, added.Address.PrefixLength);

        b.LinkAdd(new Bridge { Name = "br0" });
        var fromB = await Until<LinkChanged>(events, e => e.Link.Name == "br0");
        Assert.Equal(b.Namespace.Name, fromB.Namespace);

        a.LinkDelete(index);
        await Until<LinkRemoved>(events, e => e.Link.Name == "vA");
    }

    [Fact]
    public async Task A_change_made_by_iproute2_outside_NetLab_is_seen()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("ex");
        ns.LinkAdd(new Veth { Name = "vA", PeerName = "vB" });
        ns.LinkSetUp(Find(ns, "vA").Index);
        using var subscription = EventSubscription.Start([ns.Namespace]);
        var snapshot = Assert.IsType<NamespaceSnapshot>(await Next(subscription.Reader));
        Assert.True(snapshot.Links.Single(l => l.Name == "vA").IsUp);

        Assert.Equal(0, KernelLab.Run("ip", "-n", ns.Namespace.Name!, "link", "set", "vA", "down").ExitCode);

        await Until<LinkChanged>(subscription.Reader, e => e.Link.Name == "vA" && !e.Link.IsUp);
    }

    [Fact]
    public async Task An_overrun_says_so_and_is_followed_by_a_fresh_snapshot_with_everything()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("eo");

        // The smallest buffer the kernel allows, and nobody reading: the queue must overrun.
        using var subscription = EventSubscription.StartPaused([ns.Namespace], receiveBufferBytes: 1);
        const int Count = 60;
        for (var i = 0; i < Count; i++)
        {
            ns.LinkAdd(new Bridge { Name = $"br{i}" });
        }

        subscription.Resume();
        var events = subscription.Reader;
        Assert.IsType<NamespaceSnapshot>(await Next(events));
        var resync = await Until<ResyncNeeded>(events, _ => true);
        Assert.Contains("ENOBUFS", resync.Reason, StringComparison.Ordinal);
        var fresh = await Until<NamespaceSnapshot>(events, s => s.IsResync);
        Assert.Equal(Count + 1, fresh.Links.Count);
    }

    [Fact]
    public async Task Disposing_ends_the_stream_cleanly()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("ed");
        var subscription = EventSubscription.Start([ns.Namespace]);
        Assert.IsType<NamespaceSnapshot>(await Next(subscription.Reader));

        subscription.Dispose();

        using var timeout = new CancellationTokenSource(Patience);
        await subscription.Reader.Completion.WaitAsync(timeout.Token);
        Assert.True(subscription.Reader.Completion.IsCompletedSuccessfully);
    }

    private static async Task<NetlinkEvent> Next(System.Threading.Channels.ChannelReader<NetlinkEvent> events)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await events.ReadAsync(timeout.Token);
    }

    private static async Task<T> Until<T>(System.Threading.Channels.ChannelReader<NetlinkEvent> events, Func<T, bool> match)
        where T : NetlinkEvent
    {
        using var timeout = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var item = await events.ReadAsync(timeout.Token);
                if (item is T wanted && match(wanted))
                {
                    return wanted;
                }

                seen.Add(item.GetType().Name);
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no matching {typeof(T).Name} within {Patience.TotalSeconds} s; saw: {string.Join(", ", seen)}");
        }
    }
}
