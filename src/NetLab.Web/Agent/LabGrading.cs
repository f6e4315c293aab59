using System.Text;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>
/// A grading as "Check my work" shows it: the agent's grade, or why there is none (the gateway's message, and the
/// checks' problems when the agent found them not to fit the applied lab); the run it was recorded as, or why it could
/// not be (<see cref="StoreError"/>, a full disk); <see cref="Quota"/> when a quota refused it before the agent was asked.
/// </summary>
public sealed record GradingOutcome(GradeView? Grade, string? Error, IReadOnlyList<Problem> Problems, RunSummary? Run = null, string? StoreError = null, QuotaRefusal? Quota = null)
{
    public bool Succeeded => Grade is not null;

    public static GradingOutcome Refused(string error) => new(null, error, []);
}

/// <summary>
/// "Check my work": grades the revision the kernel holds against the lab's checks through the agent (a fresh
/// connectivity check and the kernel's state, with NetLab's explanation of every failed check), and records the grading
/// as a run, so grades and every check's result stay with the run history. The lab, its applied revision and its
/// checks are read from the store here, not taken from a page, so a grade is always of what the store says is applied.
/// </summary>
public sealed class LabGrading(IAgentGateway agent, LabStore labs, RunStore runs, TimeProvider time)
{
    /// <summary>Waits this long at most for each ping of the grade's connectivity check, as "Check connectivity" does.</summary>
    public int ProbeTimeoutMilliseconds { get; init; } = 1000;

    public Task<GradingOutcome> GradeAsync(long ownerId, long labId, CancellationToken cancellationToken = default) =>
        GradeAsync(ownerId, labId, checksText: null, cancellationToken);

    /// <summary>
    /// Grades against <paramref name="checksText"/> in place of the lab's own checks (null: the lab's): a submission is
    /// graded against its assignment's checks, which the student cannot edit, not the copy's.
    /// </summary>
    public async Task<GradingOutcome> GradeAsync(long ownerId, long labId, string? checksText, CancellationToken cancellationToken = default)
    {
        if (await labs.GetLabAsync(ownerId, labId).ConfigureAwait(false) is not { } lab)
        {
            return GradingOutcome.Refused("There is no such lab of yours: it may have been deleted.");
        }

        if (await labs.GetAppliedRevisionAsync(ownerId, labId).ConfigureAwait(false) is not { } applied)
        {
            return GradingOutcome.Refused("Apply the lab first: grading checks what the kernel holds.");
        }

        var checks = checksText is not null ? new LabChecks(labId, checksText, null) : await labs.GetChecksAsync(ownerId, labId).ConfigureAwait(false);
        if (checks is not { Any: true })
        {
            return GradingOutcome.Refused("The lab has no checks: write them in the Checks tab, or generate them from the predictions.");
        }

        // A grading is recorded as a run: said before the agent spends a connectivity check on it, and checked again
        // when it is stored (another run may take the last place meanwhile).
        if (await runs.RoomForRunAsync(ownerId, Encoding.UTF8.GetByteCount(applied.Yaml) + Encoding.UTF8.GetByteCount(checks.Text)).ConfigureAwait(false) is { } noRoom)
        {
            return GradingOutcome.Refused($"Check my work was not run: its grading would be recorded as a run. {noRoom.Message}") with { Quota = noRoom };
        }

        // The kernel lab the applied revision made: the lab's own kernel name, acting for its owner (or its old name, as
        // the administrator, for a lab applied before kernel names of their own).
        var kernel = await KernelLabs.OfAsync(labs, lab).ConfigureAwait(false);
        var kernelLab = kernel.Name;
        var started = time.GetUtcNow();
        var graded = await agent.GradeAsync(
            kernel,
            new GradeRequest(new LabDocument(applied.Yaml), new LabDocument(checks.Text), ProbeTimeoutMilliseconds),
            cancellationToken).ConfigureAwait(false);
        var outcome = new GradingOutcome(graded.Value, graded.Error, graded.Problems);
        try
        {
            var run = await runs.RecordGradingAsync(ownerId, labId,
                new GradingRecord(applied.Number, applied.Yaml, kernelLab, checks.Text, started, graded.Value, graded.Error)).ConfigureAwait(false);
            return outcome with { Run = run };
        }
        catch (StoreFullException full)
        {
            return outcome with { StoreError = $"The grade is shown but was not stored with the runs. {full.Message}" };
        }
        catch (QuotaExceededException refused)
        {
            return outcome with { StoreError = $"The grade is shown but was not stored with the runs. {refused.Refusal.Message}" };
        }
    }
}
