using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Components;

public sealed class LabPageRunTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _runner = new();
    private readonly WebTestContext _context;

    public LabPageRunTests() => _context = new WebTestContext(agent: _runner);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task A_failed_apply_shows_the_failing_lab_element_above_the_YAML()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        page.Find("button.lab-apply").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find("button.apply-run")));
        _context.Dialogs.Find("button.apply-run").Click();
        var failed = FakeAgentGateway.Operations[1];
        _runner.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(
            lab.Name, false, 1, 3, 1.5, new ApplyFailure(failed, "File exists", "EEXIST", "File exists"), RolledBack: true)));
        _context.Dialogs.WaitForAssertion(() => Assert.False(_context.Dialogs.Find("button.apply-close").HasAttribute("disabled")));
        _context.Dialogs.Find("button.apply-close").Click();

        page.WaitForAssertion(() => Assert.Equal(failed.Source, page.Find(".lab-run-failure .lab-failure-source").TextContent));
        Assert.Contains("File exists (EEXIST)", page.Find(".lab-run-failure").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_waits_for_unsaved_edits_to_be_saved()
    {
        var lab = (await _context.Store.CreateBlankAsync(LabStore.LocalUserId, "edited")).Value!;
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        // The page reads the lab asynchronously, and an edit reaches the buttons through the draft's own render: wait for
        // both rather than read the first render (a loaded machine failed this now and then).
        page.WaitForAssertion(() => Assert.False(page.Find("button.lab-apply").HasAttribute("disabled")));
        page.Find(".lab-yaml textarea").Change("name: edited\ndescription: not saved\n");

        page.WaitForAssertion(() => Assert.True(page.Find("button.lab-apply").HasAttribute("disabled")));
    }

    [Fact]
    public async Task Reset_to_the_applied_revision_makes_it_current_again()
    {
        var lab = (await _context.Store.CreateBlankAsync(LabStore.LocalUserId, "reset")).Value!;
        await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        await _context.Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, "name: reset\ndescription: two\n");
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        page.Find("button.lab-reset-applied").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("button.lab-reset-applied")));
        Assert.Equal(1, (await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.CurrentRevision);
        Assert.Equal("revision 1", page.FindAll(".mud-chip")[0].TextContent.Trim());
    }

    [Fact]
    public async Task Destroy_after_a_rename_names_the_labs_own_kernel_name_which_no_rename_changes()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        Assert.True((await _context.Store.RenameAsync(LabStore.LocalUserId, lab.Id, "renamed")).Succeeded);
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        var confirmation = Destroy(page, lab.KernelName);

        Assert.Contains("lab renamed from the kernel", confirmation, StringComparison.Ordinal);
        Assert.Contains($"The kernel knows this lab as {lab.KernelName}.", confirmation, StringComparison.Ordinal);
        Assert.Equal([$"destroy {lab.KernelName}"], _runner.Calls);
        Assert.Null((await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task A_lab_imported_under_another_name_is_destroyed_watched_and_checked_by_its_own_kernel_name_for_its_owner()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"), name: "imported")).Value!;
        Assert.StartsWith("imported-", lab.KernelName, StringComparison.Ordinal);
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        await _runner.WaitForWatchOfAsync(lab.KernelName);
        page.Find("button.lab-check-connectivity").Click();
        Destroy(page, lab.KernelName);

        Assert.Equal([$"probe {lab.KernelName}", $"destroy {lab.KernelName}"], _runner.Calls);
        Assert.All(_runner.Acting, a => Assert.Equal((lab.KernelName, OwnedKernelLab.ActingUserOf(LabStore.LocalUserId)), (a.Lab.Name, a.Lab.ActingUser)));
    }

    [Fact]
    public async Task A_lab_applied_before_kernel_names_of_their_own_is_watched_and_destroyed_under_its_old_name_until_it_moves()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        var renamedYaml = RepositoryFiles.Lab("macvlan-bridge.yaml").Replace("name: macvlan-bridge\n", "name: moved\n", StringComparison.Ordinal);
        Assert.True((await _context.Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, renamedYaml)).Succeeded);
        _context.MakeLegacy(lab.Id);
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        // The kernel holds macvlan-bridge (revision 1's YAML name, the old naming) until the lab is destroyed or applied again.
        await _runner.WaitForWatchOfAsync("macvlan-bridge");
        Destroy(page, "macvlan-bridge");

        Assert.Equal(["destroy macvlan-bridge"], _runner.Calls);
        Assert.Null(_runner.Acting.Single(a => a.Call == "destroy macvlan-bridge").Lab.ActingUser);
        Assert.False((await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.LegacyKernel);
    }

    /// <summary>Destroy on the page, confirmed, answered by the agent as a success for <paramref name="kernelLab"/>; returns the confirmation's text.</summary>
    private string Destroy(IRenderedComponent<Lab> page, string kernelLab)
    {
        page.Find("button.lab-destroy").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find("button.destroy-run")));
        var confirmation = _context.Dialogs.Find(".destroy-confirm").TextContent;
        _context.Dialogs.Find("button.destroy-run").Click();
        _runner.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(kernelLab, true, 1, 1, 0.5)));
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".apply-succeeded")));
        return confirmation;
    }
}
