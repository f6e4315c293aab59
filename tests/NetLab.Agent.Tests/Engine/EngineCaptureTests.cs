using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Packets;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// The engine's captures on the real kernel: the seed's macvlan bridge lab (a ping between the children seen on one of
/// them), the vlan-888 lab (tag 888 on the switch port, in the summary and in the pcap tcpdump reads; inside
/// user-mode Linux, since this kernel has no 8021q), the frame count, and refusals that name what exists.
/// </summary>
public sealed class EngineCaptureTests
{
    /// <summary>A guard against a hang, never a measurement.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_capture_in_the_seed_bridge_lab_sees_the_ping_between_the_macvlan_children()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));

        var frames = await CaptureWhileAsync(lab.Engine, "macvlan-bridge", new CaptureRequest("ns2", "macvlan2"), () => Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.3")));
        var summaries = frames.Select(f => (f.Outgoing, Summary: FrameDecoder.Decode(f.Data))).ToList();
        Assert.Contains(summaries, s => s.Outgoing && s.Summary.Text.Contains("IP 100.0.0.2 > 100.0.0.3: ICMP echo request", StringComparison.Ordinal));
        Assert.Contains(summaries, s => !s.Outgoing && s.Summary.Text.Contains("IP 100.0.0.3 > 100.0.0.2: ICMP echo reply", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Number));

        AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_capture_of_the_vlan_888_lab_on_the_switch_port_shows_tag_888_in_the_summary_and_the_pcap()
    {
        using var lab = new EngineLab();
        var result = await lab.Engine.ApplyAsync(LoadLab("vlan-888.yaml"));
        if (!result.Succeeded && result.Failure?.Errno == "EOPNOTSUPP")
        {
            Assert.Skip($"This kernel lacks 802.1Q vlan ({result.Failure.Message}); the second-kernel run covers it.");
        }

        AssertSucceeded(result);
        var frames = await CaptureWhileAsync(lab.Engine, "vlan-888", new CaptureRequest("sw1", "p1"), () => Assert.True(lab.Ping("vlan-888", "ns1", "88.8.8.88")));
        var echo = frames.Select(f => FrameDecoder.Decode(f.Data)).Where(s => s.Protocol == "ICMP").ToList();
        Assert.NotEmpty(echo);
        Assert.All(echo, s => Assert.Equal(888, s.VlanId));
        Assert.Contains(echo, s => s.Text.Contains("vlan 888, p 0: IP 88.8.8.8 > 88.8.8.88: ICMP echo request", StringComparison.Ordinal));

        var path = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}p1.pcap");
        try
        {
            using (var writer = new PcapWriter(File.Create(path)))
            {
                foreach (var frame in frames)
                {
                    writer.WriteFrame(frame.At, frame.Data, frame.OriginalLength);
                }
            }

            var (exit, output) = ExternalCommand.Run("tcpdump", "-r", path, "-n", "-e");
            Assert.True(exit == 0, output);
            Assert.Contains("vlan 888", output, StringComparison.Ordinal);
            Assert.Contains("88.8.8.8 > 88.8.8.88: ICMP echo request", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        AssertSucceeded(await lab.Engine.DestroyAsync("vlan-888"));
    }

    [Fact]
    public async Task A_capture_with_a_frame_count_ends_by_itself_with_ended()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(Patience);
        var items = new List<CaptureStreamItem>();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var item in lab.Engine.CaptureAsync("macvlan-bridge", new CaptureRequest("ns3", "macvlan3", MaxFrames: 2), patience.Token))
                {
                    items.Add(item);
                }
            },
            TestContext.Current.CancellationToken);
        Assert.True(SpinWait.SpinUntil(() => items.Count > 0, Patience));
        Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.3"));
        await reading;

        Assert.NotNull(items[0].Started);
        Assert.Equal(2, items.Count(i => i.Frame is not null));
        Assert.StartsWith("2 frames captured", items[^1].Ended, StringComparison.Ordinal);
        AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));
    }

    [Fact]
    public async Task A_capture_names_the_elements_and_interfaces_there_are_when_the_request_misses()
    {
        using var lab = new EngineLab();
        var missing = await Assert.ThrowsAsync<LabObjectNotFoundException>(() => FirstAsync(lab.Engine, "macvlan-bridge", new CaptureRequest("ns2", "macvlan2")));
        Assert.Contains("no lab named 'macvlan-bridge'", missing.Message, StringComparison.Ordinal);

        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        var element = await Assert.ThrowsAsync<LabObjectNotFoundException>(() => FirstAsync(lab.Engine, "macvlan-bridge", new CaptureRequest("ns9", "eth0")));
        Assert.Contains("Its elements are: ", element.Message, StringComparison.Ordinal);
        Assert.Contains("ns2", element.Message, StringComparison.Ordinal);
        var link = await Assert.ThrowsAsync<LabObjectNotFoundException>(() => FirstAsync(lab.Engine, "macvlan-bridge", new CaptureRequest("ns2", "eth0")));
        Assert.Contains("Its interfaces are: lo, macvlan2", link.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => FirstAsync(lab.Engine, "macvlan-bridge", new CaptureRequest("ns2", "macvlan2", SnapLength: 0)));
        AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));
    }

    [Fact]
    public async Task A_capture_whose_client_reads_nothing_queues_at_most_its_byte_budget_and_the_kernel_drops_the_rest()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab("""
            name: flood
            namespaces:
              n1:
                loopback: up
            """)));
        const int snapLength = 262144;
        const int datagrams = 1500;
        const int datagramBytes = 65000;
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var items = lab.Engine.CaptureAsync("flood", new CaptureRequest("n1", "lo", snapLength), leave.Token).GetAsyncEnumerator(leave.Token);
        var next = items.MoveNextAsync().AsTask();
        try
        {
            Assert.True(await next);
            Assert.NotNull(items.Current.Started);

            // Asking for the next item starts the reading thread, as the agent's endpoint does once Started is written.
            next = items.MoveNextAsync().AsTask();

            // About 100 MB of 65 KB frames on lo while the capture's client reads nothing: before the byte budget the
            // agent's queue took up to 4096 frames whatever their size (over 2000 of these, 130 MB, were measured).
            using (var ns = NetLab.Netlink.Namespaces.NetworkNamespace.Open(lab.Kernel("flood", "n1")))
            {
                ns.Run(() =>
                {
                    using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
                    var payload = new byte[datagramBytes];
                    for (var i = 0; i < datagrams; i++)
                    {
                        udp.SendTo(payload, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9));

                        // Paced, so that the kernel's buffer never overflows and the reading thread takes every frame:
                        // what waits is then the agent's queue, not the kernel's.
                        if (i % 5 == 4)
                        {
                            Thread.Sleep(1);
                        }
                    }

                    return 0;
                });
            }

            // Let the reading thread move what the kernel holds into the queue, then take what is there: every frame
            // that comes within half a second of the one before.
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            var queued = 0;
            while (await Task.WhenAny(next, Task.Delay(500, TestContext.Current.CancellationToken)) == next && await next)
            {
                if (items.Current.Frame is { OriginalLength: > datagramBytes })
                {
                    queued++;
                }

                next = items.MoveNextAsync().AsTask();
            }

            // The queue's frames (64 MiB / (snap length + 4) = 255) plus what the kernel's 8 MiB socket buffer holds of
            // 65 KB frames (at most 128), and one the reading thread held.
            var budget = LabCapture.QueuedFrames(snapLength, lab.Options.CaptureQueueBytes);
            Assert.Equal(255, budget);
            Assert.True(queued <= budget + 129, $"{queued} frames of 65 KB waited for a client that read none; the budget is {budget} frames (64 MiB) plus the kernel's buffer");
            Assert.True(queued > 0, "the flood should have been seen");
        }
        finally
        {
            await leave.CancelAsync();
            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                // The pending read ends with the cancellation.
            }

            await items.DisposeAsync();
        }

        AssertSucceeded(await lab.Engine.DestroyAsync("flood"));
    }

    /// <summary>Captures while <paramref name="traffic"/> runs, and a little after it, until the echo reply is seen.</summary>
    internal static async Task<List<CapturedFrame>> CaptureWhileAsync(ILabEngine engine, string labName, CaptureRequest request, Action traffic)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(Patience);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = new List<CapturedFrame>();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var item in engine.CaptureAsync(labName, request, patience.Token))
                {
                    if (item.Started is not null)
                    {
                        started.SetResult();
                    }
                    else if (item.Frame is { } frame)
                    {
                        frames.Add(frame);
                        if (FrameDecoder.Decode(frame.Data).Detail.Contains("echo reply", StringComparison.Ordinal))
                        {
                            return;
                        }
                    }
                }
            },
            TestContext.Current.CancellationToken);
        await Task.WhenAny(started.Task, reading);
        if (reading.IsCompleted)
        {
            await reading;
        }

        traffic();
        await reading;
        return frames;
    }

    private static async Task FirstAsync(ILabEngine engine, string labName, CaptureRequest request)
    {
        await foreach (var _ in engine.CaptureAsync(labName, request, TestContext.Current.CancellationToken))
        {
            return;
        }
    }
}
