using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>
/// What deleting a lab will do, said before it is done: its revisions and recorded runs go, and its kernel lab is
/// destroyed first.
/// </summary>
/// <param name="Lab">The lab as the store has it.</param>
/// <param name="Revisions">How many revisions it has (all go).</param>
/// <param name="RecordedRuns">How many recorded runs it has (all go).</param>
/// <param name="KernelLab">The name the kernel knows it by (<see cref="KernelLabs.OfAsync"/>).</param>
public sealed record LabDeletionPlan(LabSummary Lab, int Revisions, int RecordedRuns, string KernelLab);

/// <summary>How a delete ended: deleted, or refused with why (then nothing was deleted).</summary>
public sealed record LabDeletionOutcome(bool Deleted, string? Error, ApplyResult? Destroyed = null)
{
    public static LabDeletionOutcome Refused(string error, ApplyResult? destroyed = null) => new(false, error, destroyed);
}

/// <summary>
/// Deleting a lab: the kernel lab first, through the agent (<see cref="LabApplication.DestroyAsync"/>, acting for the
/// lab's owner), then the store's lab with its revisions and runs. A lab deleted from the store while its namespaces
/// live on would leave them with nothing in the web that names them, so a destroy that fails (no agent, a namespace the
/// kernel would not delete) refuses the delete and nothing is deleted. A kernel lab the agent does not hold for the
/// owner (never applied) is nothing to destroy.
/// </summary>
public sealed class LabDeletion(LabApplication application, LabStore store, RunStore runs)
{
    /// <summary>What deleting the owner's lab would do now; null when the owner has no such lab.</summary>
    public async Task<LabDeletionPlan?> PlanAsync(long ownerId, long labId)
    {
        if (await store.GetLabAsync(ownerId, labId).ConfigureAwait(false) is not { } lab)
        {
            return null;
        }

        var revisions = await store.ListRevisionsAsync(ownerId, labId).ConfigureAwait(false);
        var kernel = await KernelLabs.OfAsync(store, lab).ConfigureAwait(false);
        var recordedRuns = await runs.CountRunsAsync(ownerId, labId).ConfigureAwait(false);
        return new LabDeletionPlan(lab, revisions.Count, recordedRuns, kernel.Name);
    }

    /// <summary>
    /// Destroys the lab's kernel lab (progress as for a destroy), then deletes the lab with its revisions and runs.
    /// Refused, with nothing deleted, when the destroy fails.
    /// </summary>
    public async Task<LabDeletionOutcome> DeleteAsync(long ownerId, long labId, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        // Planned again rather than taken from the dialog: an apply since the dialog opened changes what to destroy.
        if (await PlanAsync(ownerId, labId).ConfigureAwait(false) is not { } plan)
        {
            return LabDeletionOutcome.Refused($"There is no lab {labId} of yours: it may have been deleted already; reload the list.");
        }

        var outcome = await application.DestroyAsync(ownerId, labId, onProgress, cancellationToken).ConfigureAwait(false);
        var destroyed = outcome.Result;
        if (destroyed is not { Succeeded: true })
        {
            return LabDeletionOutcome.Refused(
                $"{plan.Lab.Name} was not deleted: destroying its kernel lab {plan.KernelLab} failed ({outcome.FailureText}). Nothing was deleted; " +
                "fix that and delete again, so no namespace of the lab is left without a lab in NetLab that names it.",
                destroyed);
        }

        try
        {
            return await store.DeleteAsync(ownerId, labId).ConfigureAwait(false)
                ? new LabDeletionOutcome(true, null, destroyed)
                : LabDeletionOutcome.Refused($"There is no lab {labId} of yours: it may have been deleted already; reload the list.", destroyed);
        }
        catch (StoreFullException full)
        {
            // SQLite needs room even to delete (the WAL grows before the file shrinks).
            return LabDeletionOutcome.Refused($"{plan.Lab.Name} was not deleted, though its kernel lab was destroyed. {full.Message}", destroyed);
        }
    }
}
