using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;

namespace NetLab.Web.Tests.Agent;

/// <summary>
/// The one fake of the web's edge to the agent, driven by the test as the Aspire dashboard's tests drive theirs. Plan
/// answers <see cref="PlanOutcome"/>; apply and destroy forward the progress a test writes (from another thread, as the
/// agent's stream does) until the test completes <see cref="Outcome"/>; probe answers <see cref="ProbeOutcome"/>
/// (pending until completed); captures stream what the test writes; each watcher gets its own channel holding the
/// snapshot of the moment it subscribed, then whatever the test publishes; state answers <see cref="State"/>; grade
/// answers <see cref="GradeOutcome"/> (pending until completed).
/// Every call is counted, so a test can tell how much of the agent a page costs, and recorded with the kernel lab and
/// acting user it named (<see cref="Acting"/>). As the agent does, an apply claims its kernel name for its acting user
/// when nobody holds it, and another user's call on a claimed name answers "not-found" (<see cref="KernelOwners"/>).
/// </summary>
public sealed class FakeAgentGateway : IAgentGateway
{
    public const string Lab = "demo";

    private readonly Lock _gate = new();
    private readonly List<Channel<LabEvent>> _watchers = [];
    private int _watchCalls;
    private int _stateCalls;

    public static IReadOnlyList<PlannedOperation> Operations { get; } =
    [
        new(0, "namespace-add", "hosts.h1", "nl-demo-h1", "ip netns add nl-demo-h1"),
        new(1, "link-add", "hosts.h1.nics.eth0", "nl-demo-h1", "ip -n nl-demo-h1 link add eth0 type veth peer name p1"),
        new(2, "link-set-up", "hosts.h1.nics.eth0", "nl-demo-h1", "ip -n nl-demo-h1 link set eth0 up"),
    ];

    /// <summary>Plan, apply, destroy, probe, grade and capture calls in order ("plan", "apply", "destroy LAB", "probe LAB", "grade LAB", "capture LAB element/interface").</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every call with the kernel lab it named (its name, owner and whom the gateway acted for), in order.</summary>
    public ConcurrentQueue<(string Call, OwnedKernelLab Lab)> Acting { get; } = new();

    /// <summary>Kernel names applied for an acting user, and that user: as the agent's lab owner records.</summary>
    public ConcurrentDictionary<string, string> KernelOwners { get; } = new();

    public AgentOutcome<PlanView> PlanOutcome { get; set; } = AgentOutcome<PlanView>.Success(new PlanView(Lab, Operations, []));

    public Channel<OperationProgress> Progress { get; } = Channel.CreateUnbounded<OperationProgress>();

    public TaskCompletionSource<AgentOutcome<ApplyResult>> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a connectivity check answers; pending until a test completes it, so the progress indicator can be seen.</summary>
    public TaskCompletionSource<AgentOutcome<ProbeReport>> ProbeOutcome { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a grade answers; pending until a test completes it (or calls <see cref="AnswerGrade"/>), so the progress indicator can be seen.</summary>
    public TaskCompletionSource<AgentOutcome<GradeView>> GradeOutcome { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every grade asked for: the kernel lab and the request (the lab's YAML and the checks' text).</summary>
    public ConcurrentQueue<(string Lab, GradeRequest Request)> GradeRequests { get; } = new();

    // Captures.

    public ConcurrentQueue<(string Lab, CaptureRequest Request)> Requests { get; } = new();

    /// <summary>
    /// False (the default): every capture reads <see cref="Stream"/>, where the test writes Started, frames, Ended or
    /// Error. True: a capture says Started at once, then reads the channel of its "element/interface" (<see cref="CaptureOf"/>).
    /// </summary>
    public bool StartCapturesAtOnce { get; set; }

    public Channel<CaptureStreamItem> Stream { get; } = Channel.CreateUnbounded<CaptureStreamItem>();

    public ConcurrentDictionary<string, Channel<CaptureStreamItem>> Captures { get; } = new();

    /// <summary>When set, a capture on this "element/interface" is refused with <see cref="CaptureRefusal"/> (or "not-found").</summary>
    public string? RefuseCaptureOf { get; set; }

    /// <summary>When set, every capture is refused with this error (as the gateway reports a missing agent).</summary>
    public AgentError? CaptureRefusal { get; set; }

    /// <summary>
    /// When set, as the agent's per-lab limit: a capture while this many run is refused with code "busy" and the agent's
    /// wording, before it starts.
    /// </summary>
    public int? CaptureLimit { get; set; }

    private int _runningCaptures;

    /// <summary>Completed when a capture ends by cancellation (the web stopped it).</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Live state.

    /// <summary>The events a new watcher starts with.</summary>
    public Func<string, IReadOnlyList<LabEvent>> SnapshotOf { get; set; } = _ => [];

    /// <summary>What <see cref="StateAsync"/> answers (the counters); null: the kernel holds no such lab.</summary>
    public LabState? State { get; set; }

    /// <summary>When set, what <see cref="StateAsync"/> answers per lab instead of <see cref="State"/> (e.g. an unreachable agent).</summary>
    public Func<string, AgentOutcome<LabState>>? StateOf { get; set; }

    /// <summary>When set, what <see cref="PlanAsync"/> answers per kernel lab name and YAML instead of <see cref="PlanOutcome"/>.</summary>
    public Func<string, string, AgentOutcome<PlanView>>? PlanOf { get; set; }

    /// <summary>The lab of every event stream opened, in order: the kernel name a page watches.</summary>
    public ConcurrentQueue<string> WatchedLabs { get; } = new();

    /// <summary>Event streams open now.</summary>
    public int ActiveWatchers
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Event streams opened in all.</summary>
    public int WatchCalls => Volatile.Read(ref _watchCalls);

    /// <summary>State (counter) readings in all.</summary>
    public int StateCalls => Volatile.Read(ref _stateCalls);

    public static OperationProgress ProgressOf(int index, OperationStatus status, double milliseconds = 0.5, string? error = null) =>
        new(index, Operations.Count, Operations[index], status, milliseconds, error);

    public static AgentOutcome<ApplyResult> Succeeded() =>
        AgentOutcome<ApplyResult>.Success(new ApplyResult(Lab, true, Operations.Count, Operations.Count, 1.5));

    /// <summary>From now on a connectivity check answers <paramref name="outcome"/> at once.</summary>
    public void AnswerProbe(AgentOutcome<ProbeReport> outcome)
    {
        var answered = new TaskCompletionSource<AgentOutcome<ProbeReport>>(TaskCreationOptions.RunContinuationsAsynchronously);
        answered.SetResult(outcome);
        ProbeOutcome = answered;
    }

    /// <summary>From now on a grade answers <paramref name="outcome"/> at once.</summary>
    public void AnswerGrade(AgentOutcome<GradeView> outcome)
    {
        var answered = new TaskCompletionSource<AgentOutcome<GradeView>>(TaskCreationOptions.RunContinuationsAsynchronously);
        answered.SetResult(outcome);
        GradeOutcome = answered;
    }

    public Channel<CaptureStreamItem> CaptureOf(string target) => Captures.GetOrAdd(target, _ => Channel.CreateUnbounded<CaptureStreamItem>());

    public Task<AgentOutcome<PlanView>> PlanAsync(OwnedKernelLab lab, string yaml, CancellationToken cancellationToken = default)
    {
        Record("plan", lab);
        return Task.FromResult(Refusal<PlanView>(lab) ?? PlanOf?.Invoke(lab.Name, yaml) ?? PlanOutcome);
    }

    public Task<AgentOutcome<ApplyResult>> ApplyAsync(OwnedKernelLab lab, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        Record("apply", lab);
        if (lab.ActingUser is { } user && KernelOwners.GetOrAdd(lab.Name, user) != user)
        {
            return Task.FromResult(AgentOutcome<ApplyResult>.Failed($"A lab named '{lab.Name}' is held by someone else; nothing was changed.", errorCode: AgentErrorCodes.LabTaken));
        }

        return RunAsync(onProgress);
    }

    /// <summary>When set and it answers for the lab, a destroy answers that at once (per lab, unlike <see cref="Outcome"/>).</summary>
    public Func<OwnedKernelLab, AgentOutcome<ApplyResult>?>? DestroyOf { get; set; }

    public Task<AgentOutcome<ApplyResult>> DestroyAsync(OwnedKernelLab lab, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default)
    {
        Record($"destroy {lab.Name}", lab);
        if (DestroyOf?.Invoke(lab) is { } answer)
        {
            return Task.FromResult(answer);
        }

        return Refusal<ApplyResult>(lab) is { } refused ? Task.FromResult(refused) : RunAsync(onProgress);
    }

    public Task<AgentOutcome<ProbeReport>> ProbeAsync(OwnedKernelLab lab, ProbeRequest request, CancellationToken cancellationToken = default)
    {
        Record($"probe {lab.Name}", lab);
        return Refusal<ProbeReport>(lab) is { } refused ? Task.FromResult(refused) : ProbeOutcome.Task;
    }

    public Task<AgentOutcome<GradeView>> GradeAsync(OwnedKernelLab lab, GradeRequest request, CancellationToken cancellationToken = default)
    {
        GradeRequests.Enqueue((lab.Name, request));
        Record($"grade {lab.Name}", lab);
        return Refusal<GradeView>(lab) is { } refused ? Task.FromResult(refused) : GradeOutcome.Task;
    }

    /// <summary>The agent's answer to a user's call on another user's kernel lab: as if it did not exist.</summary>
    private AgentOutcome<T>? Refusal<T>(OwnedKernelLab lab)
        where T : class =>
        lab.ActingUser is { } user && KernelOwners.TryGetValue(lab.Name, out var owner) && owner != user
            ? AgentOutcome<T>.Failed($"The kernel holds no lab named '{lab.Name}'.", errorCode: AgentErrorCodes.NotFound)
            : null;

    private void Record(string call, OwnedKernelLab lab)
    {
        Calls.Enqueue(call);
        Acting.Enqueue((call, lab));
    }

    public Task<AgentOutcome<LabState>> StateAsync(OwnedKernelLab lab, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _stateCalls);
        Acting.Enqueue(("state", lab));
        if (Refusal<LabState>(lab) is { } refused)
        {
            return Task.FromResult(refused);
        }

        if (StateOf is { } stateOf)
        {
            return Task.FromResult(stateOf(lab.Name));
        }

        return Task.FromResult(State is { } state
            ? AgentOutcome<LabState>.Success(state)
            : AgentOutcome<LabState>.Failed($"The kernel holds no lab named '{lab.Name}'.", errorCode: AgentErrorCodes.NotFound));
    }

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(OwnedKernelLab kernelLab, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (lab, target) = (kernelLab.Name, $"{request.Element}/{request.Interface}");
        Requests.Enqueue((lab, request));
        Record($"capture {lab} {target}", kernelLab);
        if (CaptureRefusal is { } refusal || (RefuseCaptureOf == target && (refusal = new AgentError(AgentErrorCodes.NotFound, $"{target} does not exist")) is not null))
        {
            yield return new CaptureStreamItem(Error: refusal);
            yield break;
        }

        if (Interlocked.Increment(ref _runningCaptures) > CaptureLimit)
        {
            var running = Interlocked.Decrement(ref _runningCaptures);
            yield return new CaptureStreamItem(Error: new AgentError(AgentErrorCodes.Busy,
                $"Lab '{lab}' has {running} captures running, the limit per lab ({CaptureLimit} at once, so that one lab cannot take all 16 of the agent's). Nothing was started. Stop one of the lab's captures and start this one again."));
            yield break;
        }

        try
        {
            if (StartCapturesAtOnce)
            {
                yield return new CaptureStreamItem(Started: request);
            }

            await foreach (var item in ReadCaptureAsync(target, cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningCaptures);
        }
    }

    private async IAsyncEnumerable<CaptureStreamItem> ReadCaptureAsync(string target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = StartCapturesAtOnce ? CaptureOf(target) : Stream;
        var items = stream.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                CaptureStreamItem item;
                try
                {
                    if (!await items.MoveNextAsync())
                    {
                        yield break;
                    }

                    item = items.Current;
                }
                catch (OperationCanceledException)
                {
                    // As the gateway does: the web stopping a capture ends its stream quietly.
                    yield break;
                }

                yield return item;
            }
        }
        finally
        {
            // Told as the call ends, not from a registration on the token: the channel's own cancellation callback can
            // resume this iterator on another thread, which then disposes such a registration before it has run.
            if (cancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult();
            }

            await items.DisposeAsync();
        }
    }

    public async IAsyncEnumerable<LabEvent> WatchAsync(OwnedKernelLab kernelLab, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _watchCalls);
        var lab = kernelLab.Name;
        WatchedLabs.Enqueue(lab);
        Acting.Enqueue(("watch", kernelLab));
        var channel = Channel.CreateUnbounded<LabEvent>();
        lock (_gate)
        {
            // Under the lock with Publish: nothing published can fall between the snapshot and the changes.
            foreach (var initial in SnapshotOf(lab))
            {
                channel.Writer.TryWrite(initial);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    public void Publish(params IEnumerable<LabEvent> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                foreach (var watcher in _watchers)
                {
                    watcher.Writer.TryWrite(change);
                }
            }
        }
    }

    /// <summary>
    /// Waits until an event stream of <paramref name="lab"/> has been opened. The stream starts on a background task,
    /// often after the page's last render, so bUnit's WaitForAssertion (which re-checks only on renders) cannot wait for it.
    /// </summary>
    public async Task WaitForWatchOfAsync(string lab)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!WatchedLabs.Contains(lab))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No event stream of '{lab}' was opened within 10 s; streams opened: [{string.Join(", ", WatchedLabs)}].");
            }

            await Task.Delay(10);
        }
    }

    public async Task WaitForWatchersAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (ActiveWatchers != count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>A real ICMP echo request (10.0.0.1 > 10.0.0.2) with the given sequence number in its frame number.</summary>
    public static CapturedFrame Echo(long number, bool outgoing = true) => new(
        number,
        DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + number),
        98,
        Convert.FromHexString("02000000000b02000000000a080045000054cb59400040015b4d0a0000010a000002080090e27e7b000120320a6b00000000f630090000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"),
        outgoing);

    private async Task<AgentOutcome<ApplyResult>> RunAsync(Action<OperationProgress> onProgress)
    {
        var forwarding = Task.Run(async () =>
        {
            await foreach (var progress in Progress.Reader.ReadAllAsync())
            {
                onProgress(progress);
            }
        });
        var outcome = await Outcome.Task;
        Progress.Writer.TryComplete();
        await forwarding;
        return outcome;
    }
}
