using System.Collections.Immutable;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>An interface to capture on during a run: a lab element (host, namespace or switch) and one of its interfaces.</summary>
public sealed record CaptureTarget(string Element, string Interface);

/// <summary>What "Run experiment" does besides apply and the connectivity check.</summary>
public sealed record ExperimentOptions(string Title = "", string Notes = "", IReadOnlyList<CaptureTarget>? Captures = null, int ProbeTimeoutMilliseconds = 1000)
{
    /// <summary>How long to wait after the apply for a snapshot of every lab element (the agent resubscribes within a second).</summary>
    public TimeSpan SnapshotWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for every capture to be armed before the check, so that its pings are captured.</summary>
    public TimeSpan CaptureArmWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Captures go on this long after the check, for late replies.</summary>
    public TimeSpan CaptureLinger { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The step a run is at.</summary>
public enum ExperimentPhase
{
    Applying,
    WaitingForState,
    ArmingCaptures,
    Probing,
    Finishing,
    Done,
}

/// <summary>
/// A run in progress as its dialog shows it. It changes only from entries the recorder has committed (and frames once
/// committed), so whatever it shows is already in the database.
/// </summary>
public sealed class ExperimentRun
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<RunSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableDictionary<int, int> _frames = ImmutableDictionary<int, int>.Empty;
    private ImmutableHashSet<string> _snapshots = ImmutableHashSet<string>.Empty;
    private ImmutableList<string> _messages = [];

    internal ExperimentRun(RunSummary run) => Run = run;

    public RunSummary Run { get; private set; }

    public ExperimentPhase Phase { get; private set; } = ExperimentPhase.Applying;

    /// <summary>The last operation progress committed (its index and the plan's total), null before the first.</summary>
    public OperationProgress? LastOperation { get; private set; }

    public ApplyResult? Applied { get; private set; }

    public int EventCount { get; private set; }

    public ProbeReport? Probe { get; private set; }

    /// <summary>Committed frames per capture number.</summary>
    public IReadOnlyDictionary<int, int> Frames => _frames;

    public IReadOnlyList<RunCaptureInfo> Captures { get; private set; } = [];

    /// <summary>Failures and notes of the run in order (an unreachable agent, a capture the agent refused, ...).</summary>
    public IReadOnlyList<string> Messages => _messages;

    public RunStatus Status { get; private set; } = RunStatus.Running;

    /// <summary>Raised on the recorder's thread after each committed batch; listeners throttle and marshal.</summary>
    public event Action? Changed;

    /// <summary>The run as stored when it finished.</summary>
    public Task<RunSummary> Completion => _completion.Task;

    internal void SetPhase(ExperimentPhase phase)
    {
        Phase = phase;
        Changed?.Invoke();
    }

    internal bool HasSnapshotsOf(IEnumerable<string> elements) => elements.All(_snapshots.Contains);

    internal void OnCommitted(IReadOnlyList<RunEntry> entries)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                switch (entry.Kind)
                {
                    case RunEntryKind.Operation:
                        LastOperation = entry.Operation;
                        break;
                    case RunEntryKind.Applied:
                        Applied = entry.Applied;
                        break;
                    case RunEntryKind.Event:
                        EventCount++;
                        if (entry.Event is { Kind: LabEventKind.Snapshot } snapshot)
                        {
                            _snapshots = _snapshots.Add(snapshot.Element);
                        }

                        break;
                    case RunEntryKind.Probe:
                        Probe = entry.Probe;
                        break;
                    case RunEntryKind.CaptureStarted when entry.Capture is { } capture:
                        Captures = [.. Captures, capture];
                        _frames = _frames.SetItem(capture.Number, 0);
                        break;
                    case RunEntryKind.Status:
                        Status = entry.Status ?? Status;
                        break;
                }

                if (entry.Message is { } message && entry.Kind is RunEntryKind.Status or RunEntryKind.CaptureEnded)
                {
                    _messages = _messages.Add(message);
                }
            }
        }

        Changed?.Invoke();
    }

    internal void OnFrameCommitted(int capture)
    {
        lock (_gate)
        {
            _frames = _frames.SetItem(capture, _frames.GetValueOrDefault(capture) + 1);
        }

        Changed?.Invoke();
    }

    /// <summary>The recorder gave up: the run failed, and says why (its last entries may not be in the store).</summary>
    internal void RecordingFailed(string message)
    {
        lock (_gate)
        {
            Status = RunStatus.Failed;
            if (!_messages.Contains(message))
            {
                _messages = _messages.Add(message);
            }
        }
    }

    internal void Complete(RunSummary stored)
    {
        Run = stored;
        Phase = ExperimentPhase.Done;
        Changed?.Invoke();
        _completion.TrySetResult(stored);
    }
}
