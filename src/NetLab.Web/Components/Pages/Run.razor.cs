using Microsoft.AspNetCore.Components;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>
/// One run replayed: the timeline and scrubber, the lab's state at the chosen moment (recorded events folded as the live
/// panel folds them), the connectivity check of that moment, what happened just before it, and the captures.
/// Opens at the end of the run.
/// </summary>
public sealed partial class Run : IDisposable
{
    /// <summary>How many entries up to the moment the side list shows.</summary>
    public const int RecentCount = 12;

    private readonly CancellationTokenSource _disposed = new();

    [Inject]
    private RunStore Store { get; set; } = default!;

    [Inject]
    private LabReaders Readers { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private ExperimentRunner Runner { get; set; } = default!;

    [Inject]
    private GradeExplanations Explanations { get; set; } = default!;

    [Parameter]
    public long RunId { get; set; }

    internal RunReplay? Replay { get; private set; }

    internal long Position { get; private set; }

    internal ReplayMoment Moment { get; private set; } = new(0, 0, [], null, null, null, null, null);

    private bool StillRunning { get; set; }

    /// <summary>The run is of the signed-in student's copy of an assignment that does not explain failed checks.</summary>
    private bool ExplanationsHidden { get; set; }

    private IReadOnlyList<RunEntry> RecentEntries { get; set; } = [];

    /// <summary>How the signed-in user reads the run's lab (<see cref="LabReaders"/>): its owner, or a student's instructor.</summary>
    private LabReading? Reading { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        Reading = await Readers.ReadRunAsync(User, RunId);
        Replay = Reading is { } reading ? await RunReplay.LoadAsync(Store, reading.OwnerId, RunId) : null;
        if (Replay is null)
        {
            return;
        }

        ExplanationsHidden = await Explanations.HiddenAsync(User.Id, Replay.Run.Summary.LabId);
        SeekTo(Replay.DurationMilliseconds);
        if (Runner.Active(RunId) is { } active)
        {
            StillRunning = true;
            _ = ReloadWhenDoneAsync(active);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    internal void SeekTo(long position)
    {
        if (Replay is null)
        {
            return;
        }

        Show(Replay, Replay.At(position));
    }

    /// <summary>One entry back or forward (<paramref name="step"/> -1 or 1), even within one millisecond.</summary>
    internal void StepEntries(int step)
    {
        if (Replay is not null)
        {
            Show(Replay, Replay.AfterEntries(Moment.EntryCount + step));
        }
    }

    private void Show(RunReplay replay, ReplayMoment moment)
    {
        Moment = moment;
        Position = Moment.OffsetMilliseconds;
        var first = Math.Max(0, Moment.EntryCount - RecentCount);
        RecentEntries = [.. replay.Entries.Skip(first).Take(Moment.EntryCount - first).Reverse()];
    }

    private void SeekToEntry(RunEntry entry)
    {
        if (Replay is not null)
        {
            SeekTo((long)(entry.At - Replay.Start).TotalMilliseconds);
        }
    }

    private async Task ReloadWhenDoneAsync(ExperimentRun active)
    {
        await active.Completion.WaitAsync(_disposed.Token).ConfigureAwait(false);
        await InvokeAsync(async () =>
        {
            StillRunning = false;
            Replay = Reading is { } reading ? await RunReplay.LoadAsync(Store, reading.OwnerId, RunId) : null;
            if (Replay is not null)
            {
                SeekTo(Replay.DurationMilliseconds);
            }

            StateHasChanged();
        });
    }
}
