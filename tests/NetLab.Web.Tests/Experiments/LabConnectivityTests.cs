using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Components;

namespace NetLab.Web.Tests.Experiments;

public sealed class LabConnectivityTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _runner = new();
    private readonly WebTestContext _context;

    public LabConnectivityTests() => _context = new WebTestContext(agent: _runner);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private async Task<IRenderedComponent<Lab>> OpenBridgeLabAsync(string? name = null)
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, ProbeReports.BridgeYaml, name)).Value!;
        return _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));
    }

    [Fact]
    public async Task The_lab_page_shows_predictions_and_a_check_shows_progress_then_the_agents_observations()
    {
        var page = await OpenBridgeLabAsync(name: "my-copy");
        Assert.All(page.FindAll("td.matrix-cell"), c => Assert.Equal("not-checked", c.GetAttribute("data-verdict")));

        page.Find("button.lab-check-connectivity").Click();

        Assert.NotNull(page.Find(".connectivity-progress"));
        Assert.True(page.Find("button.lab-check-connectivity").HasAttribute("disabled"));
        // The lab's own kernel name, readable from its store name.
        Assert.Matches("^probe my-copy-[0-9a-f]{5,}$", Assert.Single(_runner.Calls));

        _runner.ProbeOutcome.SetResult(AgentOutcome<ProbeReport>.Success(ProbeReports.Report(ProbeReports.AsPredicted())));

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".connectivity-progress")));
        Assert.Equal("ok", page.Find("td.matrix-cell[data-from='ns2'][data-address='100.0.0.3']").GetAttribute("data-verdict"));
        Assert.Contains("6 pairs checked in 12.5 ms", page.Find(".connectivity-summary").TextContent, StringComparison.Ordinal);
        Assert.False(page.Find("button.lab-check-connectivity").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_agent_that_cannot_check_is_said_plainly_and_the_predictions_stay()
    {
        var page = await OpenBridgeLabAsync();
        page.Find("button.lab-check-connectivity").Click();

        _runner.ProbeOutcome.SetResult(AgentOutcome<ProbeReport>.Failed("The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`"));

        page.WaitForAssertion(() => Assert.Contains("not running", page.Find(".connectivity-error").TextContent, StringComparison.Ordinal));
        Assert.Equal(6, page.FindAll("td.matrix-cell").Count);
    }

    [Fact]
    public async Task Predictions_come_from_the_applied_revision_when_the_current_one_differs()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, ProbeReports.BridgeYaml)).Value!;
        await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        await _context.Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, ProbeReports.BridgeYaml.Replace("mode: bridge", "mode: private", StringComparison.Ordinal));

        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        Assert.Equal("Predictions of revision 1, the applied one.", page.Find(".connectivity-source").TextContent);
        Assert.Equal("✓", page.Find("td[data-from='ns2'][data-address='100.0.0.3'] .matrix-predicted").TextContent);
    }

    [Fact]
    public async Task A_lab_made_from_a_template_shows_its_guide_on_the_lab_page()
    {
        var page = await OpenBridgeLabAsync();

        Assert.Contains("macvlan bridge mode", page.Find(".lab-guide .guide-title").TextContent, StringComparison.Ordinal);
        Assert.Equal(6, page.FindAll(".lab-guide .guide-expected-row").Count);
    }

    [Fact]
    public async Task The_gateway_never_throws_when_no_agent_answers()
    {
        using var client = new NetLab.Agent.Client.AgentClient(Path.Combine(Path.GetTempPath(), $"nltest-no-agent-{Guid.NewGuid():N}.sock"));

        var gateway = new AgentGateway(client, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AgentGateway>.Instance);

        var outcome = await gateway.ProbeAsync(new OwnedKernelLab("macvlan-bridge", NetLab.Web.Store.LabStore.LocalUserId), new ProbeRequest(), Xunit.TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Contains("The NetLab agent is not running at", outcome.Error, StringComparison.Ordinal);
    }
}
