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

        page.Find(".lab-yaml textarea").Change("name: edited\ndescription: not saved\n");

        Assert.True(page.Find("button.lab-apply").HasAttribute("disabled"));
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
}
