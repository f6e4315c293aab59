using System.Diagnostics;
using System.Net;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using static NetLab.Netlink.Tests.Kernel.LinkKernelTests;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// The seed's first experiment: vlan 888 sub-interfaces on two hosts' NICs, each moved into its own namespace,
/// ping across, and a capture on the wire (the switch port) shows the 802.1Q tag. Needs a kernel with 8021q:
/// on the host kernel it skips; the suite runs it again inside user-mode Linux (SecondKernel tests).
/// </summary>
public sealed class VlanExperimentTests
{
    [Fact]
    public void Vlan_888_between_two_hosts_through_a_switch_pings_and_the_wire_carries_tag_888()
    {
        using var lab = new KernelLab();
        var (sw, ns1) = BuildVlan888(lab);

        var capture = Path.Combine(Path.GetTempPath(), $"{lab.Id}-swp1.pcap");
        using var tcpdump = StartCapture(sw.Namespace.Name!, "swp1", capture);
        try
        {
            Assert.True(lab.Ping(ns1, "88.8.8.88", count: 2), "vlan 888 on both ends of a link should be reachable");
        }
        finally
        {
            tcpdump.Kill();
            tcpdump.WaitForExit();
        }

        var frames = KernelLab.Run("tcpdump", "-r", capture, "-e", "-n").Output;
        File.Delete(capture);
        Assert.Contains("vlan 888", frames, StringComparison.Ordinal);
        Assert.Contains("88.8.8.88", frames, StringComparison.Ordinal);
    }

    /// <summary>
    /// The seed's vlan-888 topology: switch "sw" (br0, ports swp1/swp2), hosts h1/h2 with eth0 plugged in, and on each
    /// a vlan 888 sub-interface moved into its own namespace with 88.8.8.8/24 and 88.8.8.88/24. Skips where the kernel
    /// has no 8021q. Returns the switch and the first vlan namespace.
    /// </summary>
    internal static (NetlinkHandle Switch, NetlinkHandle FirstVlanNamespace) BuildVlan888(KernelLab lab)
    {
        var sw = lab.Namespace("sw");
        var h1 = lab.Namespace("h1");
        var h2 = lab.Namespace("h2");
        var ns1 = lab.Namespace("vlan888a");
        var ns2 = lab.Namespace("vlan888b");

        sw.LinkAdd(new Bridge { Name = "br0" });
        var bridge = Find(sw, "br0").Index;
        sw.LinkSetUp(bridge);
        foreach (var (host, port) in new[] { (h1, "swp1"), (h2, "swp2") })
        {
            host.LinkAdd(new Veth { Name = "eth0", PeerName = port, PeerNamespace = sw.Namespace });
            var portIndex = Find(sw, port).Index;
            sw.LinkSetMaster(portIndex, bridge);
            sw.LinkSetUp(portIndex);
            host.LinkSetUp(Find(host, "eth0").Index);
        }

        foreach (var (host, ns, ip) in new[] { (h1, ns1, "88.8.8.8"), (h2, ns2, "88.8.8.88") })
        {
            try
            {
                host.LinkAdd(new Vlan { Name = "eth0.888", ParentIndex = Find(host, "eth0").Index, VlanId = 888 });
            }
            catch (NetlinkException error)
            {
                KernelLab.SkipIfUnsupported(error, "802.1Q vlan links (the seed's vlan experiment); it runs inside user-mode Linux instead");
                throw;
            }

            host.LinkSetNamespace(Find(host, "eth0.888").Index, ns.Namespace);
            var index = Find(ns, "eth0.888").Index;
            ns.AddressAdd(new Address(index, IPAddress.Parse(ip), 24));
            ns.LinkSetUp(index);
        }

        return (sw, ns1);
    }

    private static Process StartCapture(string ns, string device, string file)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", ns, "tcpdump", "-i", device, "-U", "--immediate-mode", "-Z", "root", "-n", "-w", file })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start tcpdump");

        // tcpdump says "listening on ..." once the capture is armed; frames sent before that would be missed.
        var line = process.StandardError.ReadLine();
        Assert.True(line?.Contains("listening", StringComparison.Ordinal) == true, $"tcpdump did not start: {line}");
        return process;
    }
}
