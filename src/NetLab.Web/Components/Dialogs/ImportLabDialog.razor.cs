using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Dialogs;

/// <summary>Imports pasted YAML as a new lab; invalid YAML stays in the dialog with its problems, and nothing is stored.</summary>
public sealed partial class ImportLabDialog
{
    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    /// <summary>Initial text (for tests and for a future file upload).</summary>
    [Parameter]
    public string Yaml { get; set; } = "";

    [Parameter]
    public string? Name { get; set; }

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    private bool Busy { get; set; }

    private string? StoreError { get; set; }

    private async Task ImportAsync()
    {
        Busy = true;
        try
        {
            StoreError = null;
            var result = await Store.CreateAsync(User.Id, Yaml ?? "", Name, "imported");
            if (result.Succeeded)
            {
                Dialog.Close(DialogResult.Ok(result.Value));
                return;
            }

            Problems = result.Problems;
        }
        catch (StoreFullException full)
        {
            StoreError = full.Message;
        }
        finally
        {
            Busy = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
