using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Agent;

/// <summary>Deleting a lab against the fake agent: the kernel lab is destroyed first, and a failed destroy deletes nothing.</summary>
public sealed class LabDeletionTests : IDisposable
{
    private const long Owner = LabStore.LocalUserId;

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly LiveLabs _live;
    private readonly RunStore _runs;
    private readonly LabDeletion _deletion;

    public LabDeletionTests()
    {
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _runs = new RunStore(_db.Database, TimeProvider.System);
        _deletion = new LabDeletion(new LabApplication(_agent, _db.Store, _live), _db.Store, _runs);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LabStore Store => _db.Store;

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task The_kernel_lab_is_destroyed_before_anything_is_deleted_then_the_lab_goes_with_its_revisions_and_runs()
    {
        var lab = await AppliedLabWithRunsAsync(runs: 2);

        var deleting = _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);
        await WaitForCallAsync($"destroy {lab.KernelName}");

        // The agent is destroying: the store has deleted nothing yet.
        Assert.False(deleting.IsCompleted);
        Assert.NotNull(await Store.GetLabAsync(Owner, lab.Id));
        Assert.Equal(2, await _runs.CountRunsAsync(Owner, lab.Id));

        _agent.Outcome.SetResult(Destroyed(lab.KernelName));
        var outcome = await deleting;

        Assert.True(outcome.Deleted, outcome.Error);
        Assert.Null(await Store.GetLabAsync(Owner, lab.Id));
        Assert.Empty(await Store.ListRevisionsAsync(Owner, lab.Id));
        Assert.Equal(0, await _runs.CountRunsAsync(Owner, lab.Id));
        Assert.Equal([$"destroy {lab.KernelName}"], _agent.Calls);
        // Acting for the lab's owner.
        Assert.Equal(OwnedKernelLab.ActingUserOf(Owner), Assert.Single(_agent.Acting).Lab.ActingUser);
    }

    [Fact]
    public async Task Without_an_agent_the_delete_is_refused_with_why_and_nothing_is_deleted()
    {
        var lab = await AppliedLabWithRunsAsync(runs: 1);
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed(
            "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", errorCode: AgentGateway.Unavailable));

        var outcome = await _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);

        Assert.False(outcome.Deleted);
        Assert.Equal(
            $"macvlan-bridge was not deleted: destroying its kernel lab {lab.KernelName} failed (The NetLab agent is not running at /run/netlab/agent.sock: " +
            "start it with `sudo netlab agent`). Nothing was deleted; fix that and delete again, so no namespace of the lab is left without a lab in NetLab that names it.",
            outcome.Error);
        await AssertUntouchedAsync(lab, runs: 1);
    }

    [Fact]
    public async Task A_destroy_the_kernel_refused_part_way_is_refused_too_and_names_the_command()
    {
        var lab = await AppliedLabWithRunsAsync(runs: 0);
        var operation = new PlannedOperation(0, "namespace-delete", "ns2", $"nl-{lab.KernelName}.ns2", $"ip netns del nl-{lab.KernelName}.ns2");
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(
            new ApplyResult(lab.KernelName, false, 3, 4, 2.0, new ApplyFailure(operation, "delete failed", "EBUSY", "Device or resource busy"))));

        var outcome = await _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);

        Assert.False(outcome.Deleted);
        Assert.Contains($"(ip netns del nl-{lab.KernelName}.ns2 failed: Device or resource busy)", outcome.Error, StringComparison.Ordinal);
        await AssertUntouchedAsync(lab, runs: 0);
    }

    [Fact]
    public async Task The_kernel_name_stays_the_labs_own_when_its_YAML_and_its_store_name_change()
    {
        var lab = await AppliedLabWithRunsAsync(runs: 0);
        var renamed = (await Store.GetCurrentRevisionAsync(Owner, lab.Id))!.Yaml.Replace("name: macvlan-bridge", "name: bridge-two", StringComparison.Ordinal);
        Assert.True((await Store.SaveRevisionAsync(Owner, lab.Id, renamed)).Succeeded);
        Assert.True((await Store.RenameAsync(Owner, lab.Id, "bridge-three")).Succeeded);
        _agent.Outcome.SetResult(Destroyed(lab.KernelName));

        var plan = (await _deletion.PlanAsync(Owner, lab.Id))!;
        var outcome = await _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);

        Assert.Equal((lab.KernelName, 2), (plan.KernelLab, plan.Revisions));
        Assert.True(outcome.Deleted);
        Assert.Equal([$"destroy {lab.KernelName}"], _agent.Calls);
    }

    [Fact]
    public async Task A_lab_never_applied_still_destroys_its_kernel_name_in_case_the_store_missed_an_apply_and_goes_when_the_agent_knows_none()
    {
        var lab = (await Store.CreateAsync(Owner, RepositoryFiles.Lab("macvlan-bridge.yaml"), "copy")).Value!;
        _agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed($"The kernel holds no lab named '{lab.KernelName}'.", errorCode: AgentErrorCodes.NotFound));

        var outcome = await _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);

        Assert.True(outcome.Deleted, outcome.Error);
        Assert.Equal([$"destroy {lab.KernelName}"], _agent.Calls);
    }

    [Fact]
    public async Task A_lab_applied_before_kernel_names_of_their_own_destroys_its_old_kernel_lab_as_the_administrator()
    {
        var lab = await AppliedLabWithRunsAsync(runs: 0);
        _db.MakeLegacy(lab.Id);
        _agent.Outcome.SetResult(Destroyed("macvlan-bridge"));

        var plan = (await _deletion.PlanAsync(Owner, lab.Id))!;
        var outcome = await _deletion.DeleteAsync(Owner, lab.Id, _ => { }, Cancel);

        Assert.Equal("macvlan-bridge", plan.KernelLab);
        Assert.True(outcome.Deleted, outcome.Error);
        var (call, kernel) = Assert.Single(_agent.Acting);
        // The agent recorded no owner for it (the web named none then): only the administrator reaches it.
        Assert.Equal(("destroy macvlan-bridge", true, null), (call, kernel.Legacy, kernel.ActingUser));
    }

    [Fact]
    public async Task An_old_kernel_name_another_legacy_lab_applied_since_is_left_to_that_lab()
    {
        var first = await AppliedLabWithRunsAsync(runs: 0);
        await Task.Delay(5, Cancel); // applied times are milliseconds: the second apply is later
        var second = (await Store.CreateAsync(Owner, RepositoryFiles.Lab("macvlan-bridge.yaml"), "bridge-copy")).Value!;
        Assert.True(await Store.MarkAppliedAsync(Owner, second.Id, 1));
        _db.MakeLegacy(first.Id);
        _db.MakeLegacy(second.Id);
        _agent.Outcome.SetResult(Destroyed(first.KernelName));

        var plan = (await _deletion.PlanAsync(Owner, first.Id))!;
        var outcome = await _deletion.DeleteAsync(Owner, first.Id, _ => { }, Cancel);

        Assert.Equal(first.KernelName, plan.KernelLab);
        Assert.True(outcome.Deleted);
        Assert.Equal([$"destroy {first.KernelName}"], _agent.Calls);
        var kept = (await Store.GetLabAsync(Owner, second.Id))!;
        Assert.Equal((1, true), (kept.AppliedRevision, kept.LegacyKernel));
    }

    private async Task<LabSummary> AppliedLabWithRunsAsync(int runs)
    {
        var lab = (await Store.CreateAsync(Owner, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        Assert.True(await Store.MarkAppliedAsync(Owner, lab.Id, 1));
        var yaml = (await Store.GetCurrentRevisionAsync(Owner, lab.Id))!.Yaml;
        for (var i = 0; i < runs; i++)
        {
            _ = await _runs.CreateRunAsync(Owner, lab.Id, 1, yaml, lab.KernelName, $"run {i}", "");
        }

        return (await Store.GetLabAsync(Owner, lab.Id))!;
    }

    private async Task AssertUntouchedAsync(LabSummary lab, int runs)
    {
        var kept = await Store.GetLabAsync(Owner, lab.Id);
        Assert.NotNull(kept);
        Assert.Equal(1, kept.AppliedRevision);
        Assert.Single(await Store.ListRevisionsAsync(Owner, lab.Id));
        Assert.Equal(runs, await _runs.CountRunsAsync(Owner, lab.Id));
    }

    private async Task WaitForCallAsync(string call)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_agent.Calls.Contains(call))
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static AgentOutcome<ApplyResult> Destroyed(string lab) => AgentOutcome<ApplyResult>.Success(new ApplyResult(lab, true, 4, 4, 1.0));
}
