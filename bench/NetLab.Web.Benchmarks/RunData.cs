using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;

namespace NetLab.Web.Benchmarks;

/// <summary>
/// Kernel events shaped like a big lab's: a snapshot of each of 10 namespaces with 10 interfaces, then link changes
/// (up/down with full link state, as the agent sends them) and address changes, in turn.
/// </summary>
internal static class RunData
{
    public const string Lab = "bench";
    public const int Namespaces = 10;
    public const int InterfacesPerNamespace = 10;

    public static InterfaceState Link(int index, bool up, IReadOnlyList<string>? addresses = null) => new(
        $"mv{index}", index, "macvlan", "bridge", null, "h1/eth0", $"02:00:00:00:{index / 256:x2}:{index % 256:x2}", 1500, up, up ? "up" : "down", up,
        addresses ?? [], null, null, (ulong)index * 1000, (ulong)index * 900, (ulong)index, (ulong)index);

    public static IEnumerable<LabEvent> Events(int count, DateTimeOffset start)
    {
        var produced = 0;
        for (var ns = 0; ns < Namespaces && produced < count; ns++, produced++)
        {
            var element = $"ns{ns}";
            yield return new LabEvent(LabEventKind.Snapshot, Lab, element, start, Snapshot: new NamespaceState(element, $"nl-{Lab}.{element}",
                [.. Enumerable.Range(1, InterfacesPerNamespace).Select(i => Link(i, up: false, [$"10.{ns}.0.{i}/24"]))]));
        }

        for (var i = 0; produced < count; i++, produced++)
        {
            var element = $"ns{i % Namespaces}";
            var index = 1 + (i / Namespaces % InterfacesPerNamespace);
            yield return (i % 4) switch
            {
                3 => new LabEvent(LabEventKind.AddressAdded, Lab, element, start, InterfaceName: $"mv{index}", Address: $"fd00::{i:x}/64"),
                _ => new LabEvent(LabEventKind.InterfaceChanged, Lab, element, start, Interface: Link(index, up: i % 2 == 0), InterfaceName: $"mv{index}"),
            };
        }
    }

    /// <summary>A run of <paramref name="count"/> events spread over <paramref name="span"/>, recorded through the recorder.</summary>
    public static async Task<long> RecordRunAsync(RunStore runs, LabStore labs, int count, TimeSpan span)
    {
        var lab = (await labs.ListLabsAsync(LabStore.LocalUserId)).FirstOrDefault(l => l.Name == Lab)
            ?? (await labs.CreateBlankAsync(LabStore.LocalUserId, Lab)).Value!;
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, LabStore.BlankYaml(Lab), Lab, $"{count} events", "");
        var clock = new SteppingClock(DateTimeOffset.UtcNow, span / count);
        var recorder = new RunStore(runs.Database, clock).OpenRecorder(run.Id);
        await using (recorder)
        {
            foreach (var change in Events(count, clock.GetUtcNow()))
            {
                _ = recorder.AppendAsync(RunEntryKind.Event, labEvent: change);
            }

            await recorder.FinishAsync(RunStatus.Succeeded, "done");
        }

        return run.Id;
    }

    /// <summary>Each reading is one step later: entries spread evenly over the run.</summary>
    private sealed class SteppingClock(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private long _readings;

        public override DateTimeOffset GetUtcNow() => start + step * Interlocked.Increment(ref _readings);
    }
}
