using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

/// <summary>A clock the test sets: entries are stamped with exactly the moments a test chooses. Timers stay real.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(double milliseconds) => Now = Now.AddMilliseconds(milliseconds);
}

/// <summary>
/// A recorded run of the macvlan-bridge lab, written through the real recorder at chosen moments:
/// t=0 started; t=10..30 three operations; t=40 applied; t=100 snapshots of ns2 (macvlan2 down) and ns3, each naming
/// its child's parent h1/eth0 in another namespace as the agent does; t=200 macvlan2 up (a link change naming no parent); t=300 its address added; t=400 capture 1 on ns2/macvlan2 armed; t=500 probe (ns2 -> ns3 replied,
/// ns2 -> own address not); t=510, 520 two frames; t=600 capture ended; t=700 finished.
/// </summary>
public static class RunFixtures
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ProbeReport Probe(bool ownAddressReplies = false) => new("macvlan-bridge", Start.AddMilliseconds(500), 12.5,
    [
        new ProbeResult("ns2", "ns3", "macvlan3", "100.0.0.3", true, NeighborOutcome.Answered, 0.05),
        new ProbeResult("ns2", "ns2", "macvlan2", "100.0.0.2", ownAddressReplies, NeighborOutcome.NotNeeded, ownAddressReplies ? 0.01 : null),
    ]);

    public static byte[] Frame(byte last) => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, last, 0x08, 0x06, 0, 1];

    /// <summary>Stores the lab (when new) and the run described above; returns the run's id.</summary>
    public static async Task<long> RecordAsync(LabStore labs, SqliteDatabase database, string title = "bridge run", string notes = "first try", bool ownAddressReplies = false)
    {
        var lab = (await labs.ListLabsAsync(LabStore.LocalUserId)).FirstOrDefault(l => l.Name == "macvlan-bridge")
            ?? (await labs.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var yaml = (await labs.GetCurrentRevisionAsync(LabStore.LocalUserId, lab.Id))!.Yaml;
        var clock = new ManualClock(Start);
        var runs = new RunStore(database, clock);
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, lab.CurrentRevision!.Value, yaml, "macvlan-bridge", title, notes);
        await using var recorder = runs.OpenRecorder(run.Id);

        Task At(double ms, Func<Task> write)
        {
            clock.Now = Start.AddMilliseconds(ms);
            return write();
        }

        await At(0, () => recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running));
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            await At(10 * (i + 1), () => recorder.AppendAsync(RunEntryKind.Operation, operation: FakeAgentGateway.ProgressOf(index, OperationStatus.Done)));
        }

        await At(40, () => recorder.AppendAsync(RunEntryKind.Applied, applied: new ApplyResult("macvlan-bridge", true, 3, 3, 1.5)));
        await At(100, () => recorder.AppendAsync(RunEntryKind.Event, labEvent: Snapshot("ns2", Interface("lo", 1, "down", null), Interface("macvlan2", 2, "down", false, parent: "h1/eth0")) with { At = Start.AddMilliseconds(100) }));
        await At(100, () => recorder.AppendAsync(RunEntryKind.Event, labEvent: Snapshot("ns3", Interface("macvlan3", 3, parent: "h1/eth0", addresses: ["100.0.0.3/24"])) with { At = Start.AddMilliseconds(100) }));
        await At(200, () => recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2)) with { At = Start.AddMilliseconds(200) }));
        await At(300, () => recorder.AppendAsync(RunEntryKind.Event, labEvent: AddressAdded("ns2", "macvlan2", "100.0.0.2/24") with { At = Start.AddMilliseconds(300) }));
        var capture = new RunCaptureInfo(1, "ns2", "macvlan2");
        await At(400, () => recorder.CaptureStartedAsync(capture, 65535));
        await At(500, () => recorder.AppendAsync(RunEntryKind.Probe, probe: Probe(ownAddressReplies)));
        await At(510, () => recorder.AppendFrameAsync(1, new CapturedFrame(1, Start.AddMilliseconds(510), 60, Frame(1), Outgoing: true)));
        await At(520, () => recorder.AppendFrameAsync(1, new CapturedFrame(2, Start.AddMilliseconds(520), 60, Frame(2), Outgoing: false)));
        await At(600, () => recorder.CaptureEndedAsync(capture));
        await At(700, () => recorder.FinishAsync(RunStatus.Succeeded, "Run finished: 1 of 2 pairs replied"));
        return run.Id;
    }
}
