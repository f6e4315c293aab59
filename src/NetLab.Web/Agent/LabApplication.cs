using NetLab.Agent.Client;
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

    /// <summary>The limit an apply refused by a quota would have passed (error code <see cref="LabApplication.QuotaErrorCode"/>).</summary>
    public QuotaRefusal? Quota { get; init; }
    /// <summary>Why the agent's work failed, in words (the failed command and the kernel's message, or the agent's error); null when it succeeded.</summary>
    public string? FailureText => Result switch
    {
        { Succeeded: true } => null,
        { Failure: { } failure } => $"{failure.Operation.Command} failed: {failure.KernelMessage ?? failure.Message}",
        _ => Agent.Error ?? "the agent gave no result",
    };
}

/// <summary>
/// "Apply, then record the revision as applied" (and "destroy, then record that nothing is applied") in one place:
/// the apply dialog and the experiment runner both come here, so the lab page's "applied: revision N" means the same
/// whoever applied it. The lab's shared live state is told too, so every panel watching it catches up at once. When the
/// agent gave no result (it was killed, the connection broke), how far it got is unknown: the
/// <paramref name="reconciler"/> is asked to compare the store with the kernel once the agent answers again.
/// The lab is applied under its own kernel name (<see cref="LabSummary.KernelName"/>), acting for its owner; a lab the
/// kernel still holds under its old name (<see cref="LabSummary.LegacyKernel"/>) is destroyed there first, so the
/// move to its own name leaves nothing behind.
/// </summary>
public sealed class LabApplication(IAgentGateway agent, LabStore store, LiveLabs live, AppliedStateReconciler? reconciler = null, ApplyAdmission? admission = null)
{
    /// <summary>The error code of an apply refused by a quota before the agent was asked (nothing changed).</summary>
    public const string QuotaErrorCode = "quota";

    /// <summary>What applying <paramref name="yaml"/> to lab <paramref name="labId"/> would do, under the lab's own kernel name and acting for its owner.</summary>
    public async Task<AgentOutcome<PlanView>> PlanAsync(long ownerId, long labId, string yaml, CancellationToken cancellationToken = default) =>
        await store.GetLabAsync(ownerId, labId).ConfigureAwait(false) is { } lab
            ? await agent.PlanAsync(KernelLabs.Own(lab), yaml, cancellationToken).ConfigureAwait(false)
            : AgentOutcome<PlanView>.Failed(NoSuchLabMessage(labId));

    /// <summary>Applies <paramref name="yaml"/> (revision <paramref name="revision"/> of lab <paramref name="labId"/>); on success the store records it as applied.</summary>
    public async Task<LabRunOutcome> ApplyAsync(long ownerId, long labId, int revision, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        return await store.GetLabAsync(ownerId, labId).ConfigureAwait(false) is { } lab
            ? await ApplyAsync(lab, revision, yaml, onProgress, cancellationToken).ConfigureAwait(false)
            : NoSuchLab(labId);
    }

    /// <summary>
    /// Applies <paramref name="yaml"/> (revision <paramref name="revision"/>) to <paramref name="lab"/> as read by the
    /// caller (its owner's): a lab under its own kernel name is not read again, so a run whose store fills up meanwhile
    /// still applies, and says so.
    /// </summary>
    public async Task<LabRunOutcome> ApplyAsync(LabSummary lab, int revision, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var (ownerId, labId) = (lab.OwnerId, lab.Id);
        // The account's quota of namespaces applied at once, looked at and taken in one turn of the account's.
        using var turn = admission is null ? null : await admission.TurnAsync(ownerId, cancellationToken).ConfigureAwait(false);
        if (admission is not null && await admission.CheckAsync(ownerId, labId, yaml).ConfigureAwait(false) is { } full)
        {
            return new(AgentOutcome<ApplyResult>.Failed(full.Message, errorCode: QuotaErrorCode), false) { Quota = full };
        }

        if (await KernelLabs.LegacyAsync(store, lab).ConfigureAwait(false) is { } legacy)
        {
            var moved = await DestroyKernelLabAsync(legacy, () => store.ClearAppliedAsync(ownerId, labId), onProgress, cancellationToken).ConfigureAwait(false);
            if (moved.Result is not { Succeeded: true })
            {
                return moved;
            }
        }

        var outcome = await agent.ApplyAsync(KernelLabs.Own(lab), yaml, onProgress, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(outcome, () => store.MarkAppliedAsync(ownerId, labId, revision)).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the lab's kernel objects (under its legacy name while the kernel holds it there); on success the store
    /// records that nothing is applied, also when the agent knows no such lab of the owner's ("not-found"), with an
    /// assignment copy's audit row (<paramref name="audit"/>; by default the owner's "destroy").
    /// </summary>
    public async Task<LabRunOutcome> DestroyAsync(long ownerId, long labId, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default, AuditActor? audit = null)
    {
        if (await store.GetLabAsync(ownerId, labId).ConfigureAwait(false) is not { } lab)
        {
            return NoSuchLab(labId);
        }

        audit ??= new AuditActor(ownerId, AuditActions.Destroy);
        return await DestroyAndRecordAsync(lab, () => store.ClearAppliedAsync(ownerId, labId, audit), onProgress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes <paramref name="lab"/>'s kernel objects acting for its owner, as <see cref="DestroyAsync"/> does, then
    /// records with <paramref name="record"/> (which must also record that nothing is applied) instead; it runs only
    /// when the destroy succeeded, so a failed destroy writes nothing.
    /// </summary>
    public async Task<LabRunOutcome> DestroyAndRecordAsync(LabSummary lab, Func<Task<bool>> record, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var kernel = await KernelLabs.OfAsync(store, lab).ConfigureAwait(false);
        return await DestroyKernelLabAsync(kernel, record, onProgress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LabRunOutcome> DestroyKernelLabAsync(OwnedKernelLab kernel, Func<Task<bool>> clear, Action<OperationProgress> onProgress, CancellationToken cancellationToken)
    {
        var outcome = await agent.DestroyAsync(kernel, onProgress, cancellationToken).ConfigureAwait(false);
        if (outcome.ErrorCode == AgentErrorCodes.NotFound)
        {
            // The kernel holds nothing of the lab for its owner (never applied under this name, or destroyed already):
            // what a destroy makes sure of, with nothing to do.
            outcome = AgentOutcome<ApplyResult>.Success(new ApplyResult(kernel.Name, true, 0, 0, 0));
        }

        return await RecordAsync(outcome, clear).ConfigureAwait(false);
    }

    private static LabRunOutcome NoSuchLab(long labId) => new(AgentOutcome<ApplyResult>.Failed(NoSuchLabMessage(labId)), false);

    private static string NoSuchLabMessage(long labId) => $"There is no lab {labId} of yours: it may have been deleted; reload the list.";

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
