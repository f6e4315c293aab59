using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>
/// An apply or destroy as the agent answered it, and whether the store now records it (the applied revision); when the
/// store could not (its disk is full), <see cref="StoreError"/> says so and what to do.
/// </summary>
public sealed record LabRunOutcome(AgentOutcome<ApplyResult> Agent, bool Recorded, string? StoreError = null)
{
    public ApplyResult? Result => Agent.Value;
}

/// <summary>
/// "Apply, then record the revision as applied" (and "destroy, then record that nothing is applied") in one place:
/// the apply dialog and the experiment runner both come here, so the lab page's "applied: revision N" means the same
/// whoever applied it. The lab's shared live state is told too, so every panel watching it catches up at once. When the
/// agent gave no result (it was killed, the connection broke), how far it got is unknown: the
/// <paramref name="reconciler"/> is asked to compare the store with the kernel once the agent answers again.
/// </summary>
public sealed class LabApplication(IAgentGateway agent, LabStore store, LiveLabs live, AppliedStateReconciler? reconciler = null, ApplyAdmission? admission = null)
{
    /// <summary>The error code of an apply refused by a quota before the agent was asked (nothing changed).</summary>
    public const string QuotaErrorCode = "quota";

    /// <summary>Applies <paramref name="yaml"/> (revision <paramref name="revision"/> of lab <paramref name="labId"/>); on success the store records it as applied.</summary>
    public async Task<LabRunOutcome> ApplyAsync(long ownerId, long labId, int revision, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        // The account's quota of namespaces applied at once, looked at and taken in one turn of the account's.
        using var turn = admission is null ? null : await admission.TurnAsync(ownerId, cancellationToken).ConfigureAwait(false);
        if (admission is not null && await admission.CheckAsync(ownerId, labId, yaml).ConfigureAwait(false) is { } full)
        {
            return new(AgentOutcome<ApplyResult>.Failed(full.Message, errorCode: QuotaErrorCode), false);
        }

        var outcome = await agent.ApplyAsync(yaml, onProgress, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(outcome, () => store.MarkAppliedAsync(ownerId, labId, revision)).ConfigureAwait(false);
    }

    /// <summary>Removes the lab's kernel objects (<paramref name="lab"/>: its kernel name); on success the store records that nothing is applied.</summary>
    public async Task<LabRunOutcome> DestroyAsync(long ownerId, long labId, string lab, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        var outcome = await agent.DestroyAsync(lab, onProgress, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(outcome, () => store.ClearAppliedAsync(ownerId, labId)).ConfigureAwait(false);
    }

    private async Task<LabRunOutcome> RecordAsync(AgentOutcome<ApplyResult> outcome, Func<Task<bool>> record)
    {
        if (outcome.Value is not { } result)
        {
            reconciler?.Request();
            return new(outcome, false);
        }

        // Whatever the result, the kernel may have changed (a failed apply leaves what it rolled back, or did not):
        // watchers waiting for a lab that did not exist resubscribe now instead of at their next retry.
        live.Changed(result.Lab);
        if (!result.Succeeded)
        {
            return new(outcome, false);
        }

        try
        {
            return new(outcome, await record().ConfigureAwait(false));
        }
        catch (StoreFullException full)
        {
            // The kernel changed; the store could not say so. The web's next check against the kernel (its next start,
            // or the next apply without a result) records it once there is room.
            return new(outcome, false, $"The kernel changed as shown, but the store could not record it. {full.Message}");
        }
    }
}
