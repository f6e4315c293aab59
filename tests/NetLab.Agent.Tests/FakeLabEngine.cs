using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Grading;
using NetLab.Core.Labs;

namespace NetLab.Agent.Tests;

/// <summary>
/// An engine that never touches the kernel: it records calls, answers with canned plans and states, reports apply
/// progress (optionally holding before the result until released), and streams events a test writes to a channel.
/// </summary>
public sealed class FakeLabEngine : ILabEngine
{
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>What StateAsync answers (filtered by name).</summary>
    public List<LabState> Labs { get; } = [];

    /// <summary>When set, apply and destroy wait on it after their first progress report, before the rest.</summary>
    public TaskCompletionSource? HoldAfterFirstOperation { get; set; }

    /// <summary>When true, apply fails at its second operation and rolls back the first.</summary>
    public bool FailApply { get; set; }

    /// <summary>The warnings destroy's result carries (what a real destroy says about namespaces it left alone).</summary>
    public IReadOnlyList<string>? DestroyWarnings { get; set; }

    /// <summary>When set, apply throws it (as the engine would for a kernel error outside any operation).</summary>
    public Exception? ApplyThrows { get; set; }

    /// <summary>Changes EventsAsync streams after its snapshots.</summary>
    public Channel<LabEvent> EventChanges { get; } = Channel.CreateUnbounded<LabEvent>();

    /// <summary>Completed when an event stream ends, with whether it ended by cancellation.</summary>
    public TaskCompletionSource<bool> EventStreamEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Frames CaptureAsync streams after Started; completing the writer makes it end with Ended
    /// (<see cref="CaptureEndReason"/>), as the agent ends a capture whose namespace was deleted. As the real engine, a
    /// capture ends by itself after its request's MaxFrames, saying so.
    /// </summary>
    public Channel<CapturedFrame> CaptureFrames { get; } = Channel.CreateUnbounded<CapturedFrame>();

    /// <summary>The Ended line of a capture whose <see cref="CaptureFrames"/> writer was completed.</summary>
    public string CaptureEndReason { get; set; } = "the fake capture ended";

    /// <summary>Completed when a capture ends, with whether it ended by cancellation (the client leaving).</summary>
    public TaskCompletionSource<bool> CaptureEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>What ProbeAsync answers for a lab it holds: one pair that replied and one whose ARP went unanswered.</summary>
    public static IReadOnlyList<ProbeResult> ProbeResultsOf(string lab) =>
    [
        new("ns2", "ns3", "macvlan3", "100.0.0.3", true, NeighborOutcome.Answered, 0.042),
        new("ns2", "ns2", "macvlan2", "100.0.0.2", false, NeighborOutcome.NotNeeded),
        new("ns3", "ns2", "macvlan2", "100.0.0.2", false, NeighborOutcome.Unanswered),
    ];

    public static IReadOnlyList<PlannedOperation> OperationsOf(string lab) =>
    [
        new(0, "namespace-add", "hosts.h1", $"nl-{lab}-h1", $"ip netns add nl-{lab}-h1"),
        new(1, "link-add", "hosts.h1.nics.eth0", $"nl-{lab}-h1", $"ip -n nl-{lab}-h1 link add eth0 type veth peer name p1"),
        new(2, "link-set-up", "hosts.h1.nics.eth0", $"nl-{lab}-h1", $"ip -n nl-{lab}-h1 link set eth0 up"),
    ];

    public static LabState StateOf(string lab) => new(lab, [new NamespaceState("h1", $"nl-{lab}-h1", [Interface("lo", 1), Interface("eth0", 2)])]);

    public static InterfaceState Interface(string name, int index, bool up = true) => new(
        name, index, name == "lo" ? null : "veth", null, null, null, name == "lo" ? "00:00:00:00:00:00" : "02:00:00:00:00:01", 1500,
        up, up ? "up" : "down", up, name == "lo" ? ["127.0.0.1/8"] : ["10.0.0.1/24"], null, null, 10, 20, 1, 2);

    public Task<PlanView> PlanAsync(Lab lab, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"plan {lab.Name}");
        return Task.FromResult(new PlanView(lab.Name, OperationsOf(lab.Name), [new KindWarning("namespaces.ns2.interfaces.v1", "vlan", "this kernel has no 8021q")]));
    }

    public async Task<ApplyResult> ApplyAsync(Lab lab, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"apply {lab.Name}");
        if (ApplyThrows is not null)
        {
            throw ApplyThrows;
        }

        var operations = OperationsOf(lab.Name);
        for (var i = 0; i < operations.Count; i++)
        {
            progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Started, 0));
            if (FailApply && i == 1)
            {
                const string kernel = "File exists";
                progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Failed, 0.5, kernel));
                progress?.Report(new OperationProgress(0, operations.Count, operations[0], OperationStatus.RolledBack, 0.2));
                return new ApplyResult(lab.Name, false, 1, operations.Count, 1.5, new ApplyFailure(operations[i], $"{operations[i].Command}: {kernel}", "EEXIST", kernel), RolledBack: true);
            }

            progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Done, 0.25 * (i + 1)));
            if (i == 0 && HoldAfterFirstOperation is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        Labs.RemoveAll(l => l.Lab == lab.Name);
        Labs.Add(StateOf(lab.Name));
        return new ApplyResult(lab.Name, true, operations.Count, operations.Count, 1.5);
    }

    public async Task<ApplyResult> DestroyAsync(string labName, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"destroy {labName}");
        var operation = new PlannedOperation(0, "namespace-delete", "hosts.h1", $"nl-{labName}-h1", $"ip netns delete nl-{labName}-h1");
        progress?.Report(new OperationProgress(0, 1, operation, OperationStatus.Done, 0.75));
        if (HoldAfterFirstOperation is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Labs.RemoveAll(l => l.Lab == labName);
        return new ApplyResult(labName, true, 1, 1, 0.75, Warnings: DestroyWarnings);
    }

    public Task<IReadOnlyList<LabState>> StateAsync(string? labName = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(labName is null ? "state" : $"state {labName}");
        return Task.FromResult<IReadOnlyList<LabState>>(Labs.Where(l => labName is null || l.Lab == labName).ToList());
    }

    public async IAsyncEnumerable<LabEvent> EventsAsync(string labName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"events {labName}");
        var cancelled = false;
        try
        {
            foreach (var space in Labs.Single(l => l.Lab == labName).Namespaces)
            {
                yield return new LabEvent(LabEventKind.Snapshot, labName, space.Element, DateTimeOffset.UnixEpoch, Snapshot: space);
            }

            while (true)
            {
                LabEvent change;
                try
                {
                    change = await EventChanges.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }

                yield return change;
            }
        }
        finally
        {
            EventStreamEnded.TrySetResult(cancelled);
        }
    }

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"capture {labName} {request.Element} {request.Interface}");

        // The real engine's checks of the target, against the canned state.
        LabCapture.Resolve(Labs.SingleOrDefault(l => l.Lab == labName), labName, request);
        var cancelled = false;
        long frames = 0;
        try
        {
            yield return new CaptureStreamItem(Started: request);
            while (true)
            {
                CapturedFrame frame;
                try
                {
                    if (!await CaptureFrames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    if (!CaptureFrames.Reader.TryRead(out frame!))
                    {
                        continue;
                    }
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }

                yield return new CaptureStreamItem(Frame: frame);
                if (++frames == request.MaxFrames)
                {
                    yield return new CaptureStreamItem(Ended: $"{frames} frames captured, as requested; the kernel dropped 0.");
                    yield break;
                }
            }

            yield return new CaptureStreamItem(Ended: CaptureEndReason);
        }
        finally
        {
            CaptureEnded.TrySetResult(cancelled);
        }
    }

    public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"probe {labName} {request.TimeoutMilliseconds}");
        if (!Labs.Any(l => l.Lab == labName))
        {
            throw new LabNotFoundException(labName);
        }

        return Task.FromResult(new ProbeReport(labName, DateTimeOffset.UnixEpoch, 12.5, ProbeResultsOf(labName)));
    }

    /// <summary>Grades with Core's grader against <see cref="ProbeResultsOf"/>; no kernel state, so state checks are not checked.</summary>
    public Task<GradeReport> GradeAsync(Lab lab, IReadOnlyList<LabCheck> checks, ProbeRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"grade {lab.Name} {checks.Count}");
        if (!Labs.Any(l => l.Lab == lab.Name))
        {
            throw new LabNotFoundException(lab.Name);
        }

        return Task.FromResult(Grader.Grade(lab, checks, [.. ProbeResultsOf(lab.Name).Select(ProbeObservations.Of)], observedState: null));
    }
}
