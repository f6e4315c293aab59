using Microsoft.AspNetCore.Components;
using NetLab.Web.Agent;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Grading;

/// <summary>The lab page's "Check my work" button and the grade it got (<see cref="LabGrading"/>).</summary>
public sealed partial class CheckMyWork : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private long? _explanationsOf;

    [Inject]
    private LabGrading Grading { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private GradeExplanations Explanations { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The lab has saved checks.</summary>
    [Parameter]
    public bool HasChecks { get; set; }

    private bool Running { get; set; }

    /// <summary>The lab is the signed-in student's copy of an assignment that does not explain failed checks.</summary>
    private bool ExplanationsHidden { get; set; }

    private GradingOutcome? Outcome { get; set; }

    /// <summary>Why the button is disabled, in words; null when it is not.</summary>
    private string? Blocked =>
        Lab.AppliedRevision is null ? "Apply the lab first: grading checks what the kernel holds."
        : !HasChecks ? "The lab has no checks yet: write or generate them in the Checks tab, and save them."
        : null;

    protected override async Task OnParametersSetAsync()
    {
        // The page passes its lab again on every render (an edit, a save): the store is asked once per lab.
        if (_explanationsOf != Lab.Id)
        {
            ExplanationsHidden = await Explanations.HiddenAsync(User.Id, Lab.Id);
            _explanationsOf = Lab.Id;
        }
    }

    private async Task GradeAsync()
    {
        Running = true;
        Outcome = null;
        try
        {
            Outcome = await Grading.GradeAsync(User.Id, Lab.Id, _disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page went away; nobody is left to show the grade to.
        }
        finally
        {
            Running = false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
