using System.Collections.Immutable;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;

namespace NetLab.Web.Model;

/// <summary>
/// What the kernel holds for one lab, kept current from the agent (<see cref="IAgentGateway.WatchAsync"/>): each namespace replaced on
/// its snapshot, then changed event by event, with rx/tx rates from the counters read every second. Events are applied
/// on a background task while components read on theirs, so the state is immutable values swapped under a lock and
/// read without one. One instance per lab is shared by all its watchers (<see cref="LiveLabs"/>).
/// </summary>
public sealed class LiveLabState(string lab)
{
    /// <summary>Samples kept per interface for its sparkline: half a minute at one reading a second.</summary>
    public const int SampleCapacity = 30;

    /// <summary>
    /// The kernel sends RTM_NEWLINK only when a link changes, so counters in events arrive at random moments; reading
    /// them on a fixed beat gives evenly spaced rates.
    /// </summary>
    public static readonly TimeSpan CounterInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, LiveNamespace> _namespaces = ImmutableSortedDictionary<string, LiveNamespace>.Empty;
    private ImmutableList<Action<LabEvent>> _listeners = [];

    public string Lab { get; } = lab;

    /// <summary>What a component shows before it watches anything (prerendering): no namespaces, no problem.</summary>
    public static LiveLabState None { get; } = new("");

    /// <summary>Raised after every applied event or counter reading; listeners throttle (see <see cref="UpdateThrottle"/>).</summary>
    public event Action? Changed;

    public IReadOnlyList<LiveNamespace> Namespaces => [.. _namespaces.Values];

    /// <summary>Why the state is empty or stale (the agent is unreachable, the lab is not applied), else null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Applies events and counter readings until <paramref name="cancellationToken"/> ends it.</summary>
    public async Task RunAsync(IAgentGateway source, OwnedKernelLab lab, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lab);
        if (lab.Name != Lab)
        {
            throw new ArgumentException($"This is the state of {Lab}, not of {lab.Name}.", nameof(lab));
        }

        try
        {
            await Task.WhenAll(WatchAsync(source, lab, cancellationToken), ReadCountersAsync(source, lab, time, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    /// <summary>
    /// What a new watcher of the events starts from: the problem (as a lab-wide Resync) or a Snapshot per namespace
    /// held now; from then on <paramref name="listener"/> gets every event applied, in order, until the returned
    /// subscription is disposed. Taken under the state's lock, so no event falls between the two.
    /// </summary>
    public (IReadOnlyList<LabEvent> Current, IDisposable Subscription) Listen(Action<LabEvent> listener, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            List<LabEvent> current = Problem is { } problem && _namespaces.IsEmpty
                ? [new LabEvent(LabEventKind.Resync, Lab, "", now, Message: problem)]
                : [.. _namespaces.Values.Select(space => new LabEvent(LabEventKind.Snapshot, Lab, space.Element, now, Snapshot: space.ToState()))];
            _listeners = _listeners.Add(listener);
            return (current, new Unlisten(this, listener));
        }
    }

    public void Apply(LabEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener(change);
            }

            switch (change.Kind)
            {
                case LabEventKind.Snapshot when change.Snapshot is { } snapshot:
                    _namespaces.TryGetValue(change.Element, out var previous);
                    _namespaces = _namespaces.SetItem(change.Element, LiveNamespace.From(change.Element, snapshot, previous));
                    Problem = null;
                    break;
                case LabEventKind.Resync when change.Element.Length == 0:
                    // The stream itself broke: what we hold may be stale in every namespace, and fresh snapshots of
                    // those that still exist follow when it is back.
                    _namespaces = _namespaces.Clear();
                    Problem = change.Message ?? "The connection to the agent broke; reconnecting.";
                    break;
                case LabEventKind.Resync:
                    UpdateNamespace(change.Element, space => space with { Resyncing = true });
                    break;
                case LabEventKind.InterfaceChanged when change.Interface is { } changed:
                    UpdateNamespace(change.Element, space => space.WithChanged(changed));
                    break;
                case LabEventKind.InterfaceRemoved when change.InterfaceName is { } removed:
                    UpdateNamespace(change.Element, space => space with { Interfaces = space.Interfaces.RemoveAll(i => i.State.Name == removed) });
                    break;
                case LabEventKind.AddressAdded when change.Address is { } address && AddressOwner(change) is { } owner:
                    UpdateInterface(change.Element, owner, i => i.State.Addresses.Contains(address) ? i : i with { State = i.State with { Addresses = [.. i.State.Addresses, address] } });
                    break;
                case LabEventKind.AddressRemoved when change.Address is { } address && AddressOwner(change) is { } owner:
                    UpdateInterface(change.Element, owner, i => i with { State = i.State with { Addresses = [.. i.State.Addresses.Where(a => a != address)] } });
                    break;
                default:
                    return;
            }
        }

        Changed?.Invoke();
    }

    /// <summary>
    /// Takes the counters of a reading of the lab's state, and parents and masters the events could not name (one in
    /// a namespace the agent's stream was not watching yet). Nothing else: events are newer than any reading.
    /// </summary>
    public void ApplyCounters(LabState state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            foreach (var read in state.Namespaces)
            {
                foreach (var counters in read.Interfaces)
                {
                    UpdateInterface(read.Element, counters.Name, i => i.State.Index == counters.Index ? i.WithReading(counters, at) : i);
                }
            }
        }

        Changed?.Invoke();
    }

    /// <summary>Stops showing state after the source failed for good, saying why.</summary>
    public void Fail(string problem)
    {
        lock (_gate)
        {
            Problem = problem;
        }

        Changed?.Invoke();
    }

    private async Task WatchAsync(IAgentGateway source, OwnedKernelLab lab, CancellationToken cancellationToken)
    {
        await foreach (var change in source.WatchAsync(lab, cancellationToken).ConfigureAwait(false))
        {
            Apply(change);
        }
    }

    private async Task ReadCountersAsync(IAgentGateway source, OwnedKernelLab lab, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CounterInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            // The event stream reports outages; a missed reading is only a gap in the sparkline.
            if ((await source.StateAsync(lab, cancellationToken).ConfigureAwait(false)).Value is { } state)
            {
                ApplyCounters(state, time.GetUtcNow());
            }
        }
    }

    private sealed class Unlisten(LiveLabState state, Action<LabEvent> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (state._gate)
            {
                state._listeners = state._listeners.Remove(listener);
            }
        }
    }

    private void UpdateNamespace(string element, Func<LiveNamespace, LiveNamespace> update)
    {
        // Changes come only after their namespace's snapshot; one for an unknown namespace has nothing to change.
        if (_namespaces.TryGetValue(element, out var space))
        {
            _namespaces = _namespaces.SetItem(element, update(space));
        }
    }

    private void UpdateInterface(string element, string name, Func<LiveInterface, LiveInterface> update) =>
        UpdateInterface(element, link => link.Name == name, update);

    private void UpdateInterface(string element, Func<InterfaceState, bool> owner, Func<LiveInterface, LiveInterface> update) =>
        UpdateNamespace(element, space => space with
        {
            Interfaces = [.. space.Interfaces.Select(i => owner(i.State) ? update(i) : i)],
        });

    /// <summary>
    /// An address event names its interface by index (an RTM_NEWADDR carries only that); a name, when the agent knew
    /// it, wins. Runs recorded before the index was a field are upgraded as the run store reads them.
    /// </summary>
    private static Func<InterfaceState, bool>? AddressOwner(LabEvent change) => change switch
    {
        { InterfaceName: { } name } => link => link.Name == name,
        { InterfaceIndex: { } index } => link => link.Index == index,
        _ => null,
    };
}

/// <summary>One lab element's namespace; <see cref="Resyncing"/> while the agent catches up after lost events.</summary>
public sealed record LiveNamespace(string Element, string KernelName, ImmutableList<LiveInterface> Interfaces, bool Resyncing = false)
{
    /// <summary>The snapshot replaces everything, but interfaces still there keep their rate history.</summary>
    public static LiveNamespace From(string element, NamespaceState snapshot, LiveNamespace? previous) => new(
        element,
        snapshot.KernelName,
        [.. snapshot.Interfaces.OrderBy(i => i.Index).Select(state =>
            previous?.Interfaces.FirstOrDefault(i => i.State.Index == state.Index && i.State.Name == state.Name) is { } known
                ? known with { State = state }
                : new LiveInterface(state))]);

    /// <summary>The namespace as the agent would send it in a snapshot now.</summary>
    public NamespaceState ToState() => new(Element, KernelName, [.. Interfaces.Select(i => i.State)]);

    public LiveNamespace WithChanged(InterfaceState changed)
    {
        // Matched by index, not name: a rename arrives as a change of the same link.
        var known = Interfaces.FindIndex(i => i.State.Index == changed.Index);
        return known < 0
            ? this with { Interfaces = [.. Interfaces.Add(new LiveInterface(changed)).OrderBy(i => i.State.Index)] }
            : this with { Interfaces = Interfaces.SetItem(known, Interfaces[known].WithChanged(changed)) };
    }
}

/// <summary>An interface as the kernel last described it, with its recent rx/tx rates (oldest first).</summary>
public sealed record LiveInterface(InterfaceState State, CounterReading? LastReading = null, ImmutableArray<RateSample> Samples = default)
{
    public ImmutableArray<RateSample> Rates => Samples.IsDefault ? [] : Samples;

    public double RxBytesPerSecond => Rates.IsEmpty ? 0 : Rates[^1].RxBytesPerSecond;

    public double TxBytesPerSecond => Rates.IsEmpty ? 0 : Rates[^1].TxBytesPerSecond;

    /// <summary>
    /// A link event describes the link alone: its addresses, parent and master are not in it (nor counters, when the
    /// kernel leaves them out), so those stay as the snapshot and the address events made them.
    /// </summary>
    public LiveInterface WithChanged(InterfaceState changed)
    {
        var hasCounters = changed.RxBytes + changed.TxBytes + changed.RxPackets + changed.TxPackets > 0;
        return this with
        {
            State = changed with
            {
                Addresses = State.Addresses,
                Parent = changed.Parent ?? State.Parent,
                Master = changed.Master ?? State.Master,
                RxBytes = hasCounters ? changed.RxBytes : State.RxBytes,
                TxBytes = hasCounters ? changed.TxBytes : State.TxBytes,
                RxPackets = hasCounters ? changed.RxPackets : State.RxPackets,
                TxPackets = hasCounters ? changed.TxPackets : State.TxPackets,
            },
        };
    }

    /// <summary>A rate needs two readings; counters that went backwards (the link was reset) start over.</summary>
    public LiveInterface WithReading(InterfaceState counters, DateTimeOffset at)
    {
        var reading = new CounterReading(counters.RxBytes, counters.TxBytes, at);
        var state = State with
        {
            Parent = State.Parent ?? counters.Parent,
            Master = State.Master ?? counters.Master,
            RxBytes = counters.RxBytes,
            TxBytes = counters.TxBytes,
            RxPackets = counters.RxPackets,
            TxPackets = counters.TxPackets,
        };
        if (LastReading is not { } last || at <= last.At || reading.RxBytes < last.RxBytes || reading.TxBytes < last.TxBytes)
        {
            return this with { State = state, LastReading = reading };
        }

        var seconds = (at - last.At).TotalSeconds;
        var sample = new RateSample(at, (reading.RxBytes - last.RxBytes) / seconds, (reading.TxBytes - last.TxBytes) / seconds);
        var samples = Rates.Add(sample);
        return this with
        {
            State = state,
            LastReading = reading,
            Samples = samples.Length > LiveLabState.SampleCapacity ? samples.RemoveRange(0, samples.Length - LiveLabState.SampleCapacity) : samples,
        };
    }
}

public readonly record struct CounterReading(ulong RxBytes, ulong TxBytes, DateTimeOffset At);

public readonly record struct RateSample(DateTimeOffset At, double RxBytesPerSecond, double TxBytesPerSecond);
