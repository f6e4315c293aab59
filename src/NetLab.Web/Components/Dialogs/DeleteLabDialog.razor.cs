using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Dialogs;

/// <summary>
/// Says what deleting a lab does (its applied kernel lab destroyed, its revisions and recorded runs deleted), then does
/// it; a refused delete (the destroy failed) stays open with the reason, and nothing is deleted.
/// </summary>
public sealed partial class DeleteLabDialog
{
    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private LabDeletion Deletion { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter, EditorRequired]
    public long LabId { get; set; }

    private LabDeletionPlan? Plan { get; set; }

    private bool Deleting { get; set; }

    private string? Error { get; set; }

    private string KernelSentence => Plan switch
    {
        null => "",
        { Lab.AppliedRevision: { } applied } =>
            $"The applied lab will be destroyed first: revision {applied}, kernel name {Plan.KernelLab}; its namespaces and links are removed from the kernel.",
        _ => $"It is not recorded as applied; should the kernel hold a lab named {Plan.KernelLab}, it will be destroyed first.",
    };

    private string RunsSentence => Plan?.RecordedRuns switch
    {
        null or 0 => "It has no recorded runs.",
        1 => "Its 1 recorded run will be deleted with it.",
        { } count => $"Its {count} recorded runs will be deleted with it.",
    };

    protected override async Task OnInitializedAsync()
    {
        Plan = await Deletion.PlanAsync(User.Id, LabId);
        if (Plan is null)
        {
            Error = $"There is no lab {LabId} of yours: it may have been deleted already; reload the list.";
        }
    }

    private async Task DeleteAsync()
    {
        (Deleting, Error) = (true, null);
        // Not the circuit's token: a destroy the user started runs to its end (the agent would finish it anyway).
        var outcome = await Deletion.DeleteAsync(User.Id, LabId, _ => { }, CancellationToken.None);
        Deleting = false;
        if (outcome.Deleted)
        {
            Dialog.Close(DialogResult.Ok(Plan!.Lab));
            return;
        }

        Error = outcome.Error;
        // What the store has may have changed meanwhile (the lab applied elsewhere): say what a retry would do.
        Plan = await Deletion.PlanAsync(User.Id, LabId) ?? Plan;
    }

    private void Cancel() => Dialog.Cancel();
}
