using Bunit;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>The delete dialog says what a delete does to the kernel and the runs, and a refused delete says why.</summary>
public sealed class DeleteLabDialogTests : IAsyncDisposable
{
    private const long Owner = LabStore.LocalUserId;
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private RunStore Runs => new(_context.Database, TimeProvider.System);

    [Fact]
    public async Task An_applied_lab_says_its_kernel_lab_will_be_destroyed_and_how_many_recorded_runs_are_deleted()
    {
        var lab = await CreateAsync("macvlan-bridge.yaml", applied: true, runs: 3);

        var dialog = OpenDeleteDialog(lab);

        Assert.Equal($"Delete {lab.Name} and its 1 revision? This cannot be undone.", Text(dialog, ".delete-what"));
        Assert.Equal(
            $"The applied lab will be destroyed first: revision 1, kernel name {lab.KernelName}; its namespaces and links are removed from the kernel.",
            Text(dialog, ".delete-kernel"));
        Assert.Equal("Its 3 recorded runs will be deleted with it.", Text(dialog, ".delete-runs"));
        Assert.Empty(_context.Agent.Calls); // nothing happens before Delete
    }

    [Fact]
    public async Task A_lab_never_applied_and_without_runs_says_so()
    {
        var lab = await CreateAsync("macvlan-vepa.yaml", applied: false, runs: 1);
        await _context.Store.SaveRevisionAsync(Owner, lab.Id, (await _context.Store.GetCurrentRevisionAsync(Owner, lab.Id))!.Yaml + "# edited\n");
        var blank = (await _context.Store.CreateBlankAsync(Owner, "empty")).Value!;

        var dialog = OpenDeleteDialog(lab);
        Assert.Equal($"Delete {lab.Name} and its 2 revisions? This cannot be undone.", Text(dialog, ".delete-what"));
        Assert.Equal($"It is not recorded as applied; should the kernel hold a lab named {lab.KernelName}, it will be destroyed first.", Text(dialog, ".delete-kernel"));
        Assert.Equal("Its 1 recorded run will be deleted with it.", Text(dialog, ".delete-runs"));
        _context.Dialogs.Find(".delete-cancel").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Empty(_context.Dialogs.FindAll(".delete-what")));

        dialog = OpenDeleteDialog(blank);
        Assert.Equal("It has no recorded runs.", Text(dialog, ".delete-runs"));
    }

    [Fact]
    public async Task A_destroy_that_fails_keeps_the_dialog_open_with_why_and_deletes_nothing()
    {
        var lab = await CreateAsync("macvlan-bridge.yaml", applied: true, runs: 2);
        _context.Agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Failed(
            "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", errorCode: AgentGateway.Unavailable));

        OpenDeleteDialog(lab);
        _context.Dialogs.Find(".delete-submit").Click();

        _context.Dialogs.WaitForAssertion(() => Assert.StartsWith(
            $"macvlan-bridge was not deleted: destroying its kernel lab {lab.KernelName} failed (The NetLab agent is not running",
            _context.Dialogs.Find(".delete-error").TextContent.Trim(),
            StringComparison.Ordinal));
        Assert.NotNull(await _context.Store.GetLabAsync(Owner, lab.Id));
        Assert.Equal(2, await Runs.CountRunsAsync(Owner, lab.Id));
        Assert.Equal([$"destroy {lab.KernelName}"], _context.Agent.Calls);
        Assert.False(_context.Dialogs.Find(".delete-submit").HasAttribute("disabled")); // delete again once the agent is back
    }

    private async Task<LabSummary> CreateAsync(string template, bool applied, int runs)
    {
        var lab = (await _context.Store.CreateAsync(Owner, RepositoryFiles.Lab(template))).Value!;
        if (applied)
        {
            Assert.True(await _context.Store.MarkAppliedAsync(Owner, lab.Id, 1));
        }

        var yaml = (await _context.Store.GetCurrentRevisionAsync(Owner, lab.Id))!.Yaml;
        for (var i = 0; i < runs; i++)
        {
            _ = await Runs.CreateRunAsync(Owner, lab.Id, 1, yaml, lab.Name, $"run {i}", "");
        }

        return lab;
    }

    private IRenderedComponent<MudBlazor.MudDialogProvider> OpenDeleteDialog(LabSummary lab)
    {
        var page = _context.Bunit.Render<Labs>();
        page.Find($"tr.lab-row[data-lab='{lab.Name}'] .lab-delete").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotEmpty(_context.Dialogs.FindAll(".delete-runs")));
        return _context.Dialogs;
    }

    private static string Text(IRenderedComponent<MudBlazor.MudDialogProvider> dialog, string selector) =>
        System.Text.RegularExpressions.Regex.Replace(dialog.Find(selector).TextContent, @"\s+", " ").Trim();
}
