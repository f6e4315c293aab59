using NetLab.Web.Agent;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>One lab: its YAML with the validator's problems, and its revisions with save, undo and redo.</summary>
public sealed partial class Lab
{
    [Inject]
    private LabStore Store { get; set; } = default!;

    [Inject]
    private LabReaders Readers { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private NetLab.Web.Courses.GradeExplanations Explanations { get; set; } = default!;

    /// <summary>The signed-in student's copy of an assignment that does not explain failed checks (the matrix leaves them out too).</summary>
    private bool ExplanationsHidden { get; set; }

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Parameter]
    public long LabId { get; set; }

    private LabSummary? Summary { get; set; }

    /// <summary>How the signed-in user reads this lab (<see cref="LabReaders"/>): its owner, or a student's instructor.</summary>
    private LabReading? Reading { get; set; }

    /// <summary>
    /// An instructor reading a student's copy: the page shows the lab, its revisions, checks and live state, and no
    /// control that writes (edit, save, undo, apply, destroy, run, check, submit, capture). The store's writes take the
    /// signed-in user's id and would refuse anyway; hiding them says so before a click.
    /// </summary>
    private bool ReadOnly => Reading is { IsOwner: false };

    /// <summary>The lab's owner: whom its revisions and checks are read for.</summary>
    private long OwnerId => Reading?.OwnerId ?? User.Id;

    private IReadOnlyList<LabRevision> Revisions { get; set; } = [];

    private string Yaml { get; set; } = "";

    private string Note { get; set; } = "";

    /// <summary>The edit buffer read once per edit; the panels get it (or <see cref="Current"/>) rather than the YAML to parse.</summary>
    private LabDraft Draft { get; set; } = LabDraft.Of("", "");

    /// <summary>The current revision, read once per reload.</summary>
    private LabDraft Current { get; set; } = LabDraft.Of("", "");

    /// <summary>The revision the experiments predict from: the applied one, else the current one.</summary>
    private LabDraft Experiment { get; set; } = LabDraft.Of("", "");

    /// <summary>
    /// The kernel lab of this lab and its owner (<see cref="KernelLabs.OfAsync"/>): its own kernel name, fixed when it was
    /// made (or, for a lab applied before that, the old name the kernel still holds it by). The connectivity check, the
    /// live panels and captures name the lab to the agent by it, acting for the owner; null until the lab is read.
    /// </summary>
    private OwnedKernelLab? KernelLab { get; set; }

    /// <summary>How to find the lab's namespaces on the server: the agent names each <c>PREFIX KERNELNAME.ELEMENT</c>.</summary>
    internal static string KernelNameTooltip(string kernelName) =>
        $"The kernel knows this lab as {kernelName}: each of its namespaces is named nl-{kernelName}.<element> " +
        $"(nl- is the agent's default prefix). On the server, list them with: ip netns list | grep -F '{kernelName}.'";

    private int? ExperimentRevision { get; set; }

    private bool ExperimentApplied { get; set; }

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    /// <summary>The lab's saved checks (the Checks tab edits them, "Check my work" grades with them).</summary>
    private LabChecks? Checks { get; set; }

    private bool CanUndo { get; set; }

    private bool CanRedo { get; set; }

    private bool CanSave => !ReadOnly && Problems.Count == 0 && Yaml != CurrentYaml;

    private string CurrentYaml { get; set; } = "";

    /// <summary>Undo/redo of unsaved edits (typed or drawn); the store's undo takes over when it is empty.</summary>
    private readonly EditHistory _edits = new();

    protected override Task OnParametersSetAsync() => ReloadAsync(loadCurrent: true);

    private async Task ReloadAsync(bool loadCurrent)
    {
        Reading = await Readers.ReadLabAsync(User, LabId);
        Summary = Reading?.Lab;
        if (Summary is null)
        {
            return;
        }

        ExplanationsHidden = await Explanations.HiddenAsync(User.Id, LabId);
        Revisions = await Store.ListRevisionsAsync(OwnerId, LabId);
        Checks = await Store.GetChecksAsync(OwnerId, LabId);
        CurrentYaml = (await Store.GetCurrentRevisionAsync(OwnerId, LabId))?.Yaml ?? "";
        KernelLab = await KernelLabs.OfAsync(Store, Summary);
        if (Current.Text != CurrentYaml || Current.Name.Length == 0)
        {
            Current = LabDraft.Of(CurrentYaml, Summary.Name);
        }

        var applied = Revisions.FirstOrDefault(r => r.Number == Summary.AppliedRevision);
        (ExperimentRevision, ExperimentApplied) = (applied?.Number ?? Summary.CurrentRevision, applied is not null);
        Experiment = applied is null ? Current : applied.Yaml == Experiment.Text ? Experiment : LabDraft.Of(applied.Yaml, Summary.Name);
        CanUndo = !ReadOnly && await Store.CanUndoAsync(User.Id, LabId);
        CanRedo = !ReadOnly && await Store.CanRedoAsync(User.Id, LabId);
        if (loadCurrent)
        {
            _edits.Clear();
            OnYamlChanged(CurrentYaml);
        }
    }

    private void OnYamlChanged(string? yaml)
    {
        Yaml = yaml ?? "";
        Draft = Yaml == Current.Text ? Current : LabDraft.Of(Yaml, Summary?.Name ?? "");
        Problems = Draft.Problems;
    }

    /// <summary>An edit of the buffer by the student (typed, drawn, or a revision loaded into it): undoable.</summary>
    private void EditYaml(string? yaml)
    {
        if (ReadOnly)
        {
            // A drag on the canvas of a lab read-only changes nothing.
            return;
        }

        if ((yaml ?? "") != Yaml)
        {
            _edits.Record(Yaml);
        }

        OnYamlChanged(yaml);
    }

    private Task UndoEditAsync()
    {
        if (_edits.Undo(Yaml) is { } before)
        {
            OnYamlChanged(before);
            return Task.CompletedTask;
        }

        return UndoAsync();
    }

    private Task RedoEditAsync()
    {
        if (_edits.Redo(Yaml) is { } after)
        {
            OnYamlChanged(after);
            return Task.CompletedTask;
        }

        return RedoAsync();
    }

    // Read-only, a revision is shown rather than loaded as an edit.
    private void Show(LabRevision revision)
    {
        if (ReadOnly)
        {
            OnYamlChanged(revision.Yaml);
            return;
        }

        EditYaml(revision.Yaml);
    }

    /// <summary>A write the store could not make (its disk is full); the edits stay in the editor.</summary>
    private string? StoreError { get; set; }

    /// <summary>Runs a store write; a full disk is said on the page (the edits stay), not a broken circuit.</summary>
    private async Task<T?> WriteAsync<T>(Func<Task<T?>> write)
        where T : class
    {
        StoreError = null;
        try
        {
            return await write();
        }
        catch (StoreFullException full)
        {
            StoreError = full.Message;
            return null;
        }
    }

    private async Task SaveAsync()
    {
        if (await WriteAsync<StoreResult<LabRevision>>(async () => await Store.SaveRevisionAsync(User.Id, LabId, Yaml, Note.Trim())) is not { } result)
        {
            return;
        }

        if (!result.Succeeded)
        {
            Problems = result.Problems;
            return;
        }

        Note = "";
        Snackbar.Add($"Saved revision {result.Value!.Number}", Severity.Success);
        await ReloadAsync(loadCurrent: true);
    }

    private async Task UndoAsync()
    {
        if (await WriteAsync(() => Store.UndoAsync(User.Id, LabId)) is not null)
        {
            await ReloadAsync(loadCurrent: true);
        }
    }

    private async Task RedoAsync()
    {
        if (await WriteAsync(() => Store.RedoAsync(User.Id, LabId)) is not null)
        {
            await ReloadAsync(loadCurrent: true);
        }
    }

    /// <summary>The last apply or destroy of this page; a failure is shown above the YAML, naming its lab element.</summary>
    private ApplyResult? LastRun { get; set; }

    private async Task OnRanAsync(ApplyResult result)
    {
        LastRun = result;
        await ReloadAsync(loadCurrent: false);
    }
}
