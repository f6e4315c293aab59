using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls;

/// <summary>The Lab page's Apply, Destroy and "reset to the applied revision" buttons.</summary>
public sealed partial class LabRunControls
{
    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The name the kernel knows the lab by (its applied revision's YAML <c>name</c>): what Destroy sends, never the store's name.</summary>
    [Parameter, EditorRequired]
    public string KernelLab { get; set; } = "";

    /// <summary>The current revision's YAML: what Apply sends.</summary>
    [Parameter, EditorRequired]
    public string CurrentYaml { get; set; } = "";

    [Parameter]
    public bool HasUnsavedChanges { get; set; }

    /// <summary>The agent ran an apply or destroy (successful or not): the store and the kernel may have changed.</summary>
    [Parameter]
    public EventCallback<ApplyResult> OnRan { get; set; }

    /// <summary>The current revision changed (reset to the applied one).</summary>
    [Parameter]
    public EventCallback OnReset { get; set; }

    private static readonly DialogOptions RunDialogOptions = new()
    {
        MaxWidth = MaxWidth.Large,
        FullWidth = true,
        BackdropClick = false,
        CloseOnEscapeKey = false,
    };

    private Task ApplyAsync() => ShowAsync(LabRunKind.Apply, $"Apply revision {Lab.CurrentRevision} of {Lab.Name}");

    private Task DestroyAsync() => ShowAsync(LabRunKind.Destroy, $"Destroy {Lab.Name}");

    private async Task ShowAsync(LabRunKind kind, string title)
    {
        var parameters = new DialogParameters<ApplyDialog>
        {
            { d => d.Kind, kind },
            { d => d.LabId, Lab.Id },
            { d => d.LabName, Lab.Name },
            { d => d.KernelLab, KernelLab },
            { d => d.Revision, Lab.CurrentRevision ?? 0 },
            { d => d.Yaml, CurrentYaml },
        };
        var dialog = await Dialogs.ShowAsync<ApplyDialog>(title, parameters, RunDialogOptions);
        if (await dialog.Result is { Canceled: false, Data: ApplyResult result })
        {
            await OnRan.InvokeAsync(result);
        }
    }

    private async Task ResetToAppliedAsync()
    {
        LabRevision? reset;
        try
        {
            reset = await Store.ResetToAppliedAsync(User.Id, Lab.Id);
        }
        catch (StoreFullException full)
        {
            Snackbar.Add(full.Message, Severity.Error, options => options.RequireInteraction = true);
            return;
        }

        if (reset is not null)
        {
            await OnReset.InvokeAsync();
        }
    }
}
