using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;
using NetLab.Web.Agent;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly RunStore _runs;
    private readonly FakeAgentGateway _agent = new()
    {
        StartCapturesAtOnce = true,
        SnapshotOf = _ => [Snapshot("sw1", Interface("br0", 1)), Snapshot("h1", Interface("eth0", 2)), Snapshot("ns2", Interface("macvlan2", 3, "down", false)), Snapshot("ns3", Interface("macvlan3", 4))],
    };

    private readonly ExperimentRunner _experiments;
    private readonly LiveLabs _live;

    public ExperimentRunnerTests()
    {
        _runs = new RunStore(_db.Database, TimeProvider.System);
        _agent.AnswerProbe(AgentOutcome<ProbeReport>.Success(RunFixtures.Probe()));
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _experiments = new ExperimentRunner(
            _runs, new LabApplication(_agent, _db.Store, _live), _live, _agent, TimeProvider.System, NullLogger<ExperimentRunner>.Instance);
    }

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    private static ExperimentOptions Options(params CaptureTarget[] captures) => new("bridge", "as in the seed", captures)
    {
        SnapshotWait = TimeSpan.FromSeconds(5),
        CaptureArmWait = TimeSpan.FromSeconds(5),
        CaptureLinger = TimeSpan.FromMilliseconds(50),
    };

    private async Task<ExperimentRun> StartAsync(ExperimentOptions options)
    {
        var lab = (await _db.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var revision = (await _db.Store.GetCurrentRevisionAsync(LabStore.LocalUserId, lab.Id))!;
        return await _experiments.StartAsync(LabStore.LocalUserId, lab, revision, options);
    }

    private static List<RunEntryKind> Steps(IEnumerable<RunEntry> entries) => [.. entries.Where(e => e.Kind != RunEntryKind.Event).Select(e => e.Kind)];

    [Fact]
    public async Task A_run_applies_records_events_captures_checks_connectivity_and_finishes()
    {
        var capture = _agent.CaptureOf("ns2/macvlan2");
        capture.Writer.TryWrite(new CaptureStreamItem(Frame: new CapturedFrame(1, RunFixtures.Start, 60, RunFixtures.Frame(1), true)));
        capture.Writer.TryWrite(new CaptureStreamItem(Frame: new CapturedFrame(2, RunFixtures.Start, 60, RunFixtures.Frame(2), false)));
        var run = await StartAsync(Options(new CaptureTarget("ns2", "macvlan2")));
        Assert.Same(run, _experiments.Active(run.Run.Id));

        await _agent.WaitForWatchersAsync(1);
        foreach (var index in new[] { 0, 1, 2 })
        {
            await _agent.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(index, OperationStatus.Done), TestContext.Current.CancellationToken);
        }

        _agent.Publish(Changed("ns2", Interface("macvlan2", 3)));
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Null(_experiments.Active(run.Run.Id));
        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Run.Id);
        Assert.Equal(
            [RunEntryKind.Status, RunEntryKind.Operation, RunEntryKind.Operation, RunEntryKind.Operation, RunEntryKind.Applied,
             RunEntryKind.CaptureStarted, RunEntryKind.Probe, RunEntryKind.CaptureEnded, RunEntryKind.Status],
            Steps(entries));
        Assert.Equal(5, entries.Count(e => e.Kind == RunEntryKind.Event));
        Assert.Contains(entries, e => e.Event is { Kind: LabEventKind.InterfaceChanged, Interface.OperState: "up" });
        Assert.Equal("Run finished: 1 of 2 pairs replied", entries[^1].Message);
        // Under the lab's own kernel name, acting for its owner throughout.
        Assert.StartsWith("macvlan-bridge-", run.Run.KernelLab, StringComparison.Ordinal);
        Assert.Equal(["apply", $"capture {run.Run.KernelLab} ns2/macvlan2", $"probe {run.Run.KernelLab}"], _agent.Calls);
        Assert.All(_agent.Acting, a => Assert.Equal((run.Run.KernelLab, "1"), (a.Lab.Name, a.Lab.ActingUser)));
        Assert.Equal(2, (await _runs.GetCapturesAsync(LabStore.LocalUserId, run.Run.Id)).Single().FrameCount);

        // What the dialog shows came from committed entries, and it matches the store.
        Assert.Equal((5, 2, 2), (run.EventCount, run.Frames[1], run.Probe!.Results.Count));
        Assert.Equal(ExperimentPhase.Done, run.Phase);
        Assert.Equal(1, (await _db.Store.GetLabAsync(LabStore.LocalUserId, run.Run.LabId))!.AppliedRevision);
    }

    [Fact]
    public async Task Without_an_agent_the_run_fails_saying_how_to_start_it_and_checks_nothing()
    {
        var run = await StartAsync(Options());

        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed("The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`"));
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal(["apply"], _agent.Calls);
        var last = (await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Run.Id))[^1];
        Assert.Equal("Apply failed: The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", last.Message);
        Assert.Contains(last.Message!, run.Messages);
    }

    [Fact]
    public async Task A_failed_apply_is_recorded_with_its_result_and_the_run_fails()
    {
        var run = await StartAsync(Options());

        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(FakeAgentGateway.Lab, false, 1, 3, 1.5,
            new ApplyFailure(FakeAgentGateway.Operations[1], "File exists", "EEXIST", "File exists"), RolledBack: true)));
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Failed, finished.Status);
        var entries = await _runs.GetEntriesAsync(LabStore.LocalUserId, run.Run.Id);
        Assert.Equal([RunEntryKind.Status, RunEntryKind.Applied, RunEntryKind.Status], Steps(entries));
        Assert.Equal("Apply failed: File exists (rolled back)", entries[^1].Message);
        Assert.Null((await _db.Store.GetLabAsync(LabStore.LocalUserId, run.Run.LabId))!.AppliedRevision);
    }

    [Fact]
    public async Task A_capture_the_agent_refuses_is_recorded_and_the_run_goes_on()
    {
        _agent.RefuseCaptureOf = "ns3/nosuch";
        var run = await StartAsync(Options(new CaptureTarget("ns3", "nosuch")));

        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Contains("Capture on ns3/nosuch failed: ns3/nosuch does not exist", run.Messages);
        Assert.Empty(await _runs.GetCapturesAsync(LabStore.LocalUserId, run.Run.Id));
    }

    [Fact]
    public async Task A_capture_over_the_agents_limit_is_said_plainly_and_the_run_goes_on_with_the_others()
    {
        // Four captures are what the agent runs on one lab; the Lab page already holds one of them.
        _agent.CaptureLimit = CaptureRequest.DefaultMaxPerLab;
        await using var pageCapture = _agent.CaptureAsync(new OwnedKernelLab("macvlan-bridge", LabStore.LocalUserId), new CaptureRequest("sw1", "br0"), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await pageCapture.MoveNextAsync());
        var targets = new[] { new CaptureTarget("ns2", "macvlan2"), new CaptureTarget("ns3", "macvlan3"), new CaptureTarget("h1", "eth0"), new CaptureTarget("sw1", "p1") };
        var run = await StartAsync(Options(targets));

        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(3, (await _runs.GetCapturesAsync(LabStore.LocalUserId, run.Run.Id)).Count);
        var refused = Assert.Single(run.Messages, m => m.Contains("capture limit", StringComparison.Ordinal));
        Assert.StartsWith("Capture on ", refused, StringComparison.Ordinal);
        Assert.Contains($" was not started: the agent is at its capture limit. Lab '{run.Run.KernelLab}' has 4 captures running, the limit per lab (4 at once", refused, StringComparison.Ordinal);
        Assert.Contains("The run went on without this capture", refused, StringComparison.Ordinal);
        Assert.Contains("choose at most 4 captures per run and stop the lab's other captures (the Lab page's Capture panel)", refused, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Messages, m => m.Contains("failed", StringComparison.Ordinal));
        Assert.Equal("Run finished: 1 of 2 pairs replied", run.Messages[^1]);
    }

    [Fact]
    public async Task A_failed_connectivity_check_fails_the_run_with_the_agents_reason()
    {
        _agent.AnswerProbe(AgentOutcome<ProbeReport>.Failed("probe is not supported by this agent"));
        var run = await StartAsync(Options());

        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var finished = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal("The connectivity check failed: probe is not supported by this agent", run.Messages[^1]);
    }
}
