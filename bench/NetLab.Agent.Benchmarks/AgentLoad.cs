using System.Collections.Concurrent;
using System.Diagnostics;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Benchmarks;

/// <summary>A lab as its client left it: applied (the kernel must hold exactly its YAML) or destroyed (nothing of it).</summary>
internal sealed record LabLeft(string Lab, string Yaml, bool Applied);

/// <summary>
/// What a load run did: iterations, each step's durations in seconds (apply, watch until every element's snapshot,
/// probe, destroy, and the whole iteration), what failed (client, iteration, step, why) and how each client left its lab.
/// </summary>
internal sealed record LoadRun(int Clients, int Iterations, TimeSpan Elapsed, IReadOnlyDictionary<string, IReadOnlyList<double>> Steps, IReadOnlyList<string> Failures, IReadOnlyList<LabLeft> Labs)
{
    public const string Apply = "apply";
    public const string Watch = "watch";
    public const string Probe = "probe";
    public const string Destroy = "destroy";
    public const string Iteration = "iteration";

    public static readonly string[] StepNames = [Apply, Watch, Probe, Destroy, Iteration];

    public double IterationsPerSecond => Iterations / Elapsed.TotalSeconds;

    /// <summary>The <paramref name="fraction"/> quantile (nearest rank) of a step's durations, in seconds; 0 when it never ran.</summary>
    public double Quantile(string step, double fraction)
    {
        var sorted = Steps[step].Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Clients of one agent over its Unix socket, each with a lab of its own (<see cref="ScaleLab"/>), each looping: apply,
/// watch the lab's event stream until every element's snapshot arrived (the stream stays open during the check), check
/// connectivity (every namespace pair must reply), close the stream, destroy; until its iterations or the time are used
/// up. Then some clients apply their lab once more and leave it applied, the others leave it destroyed, and
/// <see cref="CheckLabsAsync"/> holds the kernel to that. Shared by the load benchmark and its bounded test.
/// </summary>
internal static class AgentLoad
{
    /// <summary>The connectivity check's wait: generous, since replies come at once and a loaded machine may lag.</summary>
    private static readonly ProbeRequest Check = new(3000);

    private static readonly TimeSpan SnapshotWait = TimeSpan.FromSeconds(30);

    /// <param name="socketPath">The agent's socket.</param>
    /// <param name="labStem">Lab names are the stem and the client's number.</param>
    /// <param name="clients">Clients running at once.</param>
    /// <param name="namespaces">Namespaces of each lab besides its switch and host.</param>
    /// <param name="iterations">Iterations per client at most.</param>
    /// <param name="duration">Time for all of it at most (an iteration started goes to its end).</param>
    /// <param name="leavesApplied">Which clients leave their lab applied at the end.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<LoadRun> RunAsync(
        string socketPath, string labStem, int clients, int namespaces, int iterations, TimeSpan duration, Func<int, bool> leavesApplied, CancellationToken cancellationToken)
    {
        var steps = LoadRun.StepNames.ToDictionary(s => s, _ => new ConcurrentBag<double>());
        var failures = new ConcurrentQueue<string>();
        var done = 0;
        var clock = Stopwatch.StartNew();
        var labs = await Task.WhenAll(Enumerable.Range(1, clients).Select(client => Task.Run(async () =>
        {
            var lab = $"{labStem}{client}";
            var yaml = ScaleLab.Yaml(lab, namespaces);
            using var agent = new AgentClient(socketPath);
            for (var iteration = 1; iteration <= iterations && clock.Elapsed < duration; iteration++)
            {
                var started = clock.Elapsed;
                var step = LoadRun.Apply;
                try
                {
                    steps[LoadRun.Apply].Add(await TimeAsync(() => ApplyAsync(agent, yaml, cancellationToken)));
                    step = LoadRun.Watch;
                    using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var watchClock = Stopwatch.StartNew();
                    var stream = agent.EventsAsync(lab, watching.Token).GetAsyncEnumerator(watching.Token);
                    try
                    {
                        await WaitForSnapshotsAsync(stream, namespaces + 2, cancellationToken);
                        steps[LoadRun.Watch].Add(watchClock.Elapsed.TotalSeconds);

                        // The stream stays open, read, while the lab is checked: as a watching page keeps it.
                        var draining = DrainAsync(stream);
                        step = LoadRun.Probe;
                        steps[LoadRun.Probe].Add(await TimeAsync(() => ProbeAsync(agent, lab, namespaces, cancellationToken)));
                        await watching.CancelAsync();
                        await draining;
                    }
                    finally
                    {
                        await stream.DisposeAsync();
                    }

                    step = LoadRun.Destroy;
                    steps[LoadRun.Destroy].Add(await TimeAsync(() => DestroyAsync(agent, lab, cancellationToken)));
                    steps[LoadRun.Iteration].Add((clock.Elapsed - started).TotalSeconds);
                    Interlocked.Increment(ref done);
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures.Enqueue($"client {client}, iteration {iteration}, {step}: {error.GetType().Name}: {error.Message}");
                    await TryDestroyAsync(agent, lab);
                }
            }

            var applied = leavesApplied(client);
            if (applied)
            {
                try
                {
                    await ApplyAsync(agent, yaml, cancellationToken);
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures.Enqueue($"client {client}, the last apply: {error.GetType().Name}: {error.Message}");
                }
            }

            return new LabLeft(lab, yaml, applied);
        }, cancellationToken))).ConfigureAwait(false);

        return new LoadRun(
            clients,
            done,
            clock.Elapsed,
            steps.ToDictionary(s => s.Key, s => (IReadOnlyList<double>)[.. s.Value]),
            [.. failures],
            labs);
    }

    /// <summary>
    /// Every lab as its client left it, asked of the kernel (names under /run/netns with <paramref name="kernelPrefix"/>)
    /// and of the agent (an applied lab's plan is empty); returns what is not so.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckLabsAsync(string socketPath, string kernelPrefix, IReadOnlyList<LabLeft> labs, int namespaces, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using var agent = new AgentClient(socketPath);
        var named = NetworkNamespace.ListNames();
        foreach (var lab in labs)
        {
            var held = named.Count(n => n.StartsWith($"{kernelPrefix}{lab.Lab}.", StringComparison.Ordinal));
            if (!lab.Applied)
            {
                if (held != 0)
                {
                    problems.Add($"{lab.Lab} was left destroyed, but {held} of its namespaces exist");
                }

                continue;
            }

            if (held != namespaces + 2)
            {
                problems.Add($"{lab.Lab} was left applied with {namespaces + 2} namespaces, but {held} exist");
            }

            var plan = await agent.PlanAsync(new LabDocument(lab.Yaml), cancellationToken).ConfigureAwait(false);
            if (plan.Operations.Count != 0)
            {
                problems.Add($"{lab.Lab} was left applied, but the kernel differs from it: {plan.Operations.Count} operations, e.g. {plan.Operations[0].Command}");
            }
        }

        return problems;
    }

    /// <summary>Destroys what the run left applied (the end of a benchmark or test).</summary>
    public static async Task DestroyAllAsync(string socketPath, IEnumerable<LabLeft> labs)
    {
        using var agent = new AgentClient(socketPath);
        foreach (var lab in labs.Where(l => l.Applied))
        {
            await TryDestroyAsync(agent, lab.Lab).ConfigureAwait(false);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> step)
    {
        var clock = Stopwatch.StartNew();
        await step().ConfigureAwait(false);
        return clock.Elapsed.TotalSeconds;
    }

    public static async Task ApplyAsync(AgentClient agent, string yaml, CancellationToken cancellationToken)
    {
        var result = await ResultAsync(agent.ApplyAsync(new LabDocument(yaml), cancellationToken)).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"the apply failed: {result.Failure?.Message}");
        }
    }

    public static async Task DestroyAsync(AgentClient agent, string lab, CancellationToken cancellationToken)
    {
        var result = await ResultAsync(agent.DestroyAsync(lab, cancellationToken)).ConfigureAwait(false);
        if (!result.Succeeded || result.Warnings is { Count: > 0 })
        {
            throw new InvalidOperationException($"the destroy failed: {result.Failure?.Message ?? string.Join("; ", result.Warnings ?? [])}");
        }
    }

    private static async Task TryDestroyAsync(AgentClient agent, string lab)
    {
        try
        {
            _ = await ResultAsync(agent.DestroyAsync(lab, CancellationToken.None)).ConfigureAwait(false);
        }
        catch (AgentClientException)
        {
            // Reported with the step that failed; the end's checks find whatever is left.
        }
    }

    private static async Task ProbeAsync(AgentClient agent, string lab, int namespaces, CancellationToken cancellationToken)
    {
        var report = await agent.ProbeAsync(lab, Check, cancellationToken).ConfigureAwait(false);
        var pairs = report.Results.Where(r => r.From.StartsWith("ns", StringComparison.Ordinal)).ToList();
        if (pairs.Count != namespaces * namespaces || pairs.Any(p => !p.Replied))
        {
            throw new InvalidOperationException($"the check got {pairs.Count(p => p.Replied)} replies of {namespaces * namespaces} namespace pairs ({pairs.Count} probed)");
        }
    }

    private static async Task WaitForSnapshotsAsync(IAsyncEnumerator<LabEvent> stream, int elements, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SnapshotWait);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < elements)
        {
            if (!await stream.MoveNextAsync().AsTask().WaitAsync(timeout.Token).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the event stream ended after snapshots of {seen.Count} of {elements} elements");
            }

            if (stream.Current is { Kind: LabEventKind.Snapshot } snapshot)
            {
                seen.Add(snapshot.Element);
            }
        }
    }

    /// <summary>Reads the stream until it is cancelled (its end) or it ends.</summary>
    private static async Task DrainAsync(IAsyncEnumerator<LabEvent> stream)
    {
        try
        {
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
            }
        }
        catch (Exception error) when (error is OperationCanceledException or AgentClientException or IOException)
        {
            // Cancelled by the client: the stream's normal end here.
        }
    }

    private static async Task<ApplyResult> ResultAsync(IAsyncEnumerable<ApplyStreamItem> items)
    {
        ApplyResult? result = null;
        await foreach (var item in items.ConfigureAwait(false))
        {
            result = item.Result ?? result;
        }

        return result ?? throw new InvalidOperationException("the stream ended without a result");
    }
}
