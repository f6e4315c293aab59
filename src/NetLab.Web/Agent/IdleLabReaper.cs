using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>What one pass of the reaper did to one idle lab: destroyed, or why not.</summary>
public sealed record IdleLabReaped(long OwnerId, long LabId, string Lab, DateTimeOffset LastActivity, bool Destroyed, string? Error);

/// <summary>
/// Destroys applied labs idle beyond their owner's role limit (issue 13 section 6: a class's namespaces are a shared
/// room, and a student who walks away from an applied lab keeps 6 of them). Once a minute it reads every applied lab's
/// last activity (<see cref="LabActivity"/>) and destroys, through <see cref="LabApplication.DestroyAsync"/> acting for
/// the owner, those past <see cref="IdleLabPolicy"/>'s deadline; the lab itself, its revisions, runs and checks stay,
/// and "Apply" brings it back. The lab page warns from <see cref="QuotaOptions.IdleWarningMinutes"/> before. Each lab's
/// activity is read again just before its destroy, so work done while the pass ran keeps the lab; an apply that
/// finishes between that read and the destroy can still lose its namespaces (a window of one agent call).
/// </summary>
public sealed partial class IdleLabReaper(LabActivity activity, IdleLabPolicy policy, LabApplication application, TimeProvider time, ILogger<IdleLabReaper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>One pass: the idle labs found, destroyed or not (and why not).</summary>
    public async Task<IReadOnlyList<IdleLabReaped>> ReapOnceAsync(CancellationToken cancellationToken)
    {
        var reaped = new List<IdleLabReaped>();
        foreach (var lab in await activity.ListAppliedAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsIdle(lab))
            {
                continue;
            }

            // Read again: the list may be a minute old by now on a busy class.
            if (await activity.GetAppliedAsync(lab.OwnerId, lab.LabId).ConfigureAwait(false) is not { } now || !IsIdle(now))
            {
                continue;
            }

            var outcome = await application.DestroyAsync(now.OwnerId, now.LabId, _ => { }, cancellationToken,
                new AuditActor(now.OwnerId, AuditActions.IdleDestroy)).ConfigureAwait(false);
            var destroyed = outcome.Result is { Succeeded: true } && outcome.Recorded;
            string? error = null;
            if (destroyed)
            {
                LogDestroyed(logger, now.LabId, now.Name, now.OwnerId, now.LastActivity);
            }
            else
            {
                error = outcome.StoreError ?? outcome.Agent.Error ?? outcome.Result?.Failure?.Message ?? "the agent did not destroy it";
                LogNotDestroyed(logger, now.LabId, now.Name, now.OwnerId, error);
            }

            reaped.Add(new IdleLabReaped(now.OwnerId, now.LabId, now.Name, now.LastActivity, destroyed, error));
        }

        return reaped;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ReapOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A store or agent hiccup must not stop the reaper for the web's lifetime; the next minute tries again.
                LogPassFailed(logger, exception);
            }
        }
    }

    private bool IsIdle(AppliedLabActivity lab) => policy.DeadlineOf(lab) is { } deadline && time.GetUtcNow() >= deadline.DestroyAt;

    [LoggerMessage(Level = LogLevel.Information, Message = "Destroyed idle lab {LabId} '{Lab}' of user {OwnerId}: nothing done on it since {LastActivity:u}")]
    private static partial void LogDestroyed(ILogger logger, long labId, string lab, long ownerId, DateTimeOffset lastActivity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not destroy idle lab {LabId} '{Lab}' of user {OwnerId}: {Error}; trying again in a minute")]
    private static partial void LogNotDestroyed(ILogger logger, long labId, string lab, long ownerId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pass over idle labs failed; trying again in a minute")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
