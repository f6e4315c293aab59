using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Runs;

/// <summary>The Lab page's "Run experiment" and "History" buttons (the page's only hook into runs).</summary>
public sealed partial class RunExperimentControl
{
    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The current revision's YAML: what the run applies.</summary>
    [Parameter, EditorRequired]
    public string CurrentYaml { get; set; } = "";

    [Parameter]
    public bool HasUnsavedChanges { get; set; }

    /// <summary>A run finished (or the dialog closed while it goes on): the applied revision may have changed.</summary>
    [Parameter]
    public EventCallback OnRan { get; set; }

    private static readonly DialogOptions Options = new()
    {
        MaxWidth = MaxWidth.Medium,
        FullWidth = true,
        BackdropClick = false,
    };

    private async Task OpenAsync()
    {
        var parameters = new DialogParameters<RunExperimentDialog>
        {
            { d => d.Lab, Lab },
            { d => d.Yaml, CurrentYaml },
        };
        var dialog = await Dialogs.ShowAsync<RunExperimentDialog>($"Run an experiment on {Lab.Name}", parameters, Options);
        await dialog.Result;
        await OnRan.InvokeAsync();
    }
}
