using System.Collections.Concurrent;
using System.Threading.Channels;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// "Run experiment": apply a revision, record the lab's kernel events throughout, wait for its state, arm the chosen
/// captures, check connectivity, stop the captures, finish, each step recorded as it happens. A run belongs to the web,
/// not to the page that started it: closing the browser does not stop it, and a page can find it again by its id.
/// </summary>
public sealed partial class ExperimentRunner(
    RunStore store, LabApplication application, LiveLabs live, IAgentGateway agent, TimeProvider time, ILogger<ExperimentRunner> logger)
{
    private readonly ConcurrentDictionary<long, ExperimentRun> _active = new();

    /// <summary>Recorder batching, settable for benchmarks and tests.</summary>
    public RunRecorderOptions RecorderOptions { get; init; } = new();

    /// <summary>The run still going on under <paramref name="runId"/>, else null.</summary>
    public ExperimentRun? Active(long runId) => _active.GetValueOrDefault(runId);

    /// <summary>
    /// Stores the run (status running) and starts it in the background; returns at once with its progress. The YAML
    /// must be a stored revision's, so it is valid; the agent validates it again.
    /// </summary>
    public async Task<ExperimentRun> StartAsync(long ownerId, LabSummary lab, LabRevision revision, ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(options);
        var draft = LabDraft.Of(revision.Yaml, lab.Name);
        // The run applies the lab under its own kernel name (a legacy kernel lab is moved there first) and acts for its owner throughout.
        var kernelLab = KernelLabs.Own(lab);
        var summary = await store.CreateRunAsync(ownerId, lab.Id, revision.Number, revision.Yaml, kernelLab.Name, options.Title.Trim(), options.Notes.Trim());
        var run = new ExperimentRun(summary);
        _active[summary.Id] = run;
        var recorder = store.OpenRecorder(summary.Id, RecorderOptions);
        recorder.Committed += run.OnCommitted;
        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync(run, recorder, lab, revision, draft, kernelLab, options).ConfigureAwait(false);
            }
            finally
            {
                // The dialog learns of a run only from committed entries; a recorder that gave up (a full disk) may not
                // be able to mark its run failed, and goes on trying while it is disposed, so the run says it first.
                if (recorder.FailureReason is { } reason)
                {
                    run.RecordingFailed($"Recording stopped: {reason}");
                }

                await recorder.DisposeAsync().ConfigureAwait(false);
                _active.TryRemove(summary.Id, out _);
                var stored = (await store.GetRunAsync(ownerId, summary.Id).ConfigureAwait(false))?.Summary ?? run.Run;
                run.Complete(recorder.FailureReason is null ? stored : stored with { Status = RunStatus.Failed });
            }
        });
        return run;
    }

    private async Task RunAsync(ExperimentRun run, RunRecorder recorder, LabSummary lab, LabRevision revision, LabDraft draft, OwnedKernelLab kernelLab, ExperimentOptions options)
    {
        var yaml = draft.Text;
        using var watching = new CancellationTokenSource();
        using var capturing = new CancellationTokenSource();
        var watch = WatchAsync(recorder, kernelLab, watching.Token);
        var captures = new List<Task>();
        var status = RunStatus.Failed;
        var summary = "";
        try
        {
            await recorder.AppendAsync(RunEntryKind.Status, message: $"Run started: revision {run.Run.Revision} of {run.Run.LabName}", status: RunStatus.Running).ConfigureAwait(false);

            run.SetPhase(ExperimentPhase.Applying);
            // As the Apply button does (the same service): the lab page then shows which revision the kernel holds.
            var applied = await application.ApplyAsync(
                lab, revision.Number, yaml, progress => _ = recorder.AppendAsync(RunEntryKind.Operation, operation: progress)).ConfigureAwait(false);
            if (applied.Result is not { } result)
            {
                summary = $"Apply failed: {applied.Agent.Error}";
                return;
            }

            await recorder.AppendAsync(RunEntryKind.Applied, applied: result).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                summary = $"Apply failed: {result.Failure?.Message ?? "the agent gave no reason"}" + (result.RolledBack ? " (rolled back)" : "");
                return;
            }

            run.SetPhase(ExperimentPhase.WaitingForState);
            if (!await WaitUntilAsync(() => run.HasSnapshotsOf(Elements(draft)), options.SnapshotWait).ConfigureAwait(false))
            {
                await recorder.AppendAsync(RunEntryKind.Status, message: "The kernel's state of every lab element did not arrive in time; the replay may miss some of it.").ConfigureAwait(false);
            }

            var targets = options.Captures ?? [];
            if (targets.Count > 0)
            {
                run.SetPhase(ExperimentPhase.ArmingCaptures);
                var armed = new List<Task>();
                for (var i = 0; i < targets.Count; i++)
                {
                    var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    armed.Add(started.Task);
                    captures.Add(CaptureAsync(run, recorder, kernelLab, new RunCaptureInfo(i + 1, targets[i].Element, targets[i].Interface), started, capturing.Token));
                }

                await WaitUntilAsync(() => armed.TrueForAll(t => t.IsCompleted), options.CaptureArmWait).ConfigureAwait(false);
            }

            run.SetPhase(ExperimentPhase.Probing);
            using (var probeTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            {
                var probe = await agent.ProbeAsync(kernelLab, new ProbeRequest(options.ProbeTimeoutMilliseconds), probeTimeout.Token).ConfigureAwait(false);
                if (probe.Value is not { } report)
                {
                    summary = $"The connectivity check failed: {probe.Error}";
                    return;
                }

                await recorder.AppendAsync(RunEntryKind.Probe, probe: report).ConfigureAwait(false);
                status = RunStatus.Succeeded;
                summary = $"Run finished: {report.Results.Count(r => r.Replied)} of {report.Results.Count} pairs replied";
            }

            if (captures.Count > 0)
            {
                await Task.Delay(options.CaptureLinger, time).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            LogRunFailed(logger, run.Run.Id, error);
            status = RunStatus.Failed;
            summary = $"The run stopped: {error.Message}";
        }
        finally
        {
            run.SetPhase(ExperimentPhase.Finishing);
            await capturing.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(captures).ConfigureAwait(false);
            await watching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
            try
            {
                await recorder.FinishAsync(status, summary).ConfigureAwait(false);
            }
            catch (InvalidOperationException error) when (recorder.FailureReason is not null)
            {
                // The recorder gave up and has marked the run failed with its reason itself.
                LogRecorderGaveUp(logger, run.Run.Id, recorder.FailureReason, error);
            }
        }
    }

    /// <summary>
    /// Every kernel event of the lab while the run lasts, from the lab's shared live state (the page showing the run
    /// watches the same lab: one agent stream for both); it starts with a snapshot of what the state holds now.
    /// </summary>
    private async Task WatchAsync(RunRecorder recorder, OwnedKernelLab kernelLab, CancellationToken cancellationToken)
    {
        using var lease = live.Watch(kernelLab);
        // The state's listener only queues (it runs under the state's lock); the recorder is fed here, in order.
        var changes = Channel.CreateUnbounded<LabEvent>(new UnboundedChannelOptions { SingleReader = true });
        var (current, listening) = lease.State.Listen(change => changes.Writer.TryWrite(change), time.GetUtcNow());
        using (listening)
        {
            try
            {
                foreach (var change in current)
                {
                    _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: change);
                }

                await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Not awaited one by one: a burst of events is committed in a few batches, and the dialog shows
                    // each as its batch commits.
                    _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: change);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The run ended.
            }
        }
    }

    private async Task CaptureAsync(
        ExperimentRun run, RunRecorder recorder, OwnedKernelLab kernelLab, RunCaptureInfo capture, TaskCompletionSource armed, CancellationToken cancellationToken)
    {
        var started = false;
        string? ended = null;
        try
        {
            await foreach (var item in agent.CaptureAsync(kernelLab, new CaptureRequest(capture.Element, capture.Interface), cancellationToken).ConfigureAwait(false))
            {
                if (item.Started is { } request && !started)
                {
                    started = true;
                    await recorder.CaptureStartedAsync(capture, request.SnapLength).ConfigureAwait(false);
                    armed.TrySetResult();
                }
                else if (item.Frame is { } frame && started)
                {
                    _ = recorder.AppendFrameAsync(capture.Number, frame).ContinueWith(
                        committed => { if (committed.IsCompletedSuccessfully) { run.OnFrameCommitted(capture.Number); } },
                        CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
                else if (item.Error is { Code: AgentErrorCodes.Busy } busy && !started)
                {
                    ended = BusyMessage(capture, busy);
                    break;
                }
                else if (item.Error is { } error)
                {
                    ended = $"Capture on {capture.Element}/{capture.Interface} failed: {error.Message}";
                    break;
                }
                else if (item.Ended is { } reason)
                {
                    ended = $"Capture on {capture.Element}/{capture.Interface} ended: {reason}";
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run stopped the capture: the normal end.
        }
        catch (Exception error)
        {
            ended = $"Capture on {capture.Element}/{capture.Interface} failed: {error.Message}";
        }
        finally
        {
            armed.TrySetResult();
        }

        try
        {
            if (started)
            {
                await recorder.CaptureEndedAsync(capture, ended).ConfigureAwait(false);
            }
            else
            {
                await recorder.AppendAsync(RunEntryKind.Status, message: ended ?? $"Capture on {capture.Element}/{capture.Interface} never started.").ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException) when (recorder.FailureReason is not null)
        {
            // The recorder gave up; the run's finish reports it.
        }
    }

    /// <summary>
    /// The agent refused the capture at one of its limits (429 busy): the lab's captures (the run's, and the Lab page's
    /// on the same lab) or the agent's. Not a failure of the run, which goes on without it; the message says which
    /// capture is missing from the record and how to have it next time, after the agent's own words on the limit.
    /// </summary>
    internal static string BusyMessage(RunCaptureInfo capture, AgentError busy) =>
        $"Capture on {capture.Element}/{capture.Interface} was not started: the agent is at its capture limit. {busy.Message} "
        + $"The run went on without this capture, so its replay has no frames of {capture.Element}/{capture.Interface}. "
        + $"To capture it, choose at most {CaptureRequest.DefaultMaxPerLab} captures per run and stop the lab's other captures (the Lab page's Capture panel) before the run.";

    private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (!condition())
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The lab elements the agent reports namespaces for: switches, hosts and namespaces.</summary>
    private static IReadOnlyList<string> Elements(LabDraft draft) =>
        draft is { IsValid: true, Lab: { } lab }
            ? [.. lab.Switches.Select(s => s.Name), .. lab.InterfaceNamespaces.Select(n => n.Name)]
            : [];

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId}: its recorder gave up ({Reason}); the run is marked failed")]
    private static partial void LogRecorderGaveUp(ILogger logger, long runId, string reason, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} stopped by an error")]
    private static partial void LogRunFailed(ILogger logger, long runId, Exception error);
}
