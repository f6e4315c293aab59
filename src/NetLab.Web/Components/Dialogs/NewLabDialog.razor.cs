using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Dialogs;

/// <summary>Creates a lab, blank or from one of the example labs.</summary>
public sealed partial class NewLabDialog
{
    private const string BlankTemplate = "";

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private LabTemplates Templates { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter]
    public string TemplateName { get; set; } = BlankTemplate;

    [Parameter]
    public string? Name { get; set; }

    private LabTemplate? SelectedTemplate => Templates.Named(TemplateName);

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    private string? StoreError { get; set; }

    private async Task CreateAsync()
    {
        StoreResult<LabSummary> result;
        try
        {
            StoreError = null;
            result = SelectedTemplate is { } template
                ? await Store.CreateAsync(User.Id, template.Yaml, Name, template.CreatedNote)
                : await Store.CreateBlankAsync(User.Id, Name ?? "");
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
