using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Tests.Engine;
using NetLab.Core.Packets;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// A capture through the real agent's socket on the real kernel: Started once the socket is bound, the frames of a
/// ping as they happen, and ending the request closes the packet socket in the lab's namespace.
/// </summary>
public sealed class CaptureThroughSocketTests
{
    /// <summary>The name of the reading thread of a capture on quiet0 (PacketCapture names it after the interface).</summary>
    private const string ReadingThread = "nlcap-quiet0";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_capture_through_the_socket_streams_a_ping_and_ends_with_the_request()
    {
        using var lab = new EngineLab();
        await using var agent = await SeedLabsThroughSocketTests.RealAgent.StartAsync(lab);
        await foreach (var _ in agent.Client.ApplyAsync(new LabDocument(RepositoryFiles.Lab("macvlan-bridge.yaml")), Cancel))
        {
        }

        var kernelNamespace = lab.Kernel("macvlan-bridge", "ns2");
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        leave.CancelAfter(TimeSpan.FromSeconds(30));
        var summaries = new List<string>();
        var items = agent.Client.CaptureAsync("macvlan-bridge", new CaptureRequest("ns2", "macvlan2"), leave.Token).GetAsyncEnumerator(leave.Token);
        await using (items)
        {
            Assert.True(await items.MoveNextAsync());
            Assert.NotNull(items.Current.Started);
            Assert.Single(PacketSockets(kernelNamespace));

            var ping = Task.Run(() => lab.Ping("macvlan-bridge", "ns2", "100.0.0.3"), Cancel);
            while (await items.MoveNextAsync())
            {
                var text = FrameDecoder.Decode(items.Current.Frame!.Data).Text;
                summaries.Add(text);
                if (text.Contains("echo reply", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(await ping);
        }

        Assert.Contains(summaries, s => s.Contains("IP 100.0.0.2 > 100.0.0.3: ICMP echo request", StringComparison.Ordinal));

        // Leaving the request ended the capture in the agent: its socket in the lab's namespace is closed.
        Assert.True(SpinWait.SpinUntil(() => PacketSockets(kernelNamespace).Count == 0, TimeSpan.FromSeconds(20)), "the agent should close the capture when its client leaves");
        await foreach (var _ in agent.Client.DestroyAsync("macvlan-bridge", Cancel))
        {
        }

        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_quiet_capture_ends_with_its_thread_and_socket_when_its_client_leaves()
    {
        using var lab = new EngineLab();
        await using var agent = await SeedLabsThroughSocketTests.RealAgent.StartAsync(lab);
        await foreach (var _ in agent.Client.ApplyAsync(new LabDocument("""
            name: quiet
            namespaces:
              q1:
                interfaces:
                  quiet0: {kind: veth, peer: quiet1}
                  quiet1: {kind: veth, peer: quiet0}
            """), Cancel))
        {
        }

        var kernelNamespace = lab.Kernel("quiet", "q1");
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var items = agent.Client.CaptureAsync("quiet", new CaptureRequest("q1", "quiet0"), leave.Token).GetAsyncEnumerator(leave.Token);
        await using (items)
        {
            Assert.True(await items.MoveNextAsync());
            Assert.NotNull(items.Current.Started);
            Assert.Single(PacketSockets(kernelNamespace));
            Assert.Contains(ReadingThread, Threads());

            // No frame is coming: only the request's end (RequestAborted) can tell the agent that the client left.
            await leave.CancelAsync();
        }

        Assert.True(SpinWait.SpinUntil(() => !Threads().Contains(ReadingThread), TimeSpan.FromSeconds(20)), "the capture's reading thread should end when its client leaves");
        Assert.True(SpinWait.SpinUntil(() => PacketSockets(kernelNamespace).Count == 0, TimeSpan.FromSeconds(20)), "the capture's packet socket should be closed when its client leaves");
        await foreach (var _ in agent.Client.DestroyAsync("quiet", Cancel))
        {
        }

        Assert.Empty(lab.Namespaces());
    }

    /// <summary>The names of this process's threads (the agent runs in it).</summary>
    private static List<string> Threads() =>
        Directory.GetDirectories("/proc/self/task").Select(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).Trim();
            }
            catch (IOException)
            {
                return "";
            }
        }).ToList();

    /// <summary>Packet sockets open in a namespace (/proc/net/packet as seen from inside it).</summary>
    private static List<string> PacketSockets(string kernelNamespace) =>
        ExternalCommand.Run("ip", "netns", "exec", kernelNamespace, "cat", "/proc/net/packet").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
}
