using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Components.Pages;
using NetLab.Web.Model.Runs;
using NetLab.Web.Tests.Components;

namespace NetLab.Web.Tests.Runs;

/// <summary>The run page in bUnit: replay at the end, the scrubber, markers, play, the probe table and captures.</summary>
public sealed class RunPageTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new(services =>
    {
        services.AddLogging();
        services.AddSingleton<ExperimentRunner>();
    });

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private async Task<IRenderedComponent<Run>> RenderAsync()
    {
        var id = await RunFixtures.RecordAsync(_context.Store, _context.Database);
        return _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, id));
    }

    private static string StateOf(IRenderedComponent<Run> page, string name) =>
        page.Find($".run-state .live-interface[data-interface='{name}'] .live-state").ClassList.Single(c => c.StartsWith("live-state-", StringComparison.Ordinal));

    [Fact]
    public async Task A_graded_run_shows_its_grade_and_a_run_without_one_shows_none()
    {
        var lab = (await _context.Store.CreateAsync(Web.Store.LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var runs = new Web.Store.RunStore(_context.Database, TimeProvider.System);
        var graded = (await runs.RecordGradingAsync(Web.Store.LabStore.LocalUserId, lab.Id,
            new Web.Store.GradingRecord(1, RepositoryFiles.Lab("macvlan-bridge.yaml"), "macvlan-bridge", Grading.GradeStoreTests.Checks, DateTimeOffset.UtcNow, Grading.GradeStoreTests.Grade(), null)))!;

        var page = _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, graded.Id));

        Assert.Equal("1 of 2 checks passed (1 failed)", page.Find(".run-grade .grade-summary").TextContent.Trim());
        Assert.Equal(["passed", "failed"], page.FindAll(".run-grade tr.grade-check").Select(r => r.GetAttribute("data-outcome")));
        Assert.Contains(page.FindAll(".run-entry"), e => e.GetAttribute("data-kind") == "grade" && e.TextContent.Contains("grade: 1 of 2 checks passed", StringComparison.Ordinal));
        Assert.Empty((await RenderAsync()).FindAll(".run-grade"));
    }

    [Fact]
    public async Task A_run_opens_at_its_end_with_its_state_probe_and_captures()
    {
        var page = await RenderAsync();

        Assert.Equal("succeeded", page.Find(".run-status").GetAttribute("data-status"));
        Assert.Equal("700", page.Find(".run-time").GetAttribute("data-offset"));
        Assert.Equal("live-state-up", StateOf(page, "macvlan2"));
        Assert.Equal(["true", "false"], page.FindAll(".run-probe .probe-row").Select(r => r.GetAttribute("data-replied")));
        var download = page.Find(".run-capture-download");
        Assert.EndsWith("/captures/1.pcap", download.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("2 frames", page.Find(".run-capture").TextContent, StringComparison.Ordinal);
        Assert.EndsWith("/export", page.Find(".run-export").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("Run finished", page.Find(".run-entries .run-entry").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrubbing_back_shows_the_state_of_that_moment()
    {
        var page = await RenderAsync();

        page.Find("input.run-scrubber").Input("150");
        Assert.Equal("live-state-down", StateOf(page, "macvlan2"));
        Assert.NotNull(page.Find(".run-probe-none"));
        Assert.Equal("", page.Find(".run-state .live-interface[data-interface='macvlan2'] .live-addresses").TextContent);

        page.Find("input.run-scrubber").Input("25");
        Assert.NotNull(page.Find(".run-state-empty"));
        Assert.Contains("operation 2 of 3", page.Find(".run-state-applying").TextContent, StringComparison.Ordinal);

        page.Find("input.run-scrubber").Input("300");
        Assert.Equal("live-state-up", StateOf(page, "macvlan2"));
        Assert.Equal("100.0.0.2/24", page.Find(".run-state .live-interface[data-interface='macvlan2'] .live-addresses").TextContent);
    }

    [Fact]
    public async Task The_replay_names_the_parent_of_each_macvlan_child_whose_parent_is_in_another_namespace()
    {
        var page = await RenderAsync();
        string ParentOf(string name) => page.Find($".run-state .live-interface[data-interface='{name}'] td:nth-child(3)").TextContent;

        page.Find("input.run-scrubber").Input("150");
        Assert.Equal(["h1/eth0", "h1/eth0"], [ParentOf("macvlan2"), ParentOf("macvlan3")]);

        // macvlan2's link change at t=200 names no parent: the replay keeps the snapshot's.
        page.Find("input.run-scrubber").Input("700");
        Assert.Equal(["h1/eth0", "h1/eth0"], [ParentOf("macvlan2"), ParentOf("macvlan3")]);
    }

    [Fact]
    public async Task The_timeline_marks_the_entries_and_a_marker_click_goes_there()
    {
        var page = await RenderAsync();

        var probe = page.Find(".run-marker.run-marker-probe");
        Assert.Equal("500", probe.GetAttribute("data-offset"));
        Assert.NotEmpty(page.FindAll(".run-marker.run-marker-event"));
        Assert.NotEmpty(page.FindAll(".run-marker.run-marker-operation"));

        page.Find(".run-marker.run-marker-event[data-offset='100']").Click();

        Assert.Equal("100", page.Find(".run-time").GetAttribute("data-offset"));
        Assert.Equal("live-state-down", StateOf(page, "macvlan2"));
    }

    [Fact]
    public async Task Play_moves_through_the_run_at_the_chosen_speed_and_stops_at_the_end()
    {
        var page = await RenderAsync();
        page.Find(".run-to-start").Click();
        Assert.Equal("0", page.Find(".run-time").GetAttribute("data-offset"));

        page.Find("select.run-speed").Change("50");
        page.Find(".run-play").Click();

        // 100 ms ticks at 50x: 5 s of run per tick, so the first tick reaches the end of this 0.7 s run.
        page.WaitForAssertion(() => Assert.Equal("700", page.Find(".run-time").GetAttribute("data-offset")), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal("false", page.Find(".run-play").GetAttribute("data-playing")), TimeSpan.FromSeconds(10));
        Assert.Equal("live-state-up", StateOf(page, "macvlan2"));
    }

    [Fact]
    public void An_unknown_run_says_so()
    {
        var page = _context.Bunit.Render<Run>(p => p.Add(r => r.RunId, 999));

        Assert.Contains("There is no such run", page.Find(".run-missing").TextContent, StringComparison.Ordinal);
    }
}
