using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Agent;

/// <summary>
/// The store's applied revision made to agree with the agent at start-up, against the fake agent: a kernel that holds a
/// lab (or not), and plans that are empty only for the revision the kernel holds.
/// </summary>
public sealed class AppliedStateReconcilerTests : IDisposable
{
    private const long Owner = LabStore.LocalUserId;
    private const string First = "name: alpha\n";
    private const string Second = "name: alpha\ndescription: second\n";

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly FakeLogger<AppliedStateReconciler> _logger = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentDictionary<string, string> _kernel = new(); // lab -> the YAML the kernel holds exactly
    private readonly ConcurrentQueue<string> _asked = new();

    public AppliedStateReconcilerTests()
    {
        _agent.StateOf = lab =>
        {
            _asked.Enqueue($"state {lab}");
            return _kernel.ContainsKey(lab)
                ? AgentOutcome<LabState>.Success(new LabState(lab, []))
                : AgentOutcome<LabState>.Failed($"The kernel holds no lab named '{lab}'.", errorCode: AgentErrorCodes.NotFound);
        };
        _agent.PlanOf = (lab, yaml) =>
        {
            _asked.Enqueue($"plan {lab}");
            var matches = _kernel.TryGetValue(lab, out var held) && held == yaml;
            return AgentOutcome<PlanView>.Success(new PlanView(lab, matches ? [] : FakeAgentGateway.Operations, []));
        };
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LabStore Store => _db.Store;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_store_that_says_applied_while_the_kernel_holds_no_such_lab_records_it_not_applied()
    {
        var lab = await LabAsync("alpha", First, applied: 1);

        var corrections = await Reconciler().ReconcileOnceAsync(Cancel);

        Assert.Null((await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        var correction = Assert.Single(corrections!);
        Assert.Equal((1, (int?)null, $"the kernel holds no lab {lab.KernelName}"), (correction.Was, correction.Now, correction.Why));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning
            && r.Message == $"Lab alpha (id {lab.Id}) recorded revision 1 as applied, but the kernel holds no lab {lab.KernelName}: now it records nothing");
    }

    [Fact]
    public async Task A_store_that_says_nothing_is_applied_while_the_kernel_holds_the_current_revision_records_it_applied()
    {
        // kill -9 of the web between the agent's apply and the store's record of it.
        var lab = await LabAsync("alpha", First, applied: null);
        _kernel[lab.KernelName] = First;

        var corrections = await Reconciler().ReconcileOnceAsync(Cancel);

        var now = (await Store.GetLabAsync(Owner, lab.Id))!;
        Assert.Equal(1, now.AppliedRevision);
        Assert.NotNull(now.Applied);
        Assert.Equal(((int?)null, (int?)1), (Assert.Single(corrections!).Was, corrections![0].Now));
    }

    [Fact]
    public async Task A_web_killed_while_applying_revision_2_over_revision_1_records_revision_2()
    {
        var lab = await LabAsync("alpha", First, applied: 1);
        Assert.True((await Store.SaveRevisionAsync(Owner, lab.Id, Second)).Succeeded);
        _kernel[lab.KernelName] = Second; // the agent finished the apply nobody was left to record

        await Reconciler().ReconcileOnceAsync(Cancel);

        Assert.Equal(2, (await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        Assert.Equal([$"state {lab.KernelName}", $"plan {lab.KernelName}", $"plan {lab.KernelName}"], _asked); // the recorded revision first, then the current one
    }

    [Fact]
    public async Task A_store_that_agrees_with_the_kernel_costs_one_state_and_one_plan_and_changes_nothing()
    {
        var lab = await LabAsync("alpha", First, applied: 1);
        Assert.True((await Store.SaveRevisionAsync(Owner, lab.Id, Second)).Succeeded);
        _kernel[lab.KernelName] = First;
        var before = (await Store.GetLabAsync(Owner, lab.Id))!;

        Assert.Empty((await Reconciler().ReconcileOnceAsync(Cancel))!);

        Assert.Equal(before, await Store.GetLabAsync(Owner, lab.Id));
        Assert.Equal([$"state {lab.KernelName}", $"plan {lab.KernelName}"], _asked);
    }

    [Fact]
    public async Task A_kernel_lab_that_matches_no_revision_is_left_as_recorded_and_said_so()
    {
        var lab = await LabAsync("alpha", First, applied: 1);
        _kernel[lab.KernelName] = "name: alpha\ndescription: changed by hand\n";

        Assert.Empty((await Reconciler().ReconcileOnceAsync(Cancel))!);

        Assert.Equal(1, (await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Message.StartsWith($"Lab alpha (id {lab.Id}): the kernel holds {lab.KernelName}, but none of its latest revisions exactly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_kernel_lab_another_lab_applied_is_not_claimed_by_a_copy_that_was_never_applied()
    {
        var applied = await LabAsync("alpha", First, applied: 1);
        var copy = await LabAsync("alpha-copy", First, applied: null); // the same YAML under another store name
        _kernel[applied.KernelName] = First;

        Assert.Empty((await Reconciler().ReconcileOnceAsync(Cancel))!);

        Assert.Equal(1, (await Store.GetLabAsync(Owner, applied.Id))!.AppliedRevision);
        Assert.Null((await Store.GetLabAsync(Owner, copy.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task An_apply_recorded_while_the_reconciler_asked_the_agent_is_not_undone()
    {
        // The store says revision 1; the kernel held nothing when asked (destroyed from the CLI), and an apply of the same
        // revision finishes and records itself before the answer is used: the newer record stands.
        var lab = await LabAsync("alpha", First, applied: 1);
        _agent.StateOf = name =>
        {
            Thread.Sleep(5); // a later millisecond than the first record
            Assert.True(Store.MarkAppliedAsync(Owner, lab.Id, 1).GetAwaiter().GetResult());
            return AgentOutcome<LabState>.Failed("no such lab", errorCode: AgentErrorCodes.NotFound);
        };

        Assert.Empty((await Reconciler().ReconcileOnceAsync(Cancel))!);

        var now = (await Store.GetLabAsync(Owner, lab.Id))!;
        Assert.Equal(1, now.AppliedRevision);
        Assert.True(now.Applied > lab.Applied);
    }

    [Fact]
    public async Task Without_an_agent_the_web_starts_at_once_nothing_changes_and_the_check_is_retried_later()
    {
        var lab = await LabAsync("alpha", First, applied: 1);
        var reachable = false;
        var original = _agent.StateOf!;
        _agent.StateOf = name => reachable
            ? original(name)
            : AgentOutcome<LabState>.Failed("The NetLab agent is not running at /run/netlab/agent.sock", errorCode: AgentGateway.Unavailable);
        var reconciler = Reconciler();

        await reconciler.StartAsync(Cancel); // returns before any answer: start-up never waits for the agent
        await WaitForLogAsync("Cannot check the labs' applied state against the kernel yet: The NetLab agent is not running at /run/netlab/agent.sock");
        Assert.Equal(1, (await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        Assert.False(reconciler.Completed.IsCompleted);

        reachable = true;
        await WaitForLogAsync("The labs' applied state is checked again in 5 s");
        var corrections = await AdvanceUntilAsync(reconciler.Completed, AppliedStateReconciler.FirstRetryDelay);

        Assert.Single(corrections);
        Assert.Null((await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        await reconciler.StopAsync(Cancel);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_apply_or_destroy_the_agent_gave_no_result_for_is_checked_against_the_kernel_once_it_answers(bool apply)
    {
        // The agent made (or removed) the whole lab, then was killed before its answer reached the web, which runs on:
        // the fault tests found the store then kept recording what the kernel no longer held, until the web restarted.
        var lab = await LabAsync("alpha", First, applied: apply ? null : 1);
        if (!apply)
        {
            _kernel[lab.KernelName] = First;
        }

        var reconciler = Reconciler();
        await reconciler.StartAsync(Cancel);
        Assert.Empty(await reconciler.Completed.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        using var live = new LiveLabs(_agent, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<LiveLabs>.Instance);
        var application = new LabApplication(_agent, Store, live, reconciler);

        var running = apply
            ? application.ApplyAsync(Owner, lab.Id, 1, First, _ => { }, Cancel)
            : application.DestroyAsync(Owner, lab.Id, _ => { }, Cancel);
        if (apply)
        {
            _kernel[lab.KernelName] = First;
        }
        else
        {
            _kernel.TryRemove(lab.KernelName, out _);
        }

        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed("The connection to the agent at /run/netlab/agent.sock broke: end of stream", errorCode: AgentErrorCodes.ConnectionLost));
        var outcome = await running;

        Assert.False(outcome.Recorded);
        await WaitForLogAsync("Checked the applied state of 1 labs against the kernel: 1 corrected");
        Assert.Equal(apply ? 1 : null, (await Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
        await reconciler.StopAsync(Cancel);
    }

    private AppliedStateReconciler Reconciler() => new(_agent, Store, _time, _logger);

    private async Task<LabSummary> LabAsync(string name, string yaml, int? applied)
    {
        var lab = (await Store.CreateAsync(Owner, yaml, name)).Value!;
        if (applied is { } revision)
        {
            Assert.True(await Store.MarkAppliedAsync(Owner, lab.Id, revision));
            await Task.Delay(2, Cancel); // applied times are milliseconds: later applies are later
        }

        return (await Store.GetLabAsync(Owner, lab.Id))!;
    }

    private async Task WaitForLogAsync(string message)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_logger.Collector.GetSnapshot().Any(r => r.Message == message))
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>
    /// Moves the fake clock on by <paramref name="step"/> until <paramref name="task"/> ends (at most 10 s of real time).
    /// The reconciler logs its retry before it starts the delay's timer: one step right after the log could come before
    /// the timer exists and never fire it (a loaded CI run timed out so).
    /// </summary>
    private async Task<T> AdvanceUntilAsync<T>(Task<T> task, TimeSpan step)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            _time.Advance(step);
            await Task.WhenAny(task, Task.Delay(100, Cancel));
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(1), Cancel);
    }
}
