using NetLab.Agent.Client;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>What one reconciliation changed in the store: a lab's applied revision, from what to what, and why.</summary>
public sealed record AppliedCorrection(long OwnerId, long LabId, string Lab, string KernelLab, int? Was, int? Now, string Why);

/// <summary>
/// At start-up, and again whenever an apply or destroy ended without the agent's answer (<see cref="Request"/>), makes
/// each lab's "applied revision" agree with the kernel, as far as the agent can tell. The store records an apply after
/// the agent finished it (<see cref="LabApplication"/>), so a web killed in between (kill -9, a crash, a power cut of the
/// web's host only) leaves the record behind the kernel, and so does an agent killed after its last change and before
/// its answer (the web, still running, cannot know how far it got); a destroy from the CLI leaves it ahead. Per lab,
/// under its kernel lab (<see cref="KernelLabs.OfAsync"/>), acting for the lab's owner:
/// <list type="bullet">
/// <item>the kernel holds no such lab (for its owner): the lab is recorded as not applied;</item>
/// <item>it holds one: the revision the kernel matches exactly (an empty plan) is recorded as applied, looking at the
/// recorded one first, then the current one, then the newest <see cref="MaxRevisionsCompared"/>; when none matches (an
/// apply that stopped half-way, a change made by hand) the record is left as it is.</item>
/// </list>
/// A lab applied before labs had kernel names of their own is looked for under its old name (<see cref="KernelLabs.LegacyAsync"/>),
/// and there only revisions of that YAML <c>name</c> can match; another lab that applied that name later holds it, so
/// this one is asked about under its own name (which the kernel does not hold: it is recorded as not applied).
/// The agent's answers are all it goes by; when the agent cannot be reached it says so in the log and tries again
/// later (5 s, doubling up to a minute), and the web's start never waits for it. A store change is made only if the
/// lab still records what was read (<see cref="LabStore.ReplaceAppliedAsync"/>), so an apply finishing meanwhile wins.
/// </summary>
public sealed partial class AppliedStateReconciler(IAgentGateway agent, LabStore store, TimeProvider time, ILogger<AppliedStateReconciler> logger)
    : BackgroundService
{
    /// <summary>Plans asked per lab at most when looking for the revision the kernel holds.</summary>
    public const int MaxRevisionsCompared = 10;

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>Completes once the first reconciliation went through (tests wait for it).</summary>
    public Task<IReadOnlyList<AppliedCorrection>> Completed => _completed.Task;

    private readonly TaskCompletionSource<IReadOnlyList<AppliedCorrection>> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Released once for the pass at start, and by Request(); at most one pass is ever waiting.
    private readonly SemaphoreSlim _requested = new(1, 1);

    /// <summary>
    /// Asks for another pass over every lab as soon as the agent answers: an apply or destroy ended without the agent's
    /// result (the connection broke, the agent was killed), so the kernel may hold more, or less, than the store records.
    /// Requests made while a pass waits are one pass; one made during a pass gets a pass after it.
    /// </summary>
    public void Request()
    {
        try
        {
            _requested.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already asked for.
        }
        catch (ObjectDisposedException)
        {
            // The web has stopped; its next start checks everything.
        }
    }

    /// <summary>
    /// One pass over every lab of every owner; the corrections made, or null when the agent could not be reached (what
    /// was corrected before that stays corrected, and the next pass goes over everything again).
    /// </summary>
    public async Task<IReadOnlyList<AppliedCorrection>?> ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var labs = await store.ListAllLabsAsync().ConfigureAwait(false);
        var corrections = new List<AppliedCorrection>();
        foreach (var lab in labs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var revisions = await store.ListRevisionsAsync(lab.OwnerId, lab.Id).ConfigureAwait(false); // newest first
            var recorded = lab.AppliedRevision is { } number ? revisions.FirstOrDefault(r => r.Number == number) : null;
            var current = lab.CurrentRevision is { } currentNumber ? revisions.FirstOrDefault(r => r.Number == currentNumber) : null;
            var kernel = await KernelLabs.OfAsync(store, lab).ConfigureAwait(false);

            var state = await agent.StateAsync(kernel, cancellationToken).ConfigureAwait(false);
            if (!state.Succeeded && state.ErrorCode != AgentErrorCodes.NotFound)
            {
                LogAgentUnreachable(logger, state.Error ?? "no answer");
                return null;
            }

            if (!state.Succeeded)
            {
                // The kernel holds no lab of that name for the owner: nothing of this lab is applied.
                await CorrectAsync(corrections, lab, kernel.Name, null, $"the kernel holds no lab {kernel.Name}").ConfigureAwait(false);
                continue;
            }

            // The kernel holds the lab: which revision, exactly? The recorded one first (the usual answer, one plan).
            // Under a legacy name only revisions of that YAML name can be it.
            var candidates = new[] { recorded, current }.OfType<LabRevision>()
                .Concat(revisions)
                .DistinctBy(r => r.Number)
                .Where(r => !kernel.Legacy || KernelLabs.LegacyName(r.Yaml, lab.Name) == kernel.Name)
                .Take(MaxRevisionsCompared);
            int? matched = null;
            foreach (var candidate in candidates)
            {
                var plan = await agent.PlanAsync(kernel, candidate.Yaml, cancellationToken).ConfigureAwait(false);
                if (plan.Value is { } view)
                {
                    if (view.Operations.Count == 0)
                    {
                        matched = candidate.Number;
                        break;
                    }

                    continue;
                }

                if (plan.ErrorCode != AgentErrorCodes.InvalidLab)
                {
                    LogAgentUnreachable(logger, plan.Error ?? "no answer");
                    return null;
                }
            }

            if (matched is { } holds)
            {
                await CorrectAsync(corrections, lab, kernel.Name, holds, $"the kernel holds {kernel.Name} exactly as revision {holds}").ConfigureAwait(false);
            }
            else
            {
                LogUndetermined(logger, lab.Name, lab.Id, kernel.Name, Describe(lab.AppliedRevision));
            }
        }

        LogReconciled(logger, labs.Count, corrections.Count);
        return corrections;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path at once: the web serves while the agent is asked (or is not there at all).
        await Task.Yield();
        try
        {
            while (true)
            {
                await _requested.WaitAsync(stoppingToken).ConfigureAwait(false);
                _completed.TrySetResult(await PassAsync(stoppingToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The web is stopping.
        }
    }

    /// <summary>One pass that goes through, tried again (5 s, doubling up to a minute) while the agent cannot be reached.</summary>
    private async Task<IReadOnlyList<AppliedCorrection>> PassAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                if (await ReconcileOnceAsync(stoppingToken).ConfigureAwait(false) is { } corrections)
                {
                    return corrections;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The store, not the agent (the gateway turns every agent failure into an outcome): say it and retry.
                LogFailed(logger, error);
            }

            LogRetrying(logger, delay.TotalSeconds);
            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    public override void Dispose()
    {
        _requested.Dispose();
        base.Dispose();
    }

    private async Task CorrectAsync(List<AppliedCorrection> corrections, LabSummary lab, string kernelLab, int? holds, string why)
    {
        if (lab.AppliedRevision == holds)
        {
            return;
        }

        if (await store.ReplaceAppliedAsync(lab, holds).ConfigureAwait(false))
        {
            corrections.Add(new AppliedCorrection(lab.OwnerId, lab.Id, lab.Name, kernelLab, lab.AppliedRevision, holds, why));
            LogCorrected(logger, lab.Name, lab.Id, Describe(lab.AppliedRevision), Describe(holds), why);
        }
    }

    private static string Describe(int? revision) => revision is { } number ? $"revision {number}" : "nothing";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lab {Lab} (id {LabId}) recorded {Was} as applied, but {Why}: now it records {Now}")]
    private static partial void LogCorrected(ILogger logger, string lab, long labId, string was, string now, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lab {Lab} (id {LabId}): the kernel holds {KernelLab}, but none of its latest revisions exactly (an apply that stopped half-way, or a change by hand); it still records {Recorded} as applied. Apply a revision to converge.")]
    private static partial void LogUndetermined(ILogger logger, string lab, long labId, string kernelLab, string recorded);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checked the applied state of {Count} labs against the kernel: {Corrected} corrected")]
    private static partial void LogReconciled(ILogger logger, int count, int corrected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot check the labs' applied state against the kernel yet: {Why}")]
    private static partial void LogAgentUnreachable(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the labs' applied state against the kernel failed")]
    private static partial void LogFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The labs' applied state is checked again in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, double seconds);
}
