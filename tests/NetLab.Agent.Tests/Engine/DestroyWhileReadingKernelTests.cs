using NetLab.Agent.Engine;
using NetLab.Netlink.Namespaces;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Destroys while the lab is being read, on the real kernel: no namespace of the lab may live on after its destroy
/// without a name. A read opens handles on the lab's namespaces (each a socket made inside one, which holds it); a read
/// that opened one between the destroy's forgetting its handles and its unmounting the name kept the namespace alive,
/// nameless and unreachable by any NetLab command, for as long as the agent ran. The lab's inodes are recorded before
/// each destroy and looked for afterwards among everything that holds a namespace (<see cref="LiveNetworkNamespaces"/>).
/// </summary>
public sealed class DestroyWhileReadingKernelTests
{
    private const int Rounds = 25;

    [Fact]
    public async Task State_reads_running_through_destroys_leave_no_namespace_of_the_lab_alive_without_a_name()
    {
        using var lab = new EngineLab();
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var thisRound = round;
            AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
            var inodes = lab.Namespaces().Select(n => NetworkNamespace.StatusOf(n)!.Inode).ToList();
            Assert.Equal(4, inodes.Count);

            using var stop = new CancellationTokenSource();
            var reads = 0;
            var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // One lab and all labs: both open the lab's namespaces. A read that fails (a handle closed under it
                    // by the destroy) is a failure too, and the reading goes on.
                    try
                    {
                        await lab.Engine.StateAsync(reader % 2 == 0 ? "macvlan-bridge" : null);
                    }
                    catch (Exception error)
                    {
                        lock (failures)
                        {
                            failures.Add($"round {thisRound}: a read failed: {error.GetType().Name}: {error.Message}");
                        }
                    }

                    Interlocked.Increment(ref reads);
                }
            })).ToList();
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref reads) >= 8, TimeSpan.FromSeconds(20)), "the readers should be reading");

            AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));
            await stop.CancelAsync();
            await Task.WhenAll(readers);

            Assert.Empty(lab.Namespaces());
            if (LiveNetworkNamespaces.AliveWithoutName(inodes) is { Count: > 0 } alive)
            {
                failures.Add($"round {round}: namespace inode(s) {string.Join(", ", alive)} of the destroyed lab still alive after {reads} reads");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task A_destroy_ends_the_labs_captures_and_unwatches_its_event_streams_so_none_of_its_namespaces_lives_on()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        var inodes = lab.Namespaces().Select(n => NetworkNamespace.StatusOf(n)!.Inode).ToList();
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        leave.CancelAfter(TimeSpan.FromSeconds(60));

        // An event stream watching every namespace (a snapshot of each has come), and a capture in ns2.
        var events = lab.Engine.EventsAsync("macvlan-bridge", leave.Token).GetAsyncEnumerator(leave.Token);
        var capture = lab.Engine.CaptureAsync("macvlan-bridge", new NetLab.Agent.Client.Contracts.CaptureRequest("ns2", "macvlan2"), leave.Token).GetAsyncEnumerator(leave.Token);
        try
        {
            var snapshots = new HashSet<string>(StringComparer.Ordinal);
            while (snapshots.Count < 4 && await events.MoveNextAsync())
            {
                if (events.Current.Snapshot is { } snapshot)
                {
                    snapshots.Add(snapshot.Element);
                }
            }

            Assert.True(await capture.MoveNextAsync());
            Assert.NotNull(capture.Current.Started);
            var captureNext = capture.MoveNextAsync().AsTask();
            var eventsNext = events.MoveNextAsync().AsTask();

            AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));

            // Right when the destroy returns, whatever the clients do: nothing of the lab is alive.
            Assert.Empty(LiveNetworkNamespaces.AliveWithoutName(inodes));
            Assert.True(await captureNext, "the capture should end with a line saying why");

            // Frames caught before the deletion (a kernel's own router solicitation, say) may still come first.
            while (capture.Current.Ended is null)
            {
                Assert.True(await capture.MoveNextAsync(), "the capture should end with a line saying why");
            }

            Assert.Equal(
                $"The namespace {lab.Kernel("macvlan-bridge", "ns2")} was deleted (its lab was destroyed, or an apply removed the element), which ends the capture.",
                capture.Current.Ended);
            Assert.False(await capture.MoveNextAsync());

            // The event stream goes on: applied again, the lab's namespaces are watched again.
            AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
            Assert.True(await eventsNext);
            var again = new HashSet<string>(StringComparer.Ordinal);
            for (var more = true; more; more = again.Count < 4 && await events.MoveNextAsync())
            {
                if (events.Current.Snapshot is { } snapshot)
                {
                    again.Add(snapshot.Element);
                }
            }

            Assert.Equal(["h1", "ns2", "ns3", "sw1"], again.Order(StringComparer.Ordinal));
        }
        finally
        {
            await leave.CancelAsync();
            await DisposeQuietlyAsync(events);
            await DisposeQuietlyAsync(capture);
        }

        Assert.Equal(0, lab.Engine.GatesInUse);
        AssertSucceeded(await lab.Engine.DestroyAsync("macvlan-bridge"));
    }

    [Fact]
    public async Task Gates_of_labs_asked_about_are_dropped_once_answered()
    {
        using var lab = new EngineLab();

        foreach (var name in Enumerable.Range(0, 50).Select(i => $"madeup{i}"))
        {
            Assert.Empty(await lab.Engine.StateAsync(name));
            await Assert.ThrowsAsync<LabNotFoundException>(() => lab.Engine.ProbeAsync(name, new NetLab.Agent.Client.Contracts.ProbeRequest()));
            AssertSucceeded(await lab.Engine.DestroyAsync(name));
        }

        Assert.Equal(0, lab.Engine.GatesInUse);
    }

    private static async Task DisposeQuietlyAsync<T>(IAsyncEnumerator<T> items)
    {
        try
        {
            await items.DisposeAsync();
        }
        catch (Exception error) when (error is OperationCanceledException or NotSupportedException or InvalidOperationException)
        {
            // A read still pending when the test ends.
        }
    }
}
