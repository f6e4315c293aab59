using System.Diagnostics;
using System.Net;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// IPv6 addresses and duplicate address detection on the real kernel: one added with IFA_F_NODAD is usable as soon as
/// its link can send, one added without it stays tentative for about a second, and AddressSettle waits for it (bounded).
/// </summary>
public sealed class AddressSettleKernelTests
{
    [Fact]
    public void A_nodad_address_is_usable_at_once_and_settling_waits_until_a_detected_one_is_too()
    {
        using var lab = new KernelLab();
        var a = lab.Namespace("a");
        var b = lab.Namespace("b");
        a.LinkAdd(new Veth { Name = "a0", PeerName = "b0", PeerNamespace = b.Namespace });
        var a0 = a.LinkByName("a0")!.Index;
        var b0 = b.LinkByName("b0")!.Index;
        a.AddressAdd(new Address(a0, IPAddress.Parse("fd00:61::1"), 64) { Flags = AddressFlags.NoDad });
        b.AddressAdd(new Address(b0, IPAddress.Parse("fd00:61::2"), 64));
        a.LinkSetUp(a0);
        b.LinkSetUp(b0);
        lab.Settle();

        var briefly = NetlinkHandle.AddressSettle([a, b], TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var settled = NetlinkHandle.AddressSettle([a, b], TimeSpan.FromSeconds(5));

        // Detection sends one solicitation and waits a second for an answer (net.ipv6.conf.*.retrans_time_ms).
        Assert.Equal([$"{b.Namespace}/fd00:61::2/64"], briefly);
        Assert.Empty(settled);
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(300), $"settling returned after {clock.Elapsed.TotalMilliseconds:F0} ms, before detection could have ended");
        Assert.Empty(b.TentativeAddresses());
        Assert.DoesNotContain(a.AddressList(), address => address.Ip.Equals(IPAddress.Parse("fd00:61::1")) && address.IsTentative);
    }
}
