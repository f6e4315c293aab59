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
