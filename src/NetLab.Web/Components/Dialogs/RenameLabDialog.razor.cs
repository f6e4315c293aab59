using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Dialogs;

/// <summary>Renames a lab in the store (the name inside its YAML is left as written).</summary>
public sealed partial class RenameLabDialog
{
    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter, EditorRequired]
    public long LabId { get; set; }

    [Parameter]
    public string Name { get; set; } = "";

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    private string? StoreError { get; set; }

    private async Task RenameAsync()
    {
        StoreResult<LabSummary> result;
        try
        {
            StoreError = null;
            result = await Store.RenameAsync(User.Id, LabId, Name);
        }
        catch (StoreFullException full)
        {
            StoreError = full.Message;
            return;
        }

        if (result.Succeeded)
        {
            Dialog.Close(DialogResult.Ok(result.Value));
            return;
        }

        Problems = result.Problems;
    }

    private void Cancel() => Dialog.Cancel();
}
