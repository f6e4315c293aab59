using System.Net;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Interop;
using static NetLab.Netlink.Tests.Kernel.LinkKernelTests;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// The seed notebook's macvlan experiments rebuilt with NetLab.Netlink, checked against the outcomes in
/// docs/seed/seed-experiments.md. The "physical" NIC is a veth (h1/eth0) into a lab switch namespace (sw/br0 port swp1).
/// </summary>
public sealed class SeedExperimentTests
{
    [Fact]
    public void Bridge_mode_children_reach_each_other_and_own_address_needs_lo_up()
    {
        using var lab = new KernelLab();
        var seed = SeedLab.Build(lab, MacvlanMode.Bridge, hairpin: false);

        Assert.True(lab.Ping(seed.Ns2, "100.0.0.3"), "bridge mode: macvlan2 should reach macvlan3");
        Assert.False(lab.Ping(seed.Ns2, "100.0.0.2"), "own address with lo down should fail (the seed's '????')");

        seed.Ns2.LinkSetUp(1);
        Assert.True(lab.Ping(seed.Ns2, "100.0.0.2"), "own address with lo up should work");
    }

    [Fact]
    public void Vepa_mode_without_hairpin_isolates_children()
    {
        using var lab = new KernelLab();
        var seed = SeedLab.Build(lab, MacvlanMode.Vepa, hairpin: false);

        Assert.False(lab.Ping(seed.Ns2, "100.0.0.3"), "vepa without a hairpin switch port: no traffic between children");
        Assert.False(lab.Ping(seed.Ns2, "100.0.0.2"), "own address with lo down should fail");
        seed.Ns2.LinkSetUp(1);
        Assert.True(lab.Ping(seed.Ns2, "100.0.0.2"), "own address with lo up should work");
    }

    [Fact]
    public void Vepa_mode_with_a_hairpin_switch_port_connects_children()
    {
        using var lab = new KernelLab();
        var seed = SeedLab.Build(lab, MacvlanMode.Vepa, hairpin: true);

        Assert.True(lab.Ping(seed.Ns2, "100.0.0.3"), "vepa through a hairpin (802.1Qbg) port should connect the children");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Private_mode_isolates_children_even_with_hairpin(bool hairpin)
    {
        using var lab = new KernelLab();
        var seed = SeedLab.Build(lab, MacvlanMode.Private, hairpin);

        Assert.False(lab.Ping(seed.Ns2, "100.0.0.3"), "private mode: children never talk");
        seed.Ns2.LinkSetUp(1);
        Assert.True(lab.Ping(seed.Ns2, "100.0.0.2"), "own address with lo up should work");
    }

    [Fact]
    public void A_child_cannot_reach_its_parents_own_address()
    {
        using var lab = new KernelLab();
        var seed = SeedLab.Build(lab, MacvlanMode.Bridge, hairpin: false);
        seed.H1.AddressAdd(new Address(seed.ParentIndex, IPAddress.Parse("100.0.0.1"), 24));

        Assert.False(lab.Ping(seed.Ns2, "100.0.0.1"), "traffic between a macvlan child and its lower device is not switched");
    }

    [Fact]
    public void Passthru_refuses_a_second_child_and_says_why_leaving_nothing_behind()
    {
        using var lab = new KernelLab();
        var h1 = lab.Namespace("h1");
        h1.LinkAdd(new Veth { Name = "eth0", PeerName = "swp1" });
        var parent = Find(h1, "eth0").Index;
        h1.LinkAdd(new Macvlan { Name = "macvlan2", ParentIndex = parent, Mode = MacvlanMode.Passthru });
        var before = h1.LinkList().Select(l => l.Name).Order().ToList();

        var error = Assert.Throws<NetlinkException>(() =>
            h1.LinkAdd(new Macvlan { Name = "macvlan3", ParentIndex = parent, Mode = MacvlanMode.Passthru }));

        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.Equal("EINVAL", error.ErrnoName);
        Assert.Contains("passthru", error.Message, StringComparison.Ordinal);
        Assert.Contains("only one child", error.Message, StringComparison.Ordinal);
        Assert.Contains("macvlan2", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, h1.LinkList().Select(l => l.Name).Order().ToList());
    }

    /// <summary>sw (bridge br0, port swp1) &lt;-veth-&gt; h1/eth0, and macvlan2/macvlan3 made on h1/eth0 then moved into ns2/ns3.</summary>
    internal sealed record SeedLab(NetlinkHandle Switch, NetlinkHandle H1, NetlinkHandle Ns2, NetlinkHandle Ns3, int ParentIndex)
    {
        public static SeedLab Build(KernelLab lab, MacvlanMode mode, bool hairpin)
        {
            var sw = lab.Namespace("sw");
            var h1 = lab.Namespace("h1");
            var ns2 = lab.Namespace("ns2");
            var ns3 = lab.Namespace("ns3");

            sw.LinkAdd(new Bridge { Name = "br0" });
            h1.LinkAdd(new Veth { Name = "eth0", PeerName = "swp1", PeerNamespace = sw.Namespace });
            var bridge = Find(sw, "br0").Index;
            var port = Find(sw, "swp1").Index;
            sw.LinkSetMaster(port, bridge);
            sw.LinkSetHairpin(port, hairpin);
            sw.LinkSetUp(port);
            sw.LinkSetUp(bridge);

            var parent = Find(h1, "eth0").Index;
            h1.LinkSetUp(parent);
            foreach (var (name, ns, ip) in new[] { ("macvlan2", ns2, "100.0.0.2"), ("macvlan3", ns3, "100.0.0.3") })
            {
                // The seed's order: create on the parent, move into the namespace, address, up.
                h1.LinkAdd(new Macvlan { Name = name, ParentIndex = parent, Mode = mode });
                h1.LinkSetNamespace(Find(h1, name).Index, ns.Namespace);
                var index = Find(ns, name).Index;
                ns.AddressAdd(new Address(index, IPAddress.Parse(ip), 24));
                ns.LinkSetUp(index);
            }

            return new SeedLab(sw, h1, ns2, ns3, parent);
        }
    }
}
