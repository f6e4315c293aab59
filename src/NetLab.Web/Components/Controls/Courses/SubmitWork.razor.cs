using Microsoft.AspNetCore.Components;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Controls.Courses;

/// <summary>The assignment a student's copy belongs to, and its hand-in.</summary>
public sealed partial class SubmitWork : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    private CourseStore Courses { get; set; } = default!;

    [Inject]
    private AssignmentSubmission Submission { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    private Assignment? Assignment { get; set; }

    private bool Running { get; set; }

    private SubmissionOutcome? Outcome { get; set; }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override async Task OnParametersSetAsync() => Assignment = await Courses.AssignmentOfLabAsync(User, Lab.Id);

    private async Task SubmitAsync()
    {
        Running = true;
        Outcome = null;
        try
        {
            Outcome = await Submission.SubmitAsync(User, Lab.Id, _disposed.Token);
        }
        finally
        {
            Running = false;
        }
    }
}
