using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>The user's labs: new (blank or from an example), import, export, rename, delete.</summary>
public sealed partial class Labs
{
    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private IReadOnlyList<LabSummary> LabList { get; set; } = [];

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync() => LabList = await Store.ListLabsAsync(User.Id);

    /// <summary>A new lab is made to be edited, so it opens at once; a canceled dialog leaves the list as it was.</summary>
    private async Task NewLabAsync()
    {
        var dialog = await Dialogs.ShowAsync<NewLabDialog>("New lab", Options);
        if (await dialog.Result is { Canceled: false, Data: LabSummary lab })
        {
            Snackbar.Add($"Created {lab.Name}", Severity.Success);
            Navigation.NavigateTo($"labs/{lab.Id}");
        }
    }

    private async Task ImportAsync()
    {
        var dialog = await Dialogs.ShowAsync<ImportLabDialog>("Import a lab file", Options);
        await AfterDialogAsync(dialog, lab => $"Imported {lab.Name}");
    }

    private async Task RenameAsync(LabSummary lab)
    {
        var parameters = new DialogParameters<RenameLabDialog> { { d => d.LabId, lab.Id }, { d => d.Name, lab.Name } };
        var dialog = await Dialogs.ShowAsync<RenameLabDialog>($"Rename {lab.Name}", parameters, Options);
        await AfterDialogAsync(dialog, renamed => $"Renamed {lab.Name} to {renamed.Name}");
    }

    /// <summary>The dialog says what goes (the applied kernel lab, the recorded runs) and does the delete itself.</summary>
    private async Task DeleteAsync(LabSummary lab)
    {
        var parameters = new DialogParameters<DeleteLabDialog> { { d => d.LabId, lab.Id } };
        var dialog = await Dialogs.ShowAsync<DeleteLabDialog>($"Delete {lab.Name}", parameters, Options);
        await AfterDialogAsync(dialog, deleted => $"Deleted {deleted.Name}");
    }

    private async Task AfterDialogAsync(IDialogReference dialog, Func<LabSummary, string> message)
    {
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: LabSummary lab })
        {
            Snackbar.Add(message(lab), Severity.Success);
        }

        await ReloadAsync();
    }

    private static DialogOptions Options => new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };
}
