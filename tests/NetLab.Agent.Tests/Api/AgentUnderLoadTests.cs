using NetLab.Agent.Benchmarks;
using NetLab.Agent.Tests.Engine;
using static NetLab.Agent.Tests.Api.SeedLabsThroughSocketTests;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// The load benchmark's run (`netlab-agent-bench load`, bench/README.md) small and bounded: 8 clients through the real
/// socket to the real engine, each applying, watching, checking and destroying a lab of its own a few times at once;
/// then half leave their lab applied. Every step succeeds, every lab ends as its client left it, and nothing leaks: no
/// namespace of the run is left, none is held without a name, and the sockets and namespace files this process holds are
/// back to what they were after a warm-up. No timing is asserted (the benchmark measures it).
/// </summary>
[Collection(AgentUnderLoadCollection.Name)]
public sealed class AgentUnderLoadTests
{
    private const int Clients = 8;
    private const int Iterations = 3;
    private const int LabNamespaces = 2;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Eight_clients_looping_apply_watch_check_destroy_leave_every_lab_as_they_left_it_and_nothing_behind()
    {
        using var lab = new EngineLab();
        await using (var agent = await RealAgent.StartAsync(lab))
        {
            var socket = agent.SocketPath;
            // Warm-up: the engine's paths, the thread pool and the listener's first connections.
            var warm = await AgentLoad.RunAsync(socket, "warm", 2, LabNamespaces, 1, TimeSpan.FromMinutes(2), _ => false, Cancel);
            Assert.Empty(warm.Failures);
            var held = await SettledHoldingsAsync(int.MaxValue);

            var run = await AgentLoad.RunAsync(socket, "load", Clients, LabNamespaces, Iterations, TimeSpan.FromMinutes(5), client => client % 2 == 0, Cancel);
            try
            {
                Assert.Empty(run.Failures);
                Assert.Equal(Clients * Iterations, run.Iterations);
                Assert.Empty(await AgentLoad.CheckLabsAsync(socket, lab.Prefix, run.Labs, LabNamespaces, Cancel));
                Assert.Equal(Clients / 2 * (LabNamespaces + 2), lab.Namespaces().Count);
            }
            finally
            {
                await AgentLoad.DestroyAllAsync(socket, run.Labs);
            }

            Assert.Empty(lab.Namespaces());
            var nameless = await SettledNamelessAsync();
            Assert.True(nameless.Count == 0, $"this process holds namespaces without a name: {string.Join("; ", nameless.Select(i => $"{i} by {string.Join(", ", LiveNetworkNamespaces.HoldersOf(Environment.ProcessId, i))}"))}");
            var after = await SettledHoldingsAsync(held.Count);
            Assert.True(after.Count <= held.Count, $"this process holds {after.Count} sockets and namespace files after the run, {held.Count} after the warm-up:\n{string.Join('\n', after.Except(held).Take(20))}");
        }
    }

    /// <summary>
    /// The namespaces without a name this process holds, once there are none or 10 s passed. A runtime thread made by a
    /// thread inside a namespace is born there (the JIT's tiering worker, made by whichever thread first asks for a
    /// method to be recompiled, ends 4 s after its last work): a test of this process that ran just before can leave one
    /// holding its destroyed namespace for those seconds. A leak holds it for good.
    /// </summary>
    private static async Task<IReadOnlyList<ulong>> SettledNamelessAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var nameless = LiveNetworkNamespaces.NamelessHeldBy(Environment.ProcessId);
            if (nameless.Count == 0 || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return nameless;
            }

            await Task.Delay(200, Cancel);
        }
    }

    /// <summary>
    /// The sockets and namespace files this process holds, once there are at most <paramref name="expected"/> (closed
    /// connections take a moment to be closed on the server's side) or 5 s passed.
    /// </summary>
    private static async Task<List<string>> SettledHoldingsAsync(int expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var held = Directory.EnumerateFiles("/proc/self/fd")
                .Select(fd =>
                {
                    try
                    {
                        return new FileInfo(fd).LinkTarget;
                    }
                    catch (IOException)
                    {
                        return null;
                    }
                })
                .OfType<string>()
                .Where(target => target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("net:", StringComparison.Ordinal))
                .ToList();
            if (held.Count <= expected || clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                return held;
            }

            await Task.Delay(100, Cancel);
        }
    }
}

/// <summary>Alone: the load test counts this process's sockets and namespaces, which tests running beside it would change.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentUnderLoadCollection
{
    public const string Name = "agent under load";
}
