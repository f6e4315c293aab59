using System.Diagnostics;
using System.Reflection;

namespace NetLab.Netlink.Benchmarks;

/// <summary>Builds the lab, warms both sides up, then times create and delete of N namespaces per side and round.</summary>
internal sealed class BenchmarkRunner(BenchmarkOptions options, LabNames names, TextWriter progress)
{
    public BenchmarkResult Run(CancellationToken cancellation)
    {
        foreach (var stale in LabCleanup.RemoveStale())
        {
            progress.WriteLine($"removed {stale}, left behind by a run that no longer exists");
        }

        // Fails before any namespace exists when iproute2 is missing.
        _ = IpCommand.Path;
        using var lab = LabEnvironment.Create(names);
        IBenchmarkSide[] sides = [new NetlinkSide(lab.Host, lab.ParentIndex), new IprouteSide(names.HostNamespace)];
        var results = sides.ToDictionary(side => side, side => new SideResult(side.Name));

        if (options.WarmupCount > 0)
        {
            // JIT, page cache for `ip` and its libraries, the kernel's first macvlan on eth0: none of it is counted.
            var warmup = names.WarmupMembers(options.WarmupCount);
            foreach (var side in sides)
            {
                progress.WriteLine($"warm-up: {side.Name}, {warmup.Count} namespace(s)");
                RunRound(lab, side, warmup, new SideResult(side.Name), cancellation);
            }
        }

        var members = names.Members(options.Count);
        for (var round = 0; round < options.Rounds; round++)
        {
            // Alternating who goes first cancels most of what one side's run leaves for the next (caches, memory).
            var order = round % 2 == 0 ? sides : sides.Reverse().ToArray();
            foreach (var side in order)
            {
                progress.WriteLine($"round {round + 1}/{options.Rounds}: {side.Name}, {members.Count} namespace(s)");
                RunRound(lab, side, members, results[side], cancellation);
            }
        }

        return new BenchmarkResult(options, results[sides[0]], results[sides[1]], LibraryIsOptimized());
    }

    private static void RunRound(LabEnvironment lab, IBenchmarkSide side, IReadOnlyList<LabMember> members, SideResult result, CancellationToken cancellation)
    {
        var createSteps = new StepTimes();
        var createStarted = Stopwatch.GetTimestamp();
        foreach (var member in members)
        {
            cancellation.ThrowIfCancellationRequested();
            side.Create(member, createSteps);
        }

        var create = Stopwatch.GetElapsedTime(createStarted);

        LabVerifier.VerifyCreated(side.Name, members);
        if (lab.ParentPromiscuity() == 0)
        {
            // Without it WaitForTeardown would return at once and the next phase could overlap this one's teardown.
            throw new BenchmarkFailedException($"{side.Name}: {LabNames.ParentLink} is not promiscuous with {members.Count} macvlan(s) up on it, so the end of their teardown cannot be seen on this kernel");
        }

        var deleteSteps = new StepTimes();
        var deleteStarted = Stopwatch.GetTimestamp();
        foreach (var member in members)
        {
            cancellation.ThrowIfCancellationRequested();
            side.Delete(member, deleteSteps);
        }

        var delete = Stopwatch.GetElapsedTime(deleteStarted);

        LabVerifier.VerifyDeleted(side.Name, members);
        var teardown = lab.WaitForTeardown(deleteStarted, cancellation);

        result.Rounds.Add(new RoundTimes(create, delete, teardown));
        result.CreateSteps.AddAll(createSteps);
        result.DeleteSteps.AddAll(deleteSteps);
    }

    /// <summary>A Debug build of the library is several times slower in managed code; the report says so.</summary>
    private static bool LibraryIsOptimized() =>
        typeof(NetlinkHandle).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
}
