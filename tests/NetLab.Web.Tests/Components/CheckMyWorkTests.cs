using Bunit;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Web.Agent;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Components;

/// <summary>The lab page's "Check my work": enabled for an applied lab with checks, graded through the one fake agent.</summary>
public sealed class CheckMyWorkTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _agent = new();
    private readonly WebTestContext _context;

    public CheckMyWorkTests() => _context = new WebTestContext(agent: _agent);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private async Task<(LabSummary Lab, IRenderedComponent<Lab> Page)> BridgePageAsync(bool applied = true, bool checks = true)
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        if (checks)
        {
            Assert.True((await _context.Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, GradeStoreTests.Checks)).Succeeded);
        }

        if (applied)
        {
            await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        }

        return (lab, _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id)));
    }

    [Fact]
    public async Task The_button_waits_for_the_lab_to_be_applied()
    {
        var (_, page) = await BridgePageAsync(applied: false);

        Assert.True(page.Find("button.lab-check-my-work-button").HasAttribute("disabled"));
        Assert.StartsWith("Apply the lab first", page.Find(".check-my-work-blocked").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_button_waits_for_checks_and_saving_checks_enables_it()
    {
        var (_, page) = await BridgePageAsync(checks: false);
        Assert.True(page.Find("button.lab-check-my-work-button").HasAttribute("disabled"));
        Assert.StartsWith("The lab has no checks yet", page.Find(".check-my-work-blocked").TextContent, StringComparison.Ordinal);

        page.Find("button.checks-generate").Click();
        page.Find("button.checks-save").Click();

        page.WaitForAssertion(() => Assert.False(page.Find("button.lab-check-my-work-button").HasAttribute("disabled")));
    }

    [Fact]
    public async Task Check_my_work_shows_progress_then_every_checks_result_with_the_explanation_of_the_failed_one()
    {
        var (lab, page) = await BridgePageAsync();

        page.Find("button.lab-check-my-work-button").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find(".check-my-work-progress")));
        Assert.True(page.Find("button.lab-check-my-work-button").HasAttribute("disabled"));
        Assert.Equal([$"grade {lab.KernelName}"], _agent.Calls);
        Assert.Equal(GradeStoreTests.Checks, Assert.Single(_agent.GradeRequests).Request.Checks.Text);

        _agent.GradeOutcome.SetResult(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));

        page.WaitForAssertion(() => Assert.Equal("1 of 2 checks passed (1 failed)", page.Find(".grade-summary").TextContent.Trim()));
        Assert.Empty(page.FindAll(".check-my-work-progress"));
        var rows = page.FindAll("tr.grade-check");
        Assert.Equal(["passed", "failed"], rows.Select(r => r.GetAttribute("data-outcome")));
        Assert.Equal("ns2 reaches 100.0.0.3", rows[0].QuerySelector(".grade-expected")!.TextContent);
        Assert.Equal("ns2/macvlan2 is a macvlan in vepa mode", rows[1].QuerySelector(".grade-expected")!.TextContent);
        Assert.Contains("in bridge mode, up", rows[1].QuerySelector(".grade-observed")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("ns2/macvlan2 is a macvlan in bridge mode; the check expects vepa mode.", rows[1].QuerySelector(".grade-explanation")!.TextContent);
        Assert.Contains("set `mode: vepa`", rows[1].QuerySelector(".grade-fix")!.TextContent, StringComparison.Ordinal);
        Assert.Null(rows[0].QuerySelector(".grade-explanation"));

        // Recorded as a run, with its grade; the page links to it.
        var run = Assert.Single(await new RunStore(_context.Database, TimeProvider.System).ListRunsAsync(LabStore.LocalUserId, lab.Id));
        Assert.Equal("1 of 2 checks passed (1 failed)", run.Grade);
        Assert.Equal($"runs/{run.Id}", page.Find(".check-my-work-run a").GetAttribute("href"));
    }

    [Fact]
    public async Task Checks_the_agent_refuses_show_its_message_and_problems()
    {
        var (_, page) = await BridgePageAsync();
        var refusal = AgentGateway.Explain(new AgentClientException(System.Net.HttpStatusCode.UnprocessableEntity,
            new AgentError(AgentErrorCodes.InvalidChecks, "The checks have 1 problem", [new Problem("checks[0].from", "lab 'macvlan-bridge' has no host or namespace 'ns2'", "Use one of: h1, ns3")])), "/s");
        _agent.AnswerGrade(AgentOutcome<GradeView>.Failed(refusal));

        page.Find("button.lab-check-my-work-button").Click();

        page.WaitForAssertion(() => Assert.StartsWith("The agent refused the checks", page.Find(".check-my-work-error").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Contains("no host or namespace 'ns2'", page.Find(".lab-check-my-work .problem-list").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".grade-summary"));
    }

    [Fact]
    public async Task A_missing_agent_is_said_in_the_gateways_words()
    {
        var (_, page) = await BridgePageAsync();
        _agent.AnswerGrade(AgentOutcome<GradeView>.Failed(AgentGateway.Explain(new AgentUnavailableException("/run/netlab/agent.sock", "no agent"), "/run/netlab/agent.sock")));

        page.Find("button.lab-check-my-work-button").Click();

        page.WaitForAssertion(() => Assert.Equal(
            "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", page.Find(".check-my-work-error").TextContent.Trim()));
    }
}
