using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Model.Runs;
using NetLab.Web.Agent;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Tests.Components;

namespace NetLab.Web.Tests.Runs;

/// <summary>The run list (a lab's History page), the comparison page and the Lab page's "Run experiment" dialog in bUnit.</summary>
public sealed class RunHistoryPageTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _runner = new();
    private readonly WebTestContext _context;

    public RunHistoryPageTests()
    {
        _runner.AnswerProbe(AgentOutcome<ProbeReport>.Success(RunFixtures.Probe()));
        _context = new WebTestContext(
            services =>
            {
                services.AddLogging();
                services.AddSingleton<ExperimentRunner>();
            },
            _runner);
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private RunStore Runs => _context.Bunit.Services.GetRequiredService<RunStore>();

    [Fact]
    public async Task The_history_lists_runs_newest_first_and_search_narrows_them()
    {
        var first = await RunFixtures.RecordAsync(_context.Store, _context.Database, "vepa without hairpin", "ns2 cannot reach ns3");
        var second = await RunFixtures.RecordAsync(_context.Store, _context.Database, "bridge mode", "all replied");
        var labId = (await Runs.GetRunAsync(LabStore.LocalUserId, first))!.Summary.LabId;
        var page = _context.Bunit.Render<LabRuns>(p => p.Add(r => r.LabId, labId));

        Assert.Equal([second.ToString(), first.ToString()], page.FindAll(".run-row").Select(r => r.GetAttribute("data-run-id")));
        Assert.Equal("vepa without hairpin", page.FindAll(".run-row .run-link")[1].TextContent);

        page.Find(".runs-search-text input").Input("hairpin");
        page.WaitForAssertion(() => Assert.Equal([first.ToString()], page.FindAll(".run-row").Select(r => r.GetAttribute("data-run-id"))));

        page.Find(".runs-search-text input").Input("");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".run-row").Count));
        page.Find("select.runs-search-status").Change("failed");
        page.WaitForAssertion(() => Assert.Contains("No run matches", page.Find(".runs-empty").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ticking_two_runs_links_to_their_comparison_older_first()
    {
        var first = await RunFixtures.RecordAsync(_context.Store, _context.Database, ownAddressReplies: false);
        var second = await RunFixtures.RecordAsync(_context.Store, _context.Database, ownAddressReplies: true);
        var labId = (await Runs.GetRunAsync(LabStore.LocalUserId, first))!.Summary.LabId;
        var page = _context.Bunit.Render<LabRuns>(p => p.Add(r => r.LabId, labId));
        Assert.True(page.Find(".runs-compare").HasAttribute("disabled"));

        // Found again before each tick: a tick re-renders the list and its handlers.
        page.FindAll("input.run-select")[0].Change(true);
        page.FindAll("input.run-select")[1].Change(true);

        page.WaitForAssertion(() => Assert.EndsWith($"runs/compare/{first}/{second}", page.Find("a.runs-compare").GetAttribute("href"), StringComparison.Ordinal));

        var compare = _context.Bunit.Render<RunCompare>(p => p.Add(c => c.First, first).Add(c => c.Second, second));
        Assert.NotNull(compare.Find(".compare-topology-same"));
        var pair = compare.Find(".compare-probe");
        Assert.Equal("100.0.0.2", pair.GetAttribute("data-address"));
        Assert.Equal(("no reply", "replied"), (pair.QuerySelector(".compare-before")!.TextContent, pair.QuerySelector(".compare-after")!.TextContent));
    }

    [Fact]
    public async Task Run_experiment_on_the_lab_page_shows_the_runs_progress_from_the_store()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        page.Find("button.lab-run-experiment").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotEmpty(_context.Dialogs.FindAll(".run-capture-target")));
        Assert.Contains(_context.Dialogs.FindAll(".run-capture-target"), t => t.GetAttribute("data-target") == "ns2/macvlan2");
        _context.Dialogs.Find(".run-title input").Change("from the dialog");
        _context.Dialogs.Find("button.run-start").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".run-phase")));

        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, NetLab.Agent.Client.Contracts.OperationStatus.Done), Xunit.TestContext.Current.CancellationToken);
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("operation 1 of 3", _context.Dialogs.Find(".run-apply-progress").TextContent, StringComparison.Ordinal));
        _runner.Outcome.SetResult(FakeAgentGateway.Succeeded());

        _context.Dialogs.WaitForAssertion(() => Assert.Equal("succeeded", _context.Dialogs.Find(".run-status").GetAttribute("data-status")), TimeSpan.FromSeconds(20));
        Assert.Contains("1 of 2 pairs replied", _context.Dialogs.Find(".run-probe").TextContent, StringComparison.Ordinal);
        var run = Assert.Single(await Runs.ListRunsAsync(LabStore.LocalUserId, lab.Id));
        Assert.Equal(("from the dialog", RunStatus.Succeeded), (run.Title, run.Status));
        Assert.EndsWith($"runs/{run.Id}", _context.Dialogs.Find("a.run-open").GetAttribute("href"), StringComparison.Ordinal);
    }
}
