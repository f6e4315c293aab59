using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Dialogs;

public enum LabRunKind
{
    Apply,
    Destroy,
}

/// <summary>
/// Apply: the plan first (operations, iproute2 commands, kinds this kernel lacks), then the run with progress per
/// operation. Destroy: a confirmation, then the same progress. Closes with the <see cref="ApplyResult"/> when the agent
/// ran something, so the page can show where a failure came from.
/// </summary>
public sealed partial class ApplyDialog : IDisposable
{
    /// <summary>Progress arrives per operation (often sub-millisecond): render at most this often.</summary>
    internal static readonly TimeSpan RenderInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<OperationProgress> _pendingProgress = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _renderScheduled;

    private enum Step
    {
        Planning,
        Review,
        Running,
        Finished,
    }

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private LabApplication Application { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Parameter]
    public LabRunKind Kind { get; set; } = LabRunKind.Apply;

    [Parameter, EditorRequired]
    public long LabId { get; set; }

    /// <summary>The lab's name in the store, for the user to read.</summary>
    [Parameter, EditorRequired]
    public string LabName { get; set; } = "";

    /// <summary>The name the kernel knows the lab by (<see cref="KernelLabs.OfAsync"/>), for the user to read.</summary>
    [Parameter]
    public string KernelLab { get; set; } = "";

    /// <summary>The revision being applied; marked applied in the store when the apply succeeds.</summary>
    [Parameter]
    public int Revision { get; set; }

    [Parameter]
    public string Yaml { get; set; } = "";

    private Step CurrentStep { get; set; } = Step.Planning;

    private PlanView? Plan { get; set; }

    private string? Error { get; set; }

    private IReadOnlyList<Problem> Problems { get; set; } = [];

    private SortedDictionary<int, OperationRow> Rows { get; } = [];

    private int Total { get; set; }

    private int Completed => Rows.Values.Count(r => r.Status is OperationStatus.Done);

    private ApplyResult? Result { get; set; }

    private bool MarkedApplied { get; set; }

    /// <summary>The store could not record what the agent did (its disk is full): what happened and what to do.</summary>
    private string? StoreError { get; set; }

    private string Verb => Kind == LabRunKind.Apply ? "Apply" : "Destroy";

    protected override async Task OnInitializedAsync()
    {
        if (Kind == LabRunKind.Destroy)
        {
            CurrentStep = Step.Review;
            return;
        }

        var outcome = await Application.PlanAsync(User.Id, LabId, Yaml, _disposed.Token);
        (Plan, Error, Problems) = (outcome.Value, outcome.Error, outcome.Problems);
        CurrentStep = Step.Review;
    }

    private async Task RunAsync()
    {
        CurrentStep = Step.Running;
        (Error, Problems) = (null, []);
        Rows.Clear();
        foreach (var operation in Plan?.Operations ?? [])
        {
            Rows[operation.Index] = new OperationRow(operation);
        }

        Total = Rows.Count;
        // Not the circuit's token: an apply the user started runs to its end (the agent would finish it anyway).
        var outcome = Kind == LabRunKind.Apply
            ? await Application.ApplyAsync(User.Id, LabId, Revision, Yaml, OnProgress, CancellationToken.None)
            : await Application.DestroyAsync(User.Id, LabId, OnProgress, CancellationToken.None);
        ApplyPendingProgress();
        (Result, Error, Problems) = (outcome.Agent.Value, outcome.Agent.Error, outcome.Agent.Problems);
        MarkedApplied = outcome.Recorded;
        StoreError = outcome.StoreError;

        CurrentStep = Step.Finished;
    }

    private void OnProgress(OperationProgress progress)
    {
        _pendingProgress.Enqueue(progress);
        if (Interlocked.Exchange(ref _renderScheduled, 1) == 0)
        {
            _ = RenderSoonAsync();
        }
    }

    private async Task RenderSoonAsync()
    {
        try
        {
            await Task.Delay(RenderInterval, _disposed.Token);
            await InvokeAsync(() =>
            {
                Volatile.Write(ref _renderScheduled, 0);
                ApplyPendingProgress();
                StateHasChanged();
            });
        }
        catch (OperationCanceledException)
        {
            // The dialog closed: nothing left to render.
        }
    }

    // Only on the renderer's thread: the rows are the component's state.
    private void ApplyPendingProgress()
    {
        while (_pendingProgress.TryDequeue(out var progress))
        {
            Total = progress.Total;
            if (!Rows.TryGetValue(progress.Index, out var row))
            {
                row = Rows[progress.Index] = new OperationRow(progress.Operation);
            }

            row.Operation = progress.Operation;
            row.Status = progress.Status;
            row.Milliseconds = progress.Milliseconds;
            row.Error = progress.Error;
        }
    }

    private bool IsFailed(OperationRow row) =>
        row.Status is OperationStatus.Failed || (Result?.Failure is { } failure && failure.Operation.Index == row.Operation.Index);

    private static string IconOf(OperationStatus? status) => status switch
    {
        OperationStatus.Started => Icons.Material.Filled.HourglassTop,
        OperationStatus.Done => Icons.Material.Filled.CheckCircle,
        OperationStatus.Failed => Icons.Material.Filled.Error,
        OperationStatus.RolledBack => Icons.Material.Filled.Undo,
        _ => Icons.Material.Outlined.Circle,
    };

    private static Color ColorOf(OperationStatus? status) => status switch
    {
        OperationStatus.Done => Color.Success,
        OperationStatus.Failed => Color.Error,
        OperationStatus.RolledBack => Color.Warning,
        _ => Color.Default,
    };

    private static string StatusText(OperationStatus? status) => status switch
    {
        OperationStatus.Started => "running",
        OperationStatus.Done => "done",
        OperationStatus.Failed => "failed",
        OperationStatus.RolledBack => "rolled back",
        _ => "waiting",
    };

    private void Cancel() => Dialog.Cancel();

    private void Close()
    {
        if (Result is null)
        {
            Dialog.Cancel();
        }
        else
        {
            Dialog.Close(DialogResult.Ok(Result));
        }
    }

    public void Dispose()
    {
        // Cancelled, not disposed: a render scheduled just before may still read the token.
        _disposed.Cancel();
    }

    private sealed class OperationRow(PlannedOperation operation)
    {
        public PlannedOperation Operation { get; set; } = operation;

        public OperationStatus? Status { get; set; }

        public double Milliseconds { get; set; }

        public string? Error { get; set; }
    }
}
