using System.Net;
using NetLab.Core.Packets;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Capture;
using NetLab.Netlink.Links;
using static NetLab.Netlink.Tests.Kernel.LinkKernelTests;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// <see cref="PacketCapture"/> on the real kernel: a ping between two scratch namespaces seen in both directions with
/// kernel timestamps, snap length, cancellation that leaves no socket or thread behind, and (where the kernel has
/// 8021q: inside user-mode Linux) the seed's vlan-888 frames on a switch port with their tag put back.
/// </summary>
public sealed class CaptureKernelTests
{
    /// <summary>A guard against a hang, never a measurement: a ping takes milliseconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_ping_is_seen_with_arp_both_directions_and_kernel_times_and_tcpdump_reads_the_pcap()
    {
        using var lab = new KernelLab();
        var (a, _) = Pair(lab);
        var before = DateTimeOffset.UtcNow;
        using var capture = PacketCapture.Open(a.Namespace, "eth0");
        var frames = await CaptureWhileAsync(capture, () => Assert.True(lab.Ping(a, "10.9.0.2"), "the pair should answer a ping"), f => FrameDecoder.Decode(f.Data).Detail.Contains("echo reply", StringComparison.Ordinal));
        var after = DateTimeOffset.UtcNow;

        var decoded = frames.Select(f => (Frame: f, Summary: FrameDecoder.Decode(f.Data))).ToList();
        Assert.Contains(decoded, d => d.Summary.Text.Contains("ARP, Request who-has 10.9.0.2 tell 10.9.0.1", StringComparison.Ordinal) && d.Frame.Outgoing);
        Assert.Contains(decoded, d => d.Summary.Text.Contains("ARP, Reply 10.9.0.2 is-at", StringComparison.Ordinal) && !d.Frame.Outgoing);
        var request = Assert.Single(decoded, d => d.Summary.Detail.StartsWith("ICMP echo request", StringComparison.Ordinal));
        Assert.True(request.Frame.Outgoing);
        Assert.Equal(IPAddress.Parse("10.9.0.1"), request.Summary.SourceAddress);
        var reply = Assert.Single(decoded, d => d.Summary.Detail.StartsWith("ICMP echo reply", StringComparison.Ordinal));
        Assert.False(reply.Frame.Outgoing);
        Assert.All(frames, f => Assert.InRange(f.At, before, after));
        Assert.All(frames, f => Assert.Equal(f.Data.Length, f.OriginalLength));
        Assert.True(request.Frame.At <= reply.Frame.At);

        AssertTcpdumpReads(frames, Path.Combine(Path.GetTempPath(), $"{lab.Id}.pcap"), PcapTimestampResolution.Nanoseconds, "10.9.0.1 > 10.9.0.2: ICMP echo request", "Request who-has 10.9.0.2 tell 10.9.0.1");
    }

    [Fact]
    public async Task The_snap_length_cuts_frames_and_keeps_their_original_length()
    {
        using var lab = new KernelLab();
        var (a, _) = Pair(lab);
        using var capture = PacketCapture.Open(a.Namespace, "eth0", snapLength: 64);
        var frames = await CaptureWhileAsync(
            capture,
            () => KernelLab.Run("ip", "netns", "exec", a.Namespace.Name!, "ping", "-c", "1", "-W", "1", "-s", "500", "10.9.0.2"),
            f => f.OriginalLength == 14 + 20 + 8 + 500 && !f.Outgoing);
        var big = frames.Where(f => f.OriginalLength == 542).ToList();
        Assert.Equal(2, big.Count);
        Assert.All(big, f => Assert.Equal(64, f.Data.Length));
        Assert.Contains("echo request", FrameDecoder.Decode(big[0].Data).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_quiet_capture_ends_it_and_leaves_no_socket_or_thread()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("quiet");
        ns.LinkAdd(new Veth { Name = "cancel0", PeerName = "cancel1" });
        var capture = PacketCapture.Open(ns.Namespace, "cancel0");
        Assert.Single(PacketSockets(ns));
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var _ in capture.ReadAllAsync(stop.Token))
                {
                }
            },
            TestContext.Current.CancellationToken);
        Assert.True(SpinWait.SpinUntil(() => Threads().Contains("nlcap-cancel0"), Patience), "the capture's reading thread should run while it is read");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Patience, TestContext.Current.CancellationToken));
        capture.Dispose();
        Assert.Empty(PacketSockets(ns));
        Assert.True(SpinWait.SpinUntil(() => !Threads().Contains("nlcap-cancel0"), Patience), "the capture's reading thread should have ended");
    }

    [Fact]
    public async Task Stop_wakes_a_blocked_receive()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("stop");
        ns.LinkAdd(new Veth { Name = "stop0", PeerName = "stop1" });
        using var capture = PacketCapture.Open(ns.Namespace, "stop0");
        var receiving = Task.Run(capture.Receive, TestContext.Current.CancellationToken);
        capture.Stop();
        Assert.Null(await receiving.WaitAsync(Patience, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_capture_on_a_down_interface_sees_frames_once_it_comes_up_and_ends_when_it_is_removed()
    {
        using var lab = new KernelLab();
        var (a, _) = Pair(lab);
        var eth0 = Find(a, "eth0").Index;
        a.LinkSetDown(eth0);
        using var capture = PacketCapture.Open(a.Namespace, "eth0");
        a.LinkSetUp(eth0);
        var frames = await CaptureWhileAsync(capture, () => Assert.True(lab.Ping(a, "10.9.0.2"), "the pair should answer once up"), f => FrameDecoder.Decode(f.Data).Detail.Contains("echo reply", StringComparison.Ordinal));
        Assert.Contains(frames, f => FrameDecoder.Decode(f.Data).Detail.Contains("echo request", StringComparison.Ordinal));

        using var again = PacketCapture.Open(a.Namespace, "eth0");
        var reading = Task.Run(
            async () =>
            {
                await foreach (var _ in again.ReadAllAsync(TestContext.Current.CancellationToken))
                {
                }
            },
            TestContext.Current.CancellationToken);
        a.LinkDelete(eth0);
        var error = await Assert.ThrowsAsync<NetlinkException>(() => reading.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Contains("was removed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_interface_is_refused_by_name()
    {
        using var lab = new KernelLab();
        var ns = lab.Namespace("none");
        var error = Assert.Throws<NetlinkException>(() => PacketCapture.Open(ns.Namespace, "nosuch0"));
        Assert.Contains("nosuch0", error.Message, StringComparison.Ordinal);
        Assert.Empty(PacketSockets(ns));
    }

    [Fact]
    public async Task Vlan_888_capture_on_the_switch_port_puts_the_offloaded_tag_back()
    {
        using var lab = new KernelLab();
        var (sw, ns1) = VlanExperimentTests.BuildVlan888(lab);
        using var capture = PacketCapture.Open(sw.Namespace, "swp1");
        var frames = await CaptureWhileAsync(capture, () => Assert.True(lab.Ping(ns1, "88.8.8.88"), "vlan 888 should reach across"), f => FrameDecoder.Decode(f.Data).Detail.Contains("echo reply", StringComparison.Ordinal));
        var echo = frames.Select(f => FrameDecoder.Decode(f.Data)).Where(s => s.Protocol == "ICMP").ToList();
        Assert.Equal(2, echo.Count);
        Assert.All(echo, s => Assert.Equal(new VlanTag(VlanTag.Dot1Q, 888, 0, false), Assert.Single(s.Tags)));
        Assert.Contains("vlan 888, p 0: IP 88.8.8.8 > 88.8.8.88: ICMP echo request", echo[0].Text, StringComparison.Ordinal);

        AssertTcpdumpReads(frames, Path.Combine(Path.GetTempPath(), $"{lab.Id}-swp1.pcap"), PcapTimestampResolution.Microseconds, "vlan 888", "88.8.8.8 > 88.8.8.88: ICMP echo request");
    }

    /// <summary>Namespaces "a" and "b" joined by a veth pair eth0-eth0 with 10.9.0.1/24 and 10.9.0.2/24.</summary>
    internal static (NetlinkHandle A, NetlinkHandle B) Pair(KernelLab lab)
    {
        var a = lab.Namespace("a");
        var b = lab.Namespace("b");
        a.LinkAdd(new Veth { Name = "eth0", PeerName = "eth0", PeerNamespace = b.Namespace });
        foreach (var (handle, ip) in new[] { (a, "10.9.0.1"), (b, "10.9.0.2") })
        {
            var index = Find(handle, "eth0").Index;
            handle.AddressAdd(new Address(index, IPAddress.Parse(ip), 24));
            handle.LinkSetUp(index);
        }

        return (a, b);
    }

    /// <summary>Writes the frames as a pcap file and checks that `tcpdump -r` reads every expected text from it.</summary>
    private static void AssertTcpdumpReads(IEnumerable<CapturedPacket> frames, string path, PcapTimestampResolution resolution, params string[] expected)
    {
        try
        {
            using (var writer = new PcapWriter(File.Create(path), PacketCapture.MaxSnapLength, resolution))
            {
                foreach (var frame in frames)
                {
                    writer.WriteFrame(frame.At, frame.Data, frame.OriginalLength);
                }
            }

            var (exit, output) = KernelLab.Run("tcpdump", "-r", path, "-n", "-e");
            Assert.True(exit == 0, output);
            Assert.All(expected, text => Assert.Contains(text, output, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Reads frames while <paramref name="traffic"/> runs, until one matches <paramref name="last"/>.</summary>
    private static async Task<List<CapturedPacket>> CaptureWhileAsync(PacketCapture capture, Action traffic, Func<CapturedPacket, bool> last)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(Patience);
        var frames = new List<CapturedPacket>();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var frame in capture.ReadAllAsync(patience.Token))
                {
                    frames.Add(frame);
                    if (last(frame))
                    {
                        return;
                    }
                }
            },
            TestContext.Current.CancellationToken);
        await Task.Run(traffic, TestContext.Current.CancellationToken);
        await reading;
        return frames;
    }

    /// <summary>The packet sockets of the namespace, from /proc/net/packet read by a thread inside it.</summary>
    private static IReadOnlyList<string> PacketSockets(NetlinkHandle handle) =>
        handle.Namespace.Run(() => File.ReadAllLines("/proc/thread-self/net/packet").Skip(1).ToList());

    private static IReadOnlyList<string> Threads() =>
        Directory.GetDirectories("/proc/self/task").Select(t => { try { return File.ReadAllText(Path.Combine(t, "comm")).Trim(); } catch (IOException) { return ""; } }).ToList();
}
