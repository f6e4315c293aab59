using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Web.Courses;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls.Courses;

/// <summary>
/// The instructor's actions on an assignment's overview: reset one student's copy to the template, and destroy every
/// applied copy at the assignment's end, each after a confirmation. "Destroy all" says which copy it is at (n of m),
/// goes on past a failure and lists the failures with their reasons at the end. The store's refusal (not the
/// instructor's course) is <see cref="AssignmentLabs"/>'s; this only asks and shows.
/// </summary>
public sealed partial class AssignmentLabActions
{
    [Parameter, EditorRequired]
    public long AssignmentId { get; set; }

    [Parameter, EditorRequired]
    public IReadOnlyList<OverviewRow> Rows { get; set; } = [];

    [Inject]
    private AssignmentLabs Labs { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    /// <summary>A reset or "destroy all" is running: the buttons wait for it.</summary>
    public bool Busy { get; private set; }

    private int AppliedCount => Rows.Count(r => r.AppliedRevision is not null);

    private DestroyAllProgress? Progress { get; set; }

    private string? Message { get; set; }

    private bool MessageIsError { get; set; }

    private IReadOnlyList<DestroyAllFailure> Failures { get; set; } = [];

    /// <summary>Asks, then resets <paramref name="row"/>'s copy (its kernel lab destroyed first when applied).</summary>
    public async Task ResetAsync(OverviewRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Busy)
        {
            return;
        }

        var kernel = row.AppliedRevision is { } applied
            ? $"Their applied lab (revision {applied}) is destroyed in the kernel first. "
            : "";
        var confirmed = await Dialogs.ShowMessageBox(
            $"Reset {row.DisplayName}'s lab?",
            $"{kernel}Their copy gets a new revision equal to the assignment's template, and its checks become the assignment's again. " +
            "Their earlier revisions, runs and submissions are kept. A Lab page they have open shows the reset after a reload.",
            yesText: "Reset", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        (Busy, Message, Failures) = (true, null, []);
        StateHasChanged();
        try
        {
            // Not the circuit's token: a destroy that started runs to its end (the agent would finish it anyway).
            var outcome = await Labs.ResetAsync(User, AssignmentId, row.StudentId, CancellationToken.None);
            (Message, MessageIsError) = outcome.Succeeded
                ? ($"{row.UserName}'s copy was reset: revision {outcome.Revision!.Number} is the template.", false)
                : (outcome.Error, true);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task DestroyAllAsync()
    {
        if (Busy)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBox(
            "Destroy all labs of this assignment?",
            $"The {AppliedCount} applied copies are destroyed in the kernel, one after another. The students' copies, revisions, " +
            "runs and submissions stay; a student can apply again.",
            yesText: "Destroy all", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        (Busy, Message, Failures) = (true, null, []);
        StateHasChanged();
        try
        {
            var outcome = await Labs.DestroyAllAsync(User, AssignmentId, progress => _ = InvokeAsync(() =>
            {
                // A progress posted late must not show once the outcome is shown.
                if (Busy)
                {
                    Progress = progress;
                    StateHasChanged();
                }
            }), CancellationToken.None);
            Failures = outcome.Failures;
            (Message, MessageIsError) = outcome switch
            {
                { Error: { } error } => (error, true),
                { Total: 0 } => ("No copy was applied: nothing to destroy.", false),
                { Failures.Count: 0 } => ($"All {outcome.Total} applied copies were destroyed.", false),
                _ => ($"{outcome.Destroyed} of {outcome.Total} applied copies were destroyed; {outcome.Failures.Count} were not (below, with why). " +
                      "Fix what is said and press Destroy all labs again: it takes only the copies still applied.", true),
            };
        }
        finally
        {
            (Busy, Progress) = (false, null);
        }
    }
}
