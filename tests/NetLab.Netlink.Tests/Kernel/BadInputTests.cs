using NetLab.Core.Links;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Links;
using static NetLab.Netlink.Tests.Kernel.LinkKernelTests;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>Bad requests give an error naming the cause in words and leave nothing half-created.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("sixteen-bytes-xx", "at most 15")]
    [InlineData("a/b", "'/'")]
    [InlineData("has space", "whitespace")]
    [InlineData("nul\0x", "NUL")]
    [InlineData("", "required")]
    public void Bad_interface_names_are_refused_before_sending(string name, string expected)
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bn");

        var error = Assert.Throws<InvalidLinkRequestException>(() => ns.LinkAdd(new Veth { Name = name, PeerName = "ok" }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(["lo"], ns.LinkList().Select(l => l.Name));
    }

    [Fact]
    public void A_bad_peer_name_creates_neither_end()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bp");

        var error = Assert.Throws<InvalidLinkRequestException>(() => ns.LinkAdd(new Veth { Name = "vA", PeerName = "way-too-long-peer-name" }));

        Assert.Contains("peer name", error.Message, StringComparison.Ordinal);
        Assert.Equal(["lo"], ns.LinkList().Select(l => l.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(-1)]
    [InlineData(5000)]
    public void Vlan_ids_outside_1_to_4094_are_refused(int id)
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bv");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        var before = ns.LinkList().Count;

        var error = Assert.Throws<InvalidLinkRequestException>(() => ns.LinkAdd(new Vlan { Name = "p0.x", ParentIndex = Find(ns, "p0").Index, VlanId = id }));

        Assert.Contains("outside 1-4094", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, ns.LinkList().Count);
    }

    [Fact]
    public void An_unknown_parent_is_reported_as_such()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bu");

        var error = Assert.Throws<NetlinkException>(() => ns.LinkAdd(new Macvlan { Name = "mv0", ParentIndex = 9999, Mode = MacvlanMode.Bridge }));

        Assert.Equal(Errno.ENODEV, error.Errno);
        Assert.Contains("no parent device with ifindex 9999", error.Message, StringComparison.Ordinal);
        Assert.Equal(["lo"], ns.LinkList().Select(l => l.Name));
    }

    [Fact]
    public void A_macvlan_without_parent_is_refused_before_sending()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bw");

        var error = Assert.Throws<InvalidLinkRequestException>(() => ns.LinkAdd(new Macvlan { Name = "mv0", Mode = MacvlanMode.Bridge }));

        Assert.Contains("needs a parent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_name_says_it_exists()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("bd");
        ns.LinkAdd(new Bridge { Name = "br0" });

        var error = Assert.Throws<NetlinkException>(() => ns.LinkAdd(new Bridge { Name = "br0" }));

        Assert.Equal(Errno.EEXIST, error.Errno);
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_errors_carry_the_extended_ack_text()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("be");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });

        // An MTU below the device minimum: the kernel explains in its extended ack.
        var error = Assert.Throws<NetlinkException>(() => ns.LinkSetMtu(Find(ns, "p0").Index, 10));

        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.False(string.IsNullOrEmpty(error.KernelMessage), $"expected an extended ack in: {error.Message}");
        Assert.Contains(error.KernelMessage!, error.Message, StringComparison.Ordinal);
    }
}
