using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// A recorded run replayed: the lab's state at any moment is the recorded kernel events up to that moment folded by
/// <see cref="LiveLabState"/>, the dashboard's own folding, so a replay shows exactly what the live panel showed. Moving
/// forward folds only the new events; moving back folds again from the start (measured in bench/NetLab.Web.Benchmarks).
/// Not thread-safe: one page drives one replay.
/// </summary>
public sealed class RunReplay
{
    private readonly RunEntry[] _entries;
    private readonly long[] _offsets;
    private readonly int[] _operations;
    private LiveLabState _state;
    private int _folded;

    public RunReplay(RunDetails run, IReadOnlyList<RunEntry> entries, IReadOnlyList<RunCapture> captures)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(entries);
        Run = run;
        Captures = captures;
        _entries = [.. entries.OrderBy(e => e.Sequence)];
        Start = run.Summary.Started;
        var last = _entries.Length > 0 ? _entries[^1].At : Start;
        End = run.Summary.Ended is { } ended && ended > last ? ended : last;
        if (End < Start)
        {
            End = Start;
        }

        _offsets = [.. _entries.Select(e => Math.Max(0, (long)(e.At - Start).TotalMilliseconds))];
        _operations = [.. Enumerable.Range(0, _entries.Length).Where(i => _entries[i].Kind == RunEntryKind.Operation)];
        _state = new LiveLabState(run.Summary.KernelLab);
    }

    public RunDetails Run { get; }

    /// <summary>Everything a replay shows of a run, read once: from then on it needs no database. Null when there is no such run of the owner.</summary>
    public static async Task<RunReplay?> LoadAsync(RunStore store, long ownerId, long runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = await store.GetRunAsync(ownerId, runId).ConfigureAwait(false);
        return run is null
            ? null
            : new RunReplay(run, await store.GetEntriesAsync(ownerId, runId).ConfigureAwait(false), await store.GetCapturesAsync(ownerId, runId).ConfigureAwait(false));
    }

    public IReadOnlyList<RunEntry> Entries => _entries;

    public IReadOnlyList<RunCapture> Captures { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    /// <summary>The run's length in milliseconds: the scrubber's range.</summary>
    public long DurationMilliseconds => (long)(End - Start).TotalMilliseconds;

    /// <summary>The moment <paramref name="offsetMilliseconds"/> after the start: every entry at or before it, folded.</summary>
    public ReplayMoment At(long offsetMilliseconds)
    {
        offsetMilliseconds = Math.Clamp(offsetMilliseconds, 0, DurationMilliseconds);
        // Entries are in sequence order and their times never go back (one recorder stamps them), so a binary search
        // finds how many belong to the moment.
        return Fold(UpperBound(offsetMilliseconds), offsetMilliseconds);
    }

    /// <summary>
    /// The moment right after the first <paramref name="count"/> entries: stepping entry by entry shows what several
    /// entries of the same millisecond did one at a time (a fast apply makes, addresses and raises a link within one).
    /// </summary>
    public ReplayMoment AfterEntries(int count)
    {
        count = Math.Clamp(count, 0, _entries.Length);
        return Fold(count, count > 0 ? _offsets[count - 1] : 0);
    }

    private ReplayMoment Fold(int count, long offsetMilliseconds)
    {
        if (count < _folded)
        {
            _state = new LiveLabState(Run.Summary.KernelLab);
            _folded = 0;
        }

        for (; _folded < count; _folded++)
        {
            if (_entries[_folded] is { Kind: RunEntryKind.Event, Event: { } change })
            {
                _state.Apply(change);
            }
        }

        var namespaces = _state.Namespaces;
        return new ReplayMoment(offsetMilliseconds, count, namespaces, _state.Problem, LastOf(count, RunEntryKind.Probe)?.Probe,
            LastOf(count, RunEntryKind.Operation)?.Operation, LastOf(count, RunEntryKind.Applied)?.Applied, count > 0 ? _entries[count - 1] : null)
        {
            AppliedLinks = AppliedLinks(count, namespaces),
            Grade = LastOf(count, RunEntryKind.Grade)?.Grade,
        };
    }

    /// <summary>Where entry <paramref name="index"/> sits on the timeline, in milliseconds after the start.</summary>
    public long OffsetOf(int index) => _offsets[index];

    /// <summary>
    /// The timeline's markers, at most <paramref name="buckets"/> of them: entries close in time share a marker that
    /// counts them by kind, so a run of ten thousand events draws a few hundred elements, not ten thousand.
    /// </summary>
    public IReadOnlyList<TimelineMarker> Markers(int buckets = 200)
    {
        var markers = new List<TimelineMarker>();
        var span = Math.Max(1, DurationMilliseconds);
        var byBucket = new Dictionary<(int Bucket, RunEntryKind Kind), (long Offset, int Count, RunEntry First)>();
        for (var i = 0; i < _entries.Length; i++)
        {
            var bucket = (int)Math.Min(buckets - 1, _offsets[i] * buckets / span);
            var key = (bucket, MarkerKind(_entries[i].Kind));
            byBucket[key] = byBucket.TryGetValue(key, out var known) ? known with { Count = known.Count + 1 } : (_offsets[i], 1, _entries[i]);
        }

        foreach (var ((_, kind), (offset, count, first)) in byBucket.OrderBy(b => b.Value.Offset))
        {
            markers.Add(new TimelineMarker(offset, kind, count, Describe(first) + (count > 1 ? $" (+{count - 1} more)" : "")));
        }

        return markers;
    }

    /// <summary>One line for an entry, as the timeline's tooltips and the entry list show it.</summary>
    public static string Describe(RunEntry entry) => entry switch
    {
        { Kind: RunEntryKind.Operation, Operation: { } o } => $"{o.Status.ToString().ToLowerInvariant()}: {o.Operation.Command}",
        { Kind: RunEntryKind.Applied, Applied: { } a } => a.Succeeded ? $"applied {a.Applied} of {a.Total} operations" : $"apply failed: {a.Failure?.Message}",
        { Kind: RunEntryKind.Event, Event: { } e } => e.Kind switch
        {
            LabEventKind.Snapshot => $"{e.Element}: snapshot of {e.Snapshot?.Interfaces.Count ?? 0} interfaces",
            LabEventKind.InterfaceChanged => $"{e.Element}/{e.InterfaceName ?? e.Interface?.Name}: {e.Interface?.OperState}",
            LabEventKind.InterfaceRemoved => $"{e.Element}/{e.InterfaceName}: removed",
            LabEventKind.AddressAdded => $"{e.Element}: address {e.Address} added",
            LabEventKind.AddressRemoved => $"{e.Element}: address {e.Address} removed",
            _ => $"{(e.Element.Length > 0 ? e.Element : e.Lab)}: resync ({e.Message})",
        },
        { Kind: RunEntryKind.Probe, Probe: { } p } => $"connectivity check: {p.Results.Count(r => r.Replied)} of {p.Results.Count} replied",
        { Kind: RunEntryKind.Grade, Grade: { } g } => $"grade: {g.Summary}",
        { Kind: RunEntryKind.CaptureStarted, Capture: { } c } => $"capture {c.Number} on {c.Element}/{c.Interface} started",
        { Kind: RunEntryKind.CaptureEnded, Capture: { } c } => $"capture {c.Number} on {c.Element}/{c.Interface} ended" + (entry.Message is { } m ? $": {m}" : ""),
        _ => entry.Message ?? entry.Kind.ToString(),
    };

    /// <summary>
    /// Links the apply had made by the moment, in lab elements the kernel has sent no snapshot of yet: the agent's event
    /// stream starts with a snapshot, so links made while it (re)subscribes are seen first already up. Read from the
    /// operations' kinds and lab paths (`namespaces.ns2.interfaces.macvlan2`), not from the kernel, and shown as such.
    /// </summary>
    private IReadOnlyList<AppliedLink> AppliedLinks(int count, IReadOnlyList<LiveNamespace> observed)
    {
        var links = new List<AppliedLink>();
        foreach (var index in _operations)
        {
            if (index >= count)
            {
                break;
            }

            if (_entries[index].Operation is not { Status: NetLab.Agent.Client.Contracts.OperationStatus.Done, Operation: { } operation })
            {
                continue;
            }

            var path = operation.Source.Split('.');
            if (path.Length != 4 || observed.Any(n => n.Element == path[1]))
            {
                continue;
            }

            var (element, name) = (path[1], path[3]);
            var known = links.FindIndex(l => l.Element == element && l.Interface == name);
            switch (operation.Kind)
            {
                case "CreateLink" when known < 0:
                    links.Add(new AppliedLink(element, name, Up: false));
                    break;
                case "SetLinkUp" when known >= 0:
                    links[known] = links[known] with { Up = true };
                    break;
                case "SetLinkDown" when known >= 0:
                    links[known] = links[known] with { Up = false };
                    break;
                case "DeleteLink" when known >= 0:
                    links.RemoveAt(known);
                    break;
            }
        }

        return links;
    }

    private static RunEntryKind MarkerKind(RunEntryKind kind) => kind == RunEntryKind.CaptureEnded ? RunEntryKind.CaptureStarted : kind;

    private RunEntry? LastOf(int count, RunEntryKind kind)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            if (_entries[i].Kind == kind)
            {
                return _entries[i];
            }
        }

        return null;
    }

    private int UpperBound(long offset)
    {
        int low = 0, high = _offsets.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_offsets[middle] <= offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

/// <summary>
/// The state of a replayed run at one moment: the namespaces as the live panel would have shown them (the model a
/// topology canvas draws from as well), the last connectivity check, apply progress, and the last entry.
/// </summary>
public sealed record ReplayMoment(
    long OffsetMilliseconds,
    int EntryCount,
    IReadOnlyList<LiveNamespace> Namespaces,
    string? Problem,
    ProbeReport? Probe,
    OperationProgress? LastOperation,
    ApplyResult? Applied,
    RunEntry? LastEntry)
{
    /// <summary>Links made by the apply so far in elements without a kernel snapshot yet (see <see cref="RunReplay"/>).</summary>
    public IReadOnlyList<AppliedLink> AppliedLinks { get; init; } = [];

    /// <summary>The last grade ("Check my work") by the moment, else null.</summary>
    public GradeView? Grade { get; init; }
}

/// <summary>A link as the apply's operations left it: created (down) and, once its up operation ran, up.</summary>
public sealed record AppliedLink(string Element, string Interface, bool Up);

/// <summary>A mark on the timeline: the first entry of a group of <see cref="Count"/> of one kind close in time.</summary>
public sealed record TimelineMarker(long OffsetMilliseconds, RunEntryKind Kind, int Count, string Label);
