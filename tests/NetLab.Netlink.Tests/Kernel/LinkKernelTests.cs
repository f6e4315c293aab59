using System.Net;
using System.Net.Sockets;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>Every link kind created for real in scratch namespaces and read back by dump.</summary>
public sealed class LinkKernelTests
{
    [Fact]
    public void Named_namespace_is_visible_to_iproute2_and_removed_on_delete()
    {
        using var lab = new KernelLab();
        var handle = lab.Namespace("a");
        var name = handle.Namespace.Name!;

        Assert.Contains(name, KernelLab.Run("ip", "netns", "list").Output, StringComparison.Ordinal);
        Assert.Contains("lo", KernelLab.Run("ip", "netns", "exec", name, "ip", "link").Output, StringComparison.Ordinal);
        var lo = Assert.Single(handle.LinkList());
        Assert.Equal("lo", lo.Name);
        Assert.Equal(1, lo.Index);
        Assert.False(lo.IsUp);

        handle.Dispose();
        NetworkNamespace.Delete(name);
        Assert.False(NetworkNamespace.Exists(name));
        Assert.DoesNotContain(name, KernelLab.Run("ip", "netns", "list").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Creating_an_existing_namespace_name_fails_and_keeps_the_original()
    {
        using var lab = new KernelLab();
        var handle = lab.Namespace("dup");

        var error = Assert.Throws<NetlinkException>(() => NetlinkHandle.CreateNamespace(handle.Namespace.Name!));

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Single(handle.LinkList());
    }

    [Fact]
    public void A_new_namespace_is_told_before_it_is_mounted_with_the_identity_its_name_then_shows()
    {
        using var lab = new KernelLab();
        var name = $"{lab.Id}-told";
        (FileStatus Status, ulong? Cookie, bool Mounted)? told = null;
        using var handle = NetlinkHandle.CreateNamespace(name, (status, cookie) => told = (status, cookie, NetworkNamespace.HoldsNamespace(name)));
        try
        {
            Assert.NotNull(told);
            Assert.False(told.Value.Mounted, "the caller must hear of the namespace before its name holds it");
            Assert.True(NetworkNamespace.StatusOf(name)!.IsSameFileAs(told.Value.Status));
            Assert.Equal(handle.NamespaceCookie(), told.Value.Cookie);
        }
        finally
        {
            NetworkNamespace.Delete(name);
        }
    }

    [Fact]
    public void A_collection_started_inside_a_namespace_leaves_no_thread_of_this_process_in_it()
    {
        using var lab = new KernelLab();
        var handle = lab.Namespace("gc");
        var inside = $"net:[{handle.Namespace.Status.Inode}]";

        // A background collection's thread is made by the thread that starts the collection: here, one inside the
        // namespace. With background collections on, and no such thread alive yet, it was born there and stayed.
        _ = handle.Namespace.Run(() =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            return 0;
        });

        Assert.Equal(System.Runtime.GCLatencyMode.Batch, System.Runtime.GCSettings.LatencyMode);
        // Thread.Join returns when the managed thread is done, a moment before its task leaves /proc/self/task (a CI run
        // saw the namespace thread itself there): a thread born inside for good is still there after 2 s.
        List<string> threadsInside;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            threadsInside = Directory.EnumerateDirectories("/proc/self/task")
                .Where(task => { try { return new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget == inside; } catch (IOException) { return false; } })
                .Select(task => { try { return $"{Path.GetFileName(task)} ({File.ReadAllText(Path.Combine(task, "comm")).Trim()})"; } catch (IOException) { return $"{Path.GetFileName(task)} (ended)"; } })
                .ToList();
        }
        while (threadsInside.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(2) && Sleep());
        Assert.Empty(threadsInside);
    }

    private static bool Sleep()
    {
        Thread.Sleep(50);
        return true;
    }

    [Fact]
    public void A_namespace_whose_caller_refuses_it_before_the_mount_is_not_made()
    {
        using var lab = new KernelLab();
        var name = $"{lab.Id}-refused";

        Assert.Throws<IOException>(() => NetlinkHandle.CreateNamespace(name, (_, _) => throw new IOException("no room for the record")));

        Assert.False(NetworkNamespace.Exists(name));
    }

    [Fact]
    public void Veth_pair_reads_back_with_peer_mac_mtu_and_alias()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("v");
        var mac = MacAddress.Parse("02:00:00:00:aa:01");

        ns.LinkAdd(new Veth { Name = "vA", PeerName = "vB", Address = mac, Mtu = 1400 });
        var a = Find(ns, "vA");
        var b = Find(ns, "vB");
        ns.LinkSetAlias(a.Index, "netlab:test");
        a = Find(ns, "vA");

        Assert.IsType<Veth>(a);
        Assert.Equal(mac, a.Address);
        Assert.Equal(1400, a.Mtu);
        Assert.Equal(b.Index, a.ParentIndex);
        Assert.Equal("netlab:test", a.Alias);
        Assert.NotNull(a.Statistics);
    }

    [Theory]
    [InlineData(MacvlanMode.Private)]
    [InlineData(MacvlanMode.Vepa)]
    [InlineData(MacvlanMode.Bridge)]
    [InlineData(MacvlanMode.Passthru)]
    [InlineData(MacvlanMode.Source)]
    public void Macvlan_and_macvtap_in_every_mode_read_back(MacvlanMode mode)
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("m");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        var parent = Find(ns, "p0");
        var sources = mode == MacvlanMode.Source ? new[] { MacAddress.Parse("02:00:00:00:00:99") } : [];

        ns.LinkAdd(new Macvlan { Name = "mv0", ParentIndex = parent.Index, Mode = mode, SourceAddresses = sources });
        var macvlan = Assert.IsType<Macvlan>(Find(ns, "mv0"));
        Assert.Equal(mode, macvlan.Mode);
        Assert.Equal(parent.Index, macvlan.ParentIndex);
        Assert.Equal(sources, macvlan.SourceAddresses);
        ns.LinkDelete(macvlan.Index);

        ns.LinkAdd(new Macvtap { Name = "mvt0", ParentIndex = parent.Index, Mode = mode, SourceAddresses = sources });
        var macvtap = Assert.IsType<Macvtap>(Find(ns, "mvt0"));
        Assert.Equal(mode, macvtap.Mode);
        Assert.Equal("macvtap", macvtap.Kind);
    }

    [Fact]
    public void Passthru_nopromisc_is_read_back_and_leaves_the_parent_out_of_promiscuous_mode()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("np");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        var parent = Find(ns, "p0");

        ns.LinkAdd(new Macvlan { Name = "mv0", ParentIndex = parent.Index, Mode = MacvlanMode.Passthru, NoPromisc = true });
        ns.LinkSetUp(Find(ns, "mv0").Index);

        Assert.True(Assert.IsType<Macvlan>(Find(ns, "mv0")).NoPromisc);
        Assert.Equal(LinkFlags.None, Find(ns, "p0").Flags & LinkFlags.Promisc);
    }

    [Fact]
    public void Bridge_with_a_hairpin_port_reads_back_master_and_hairpin()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("br");
        ns.LinkAdd(new Bridge { Name = "br0" });
        ns.LinkAdd(new Veth { Name = "swp1", PeerName = "h1eth0" });
        var bridge = Find(ns, "br0");
        var port = Find(ns, "swp1");

        ns.LinkSetMaster(port.Index, bridge.Index);
        ns.LinkSetHairpin(port.Index, on: true);
        port = Find(ns, "swp1");
        Assert.IsType<Bridge>(bridge);
        Assert.Equal(bridge.Index, port.MasterIndex);
        Assert.Equal("bridge", port.PortKind);
        Assert.True(port.Hairpin);

        ns.LinkSetHairpin(port.Index, on: false);
        Assert.False(Find(ns, "swp1").Hairpin);
        ns.LinkSetNoMaster(port.Index);
        Assert.Null(Find(ns, "swp1").MasterIndex);
    }

    [Fact]
    public void Vxlan_reads_back_vni_port_and_underlay()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("vx");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        var parent = Find(ns, "p0");

        ns.LinkAdd(new Vxlan { Name = "vx0", Vni = 42, Port = 4789, UnderlayIndex = parent.Index, Local = IPAddress.Parse("10.9.9.1") });

        var vxlan = Assert.IsType<Vxlan>(Find(ns, "vx0"));
        Assert.Equal(42u, vxlan.Vni);
        Assert.Equal((ushort)4789, vxlan.Port);
        Assert.Equal(parent.Index, vxlan.UnderlayIndex);
        Assert.Equal(IPAddress.Parse("10.9.9.1"), vxlan.Local);
    }

    [Theory]
    [InlineData(VlanProtocol.Dot1Q)]
    [InlineData(VlanProtocol.Dot1AD)]
    public void Vlan_reads_back_id_and_protocol_or_skips_where_the_kernel_lacks_8021q(VlanProtocol protocol)
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("vl");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        var parent = Find(ns, "p0");

        try
        {
            ns.LinkAdd(new Vlan { Name = "p0.888", ParentIndex = parent.Index, VlanId = 888, Protocol = protocol });
        }
        catch (NetlinkException error)
        {
            KernelLab.SkipIfUnsupported(error, "802.1Q vlan links");
            throw;
        }

        var vlan = Assert.IsType<Vlan>(Find(ns, "p0.888"));
        Assert.Equal(888, vlan.VlanId);
        Assert.Equal(protocol, vlan.Protocol);
        Assert.Equal(parent.Index, vlan.ParentIndex);
    }

    [Theory]
    [InlineData("dummy")]
    [InlineData("ipvlan")]
    public void Dummy_and_ipvlan_are_created_or_skipped_where_the_kernel_lacks_them(string kind)
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("dk");
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p0peer" });
        Link link = kind == "dummy" ? new Dummy { Name = "d0" } : new Ipvlan { Name = "d0", ParentIndex = Find(ns, "p0").Index };

        try
        {
            ns.LinkAdd(link);
        }
        catch (NetlinkException error)
        {
            KernelLab.SkipIfUnsupported(error, $"{kind} links");
            throw;
        }

        Assert.Equal(kind, Find(ns, "d0").Kind);
    }

    [Fact]
    public void Link_moves_between_namespaces_keeping_kind_and_parent_netnsid()
    {
        using var lab = new KernelLab();
        var host = lab.Namespace("h1");
        var target = lab.Namespace("ns2");
        host.LinkAdd(new Veth { Name = "eth0", PeerName = "swp1" });
        var parent = Find(host, "eth0");
        host.LinkAdd(new Macvlan { Name = "macvlan2", ParentIndex = parent.Index, Mode = MacvlanMode.Bridge });

        host.LinkSetNamespace(Find(host, "macvlan2").Index, target.Namespace);

        Assert.Null(host.LinkByName("macvlan2"));
        var moved = Assert.IsType<Macvlan>(Find(target, "macvlan2"));
        Assert.Equal(MacvlanMode.Bridge, moved.Mode);
        Assert.NotNull(moved.ParentNetnsId);
    }

    [Fact]
    public void The_parent_netnsid_of_a_moved_link_resolves_to_the_parents_namespace()
    {
        using var lab = new KernelLab();
        var host = lab.Namespace("h1");
        var target = lab.Namespace("ns2");
        var bystander = lab.Namespace("ns3");
        host.LinkAdd(new Veth { Name = "eth0", PeerName = "swp1" });
        host.LinkAdd(new Macvlan { Name = "macvlan2", ParentIndex = Find(host, "eth0").Index, Mode = MacvlanMode.Bridge, TargetNamespace = target.Namespace });

        var moved = Find(target, "macvlan2");

        Assert.NotNull(moved.ParentNetnsId);
        Assert.Equal(moved.ParentNetnsId, target.NamespaceIdOf(host.Namespace));
        Assert.NotEqual(moved.ParentNetnsId, target.NamespaceIdOf(bystander.Namespace));
    }

    [Fact]
    public void Link_created_directly_in_a_target_namespace_lands_there()
    {
        using var lab = new KernelLab();
        var host = lab.Namespace("h1");
        var target = lab.Namespace("ns2");
        host.LinkAdd(new Veth { Name = "eth0", PeerName = "swp1", PeerNamespace = target.Namespace });

        Assert.NotNull(host.LinkByName("eth0"));
        Assert.Null(host.LinkByName("swp1"));
        Assert.NotNull(target.LinkByName("swp1"));
    }

    [Fact]
    public void Addresses_v4_and_v6_are_added_listed_and_deleted()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("ad");
        ns.LinkAdd(new Veth { Name = "vA", PeerName = "vB" });
        var link = Find(ns, "vA");
        var v4 = new Address(link.Index, IPAddress.Parse("100.0.0.2"), 24);
        var v6 = new Address(link.Index, IPAddress.Parse("fd00::2"), 64);

        ns.AddressAdd(v4);
        ns.AddressAdd(v6);
        var listed = ns.AddressList().Where(a => a.InterfaceIndex == link.Index).ToList();
        Assert.Contains(listed, a => a.Ip.Equals(v4.Ip) && a.PrefixLength == 24 && a.Family == AddressFamily.InterNetwork);
        Assert.Contains(listed, a => a.Ip.Equals(v6.Ip) && a.PrefixLength == 64);

        ns.AddressDelete(v4);
        Assert.DoesNotContain(ns.AddressList(AddressFamily.InterNetwork), a => a.Ip.Equals(v4.Ip));
    }

    [Fact]
    public void Up_down_rename_mtu_and_mac_changes_read_back_with_operstate_and_carrier()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("ch");
        ns.LinkAdd(new Veth { Name = "vA", PeerName = "vB" });
        var a = Find(ns, "vA").Index;
        var b = Find(ns, "vB").Index;

        ns.LinkSetUp(a);
        ns.LinkSetUp(b);
        var up = Find(ns, "vA");
        Assert.True(up.IsUp);
        Assert.True(up.Carrier);
        Assert.Equal(OperState.Up, up.OperState);

        ns.LinkSetDown(b);
        var peerDown = Find(ns, "vA");
        Assert.False(peerDown.Carrier);
        Assert.Equal(OperState.LowerLayerDown, peerDown.OperState);

        ns.LinkSetDown(a);
        ns.LinkSetName(a, "vRenamed");
        ns.LinkSetMtu(a, 1280);
        ns.LinkSetAddress(a, MacAddress.Parse("02:00:00:00:00:42"));
        var changed = Find(ns, "vRenamed");
        Assert.Equal(a, changed.Index);
        Assert.Equal(1280, changed.Mtu);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:42"), changed.Address);
        Assert.False(changed.IsUp);
    }

    internal static Link Find(NetlinkHandle handle, string name) =>
        handle.LinkByName(name) ?? throw new Xunit.Sdk.XunitException($"link {name} not found in {handle.Namespace}");
}
