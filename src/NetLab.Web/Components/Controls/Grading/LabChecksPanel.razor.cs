using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Core.Formats;
using NetLab.Core.Grading;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Grading;

/// <summary>The lab page's Checks tab: the checks' text, "Generate from predictions", and save.</summary>
public sealed partial class LabChecksPanel
{
    /// <summary>
    /// As for the lab's YAML (<see cref="LabTextLimit"/>): one character past the largest checks text the reader takes,
    /// so a browser never cuts a paste silently and a longer text reaches the store, which refuses it naming the limit.
    /// </summary>
    public const int EditorMaxLength = ChecksFormat.MaxDocumentBytes + 1;

    private LabChecks? _shown;

    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The lab as it is in the editor: checks are generated from its predictions and checked against it as typed.</summary>
    [Parameter, EditorRequired]
    public LabDraft Draft { get; set; } = LabDraft.Of("", "");

    /// <summary>The checks as stored; the editor takes them up whenever it holds no unsaved edit of its own.</summary>
    [Parameter, EditorRequired]
    public LabChecks? Saved { get; set; }

    /// <summary>The lab's YAML has unsaved edits: the store checks checks against the saved revision, so they wait.</summary>
    [Parameter]
    public bool HasUnsavedChanges { get; set; }

    [Parameter]
    public EventCallback<LabChecks> OnSaved { get; set; }

    private string Text { get; set; } = "";

    private string SavedText => Saved?.Text ?? "";

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    private int CheckCount { get; set; }

    private string? StoreError { get; set; }

    private LabDraft? _checkedAgainst;

    private bool CanSave => !HasUnsavedChanges && Problems.Count == 0 && Text != SavedText;

    protected override void OnParametersSet()
    {
        if (Saved != _shown)
        {
            if (Text == (_shown?.Text ?? ""))
            {
                Text = SavedText;
            }

            _shown = Saved;
            Validate();
        }
        else if (!ReferenceEquals(_checkedAgainst, Draft))
        {
            Validate();
        }
    }

    private void Edit(string? text)
    {
        Text = text ?? "";
        Validate();
    }

    /// <summary>The problems the store would refuse the text for, against the lab in the editor (the file's own when the lab is not valid).</summary>
    private void Validate()
    {
        _checkedAgainst = Draft;
        if (Text.Trim().Length == 0)
        {
            (Problems, CheckCount) = ([], 0);
            return;
        }

        var loaded = Draft is { IsValid: true, Lab: { } lab } ? ChecksFormat.LoadAndValidate(Text, LabFileFormat.Yaml, lab) : ChecksFormat.LoadYaml(Text);
        Problems = loaded.Problems;
        CheckCount = loaded.Document?.Checks.Count ?? 0;
    }

    private async Task GenerateAsync()
    {
        if (Draft is not { IsValid: true, Lab: { } lab })
        {
            return;
        }

        var generated = ChecksFormat.ToYaml(CheckGenerator.DocumentFor(lab));
        if (Text.Trim().Length > 0 && Text != generated)
        {
            var replace = await Dialogs.ShowMessageBox(
                "Replace the checks?",
                "Generating replaces the checks in the editor with the ones NetLab predicts for the lab in the editor. " +
                "Your edits of the checks are lost from the editor; the saved checks stay until you save.",
                yesText: "Replace", cancelText: "Keep mine");
            if (replace != true)
            {
                return;
            }
        }

        Edit(generated);
    }

    private async Task SaveAsync()
    {
        StoreError = null;
        StoreResult<LabChecks> result;
        try
        {
            result = await Store.SaveChecksAsync(User.Id, Lab.Id, Text);
        }
        catch (StoreFullException full)
        {
            StoreError = full.Message;
            return;
        }

        if (!result.Succeeded)
        {
            Problems = result.Problems;
            return;
        }

        // Taken as shown, so the editor keeps its text and the next parameters do not count it as news.
        _shown = result.Value;
        Text = result.Value!.Text;
        Snackbar.Add(Text.Length == 0 ? "Removed the checks" : "Saved the checks", Severity.Success);
        await OnSaved.InvokeAsync(result.Value);
    }
}
