using NetLab.Web.Agent;
using System.Text.Json;
using Bunit;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Web.Components.Controls.Topology;
using NetLab.Web.Model.Topology;
using NetLab.Web.Tests.Components;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Topology;

/// <summary>
/// The canvas component with its JS module mocked by bUnit: the palette and the property panel change the lab
/// (seen through the YAML the page receives), drops and keys reported by the module do too, validation problems show
/// in the panel and travel to the module with the graph, and live state goes to the module row by row.
/// </summary>
public sealed class TopologyCanvasTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly WebTestContext _context = new();
    private readonly List<string> _edits = [];
    private int _undos;

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<TopologyCanvas> Render(string yaml, OwnedKernelLab? kernelLab = null) =>
        _context.Bunit.Render<TopologyCanvas>(p => p
            .Add(c => c.Yaml, yaml)
            .Add(c => c.KernelLab, kernelLab)
            .Add(c => c.YamlChanged, edited => _edits.Add(edited))
            .Add(c => c.OnUndo, () => _undos++));

    private NetLab.Core.Labs.Lab LastLab => LabFormat.LoadYaml(_edits[^1]).Lab!;

    [Fact]
    public void The_graph_goes_to_the_module_once_drawn_with_the_seeds_macvlan_lines()
    {
        Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));

        var render = _context.Bunit.JSInterop.Invocations.Single(i => i.Identifier == "render");
        var graph = Assert.IsType<TopologyGraph>(render.Arguments[1]);
        Assert.Contains(graph.Edges, e => e is { From: "ns2/macvlan2", To: "h1/eth0", Label: "macvlan bridge" });
        Assert.Contains(_context.Bunit.JSInterop.Invocations, i => i.Identifier == "init");
    }

    [Fact]
    public void The_palette_adds_a_namespace_placed_and_selected_then_a_macvlan_in_it_marked_invalid()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));
        Assert.True(canvas.Find("button.topo-add-macvlan").HasAttribute("disabled"), "no box selected: nowhere to add an interface");

        canvas.Find("button.topo-add-namespace").Click();

        Assert.NotNull(LastLab.FindNamespace("ns1"));
        Assert.NotNull(LastLab.PositionOf("ns1"));
        Assert.Contains("ns1", canvas.Find(".prop-title").TextContent, StringComparison.Ordinal);

        canvas.Find("button.topo-add-macvlan").Click();

        Assert.Single(LastLab.FindNamespace("ns1")!.Interfaces, i => i.Name == "macvlan1");
        canvas.WaitForAssertion(() => Assert.Contains("the parent is empty", canvas.Find(".prop-problem").TextContent, StringComparison.Ordinal), Patience);
        var graph = (TopologyGraph)_context.Bunit.JSInterop.Invocations.Last(i => i.Identifier == "render").Arguments[1]!;
        Assert.Contains(graph.Marks, m => m.Id == "ns1/macvlan1");
        Assert.NotEqual("0", canvas.Find(".topo-surface").GetAttribute("data-marks"));
    }

    [Fact]
    public void An_edit_on_the_canvas_keeps_the_comments_of_the_labs_text()
    {
        var text = RepositoryFiles.Lab("macvlan-bridge.yaml");
        var comments = text.Split('\n').Where(l => l.TrimStart().StartsWith('#')).ToList();
        Assert.NotEmpty(comments);
        var canvas = Render(text);

        canvas.Find("button.topo-add-namespace").Click();

        Assert.NotNull(LastLab.FindNamespace("ns1"));
        Assert.All(comments, comment => Assert.Contains(comment, _edits[^1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_drop_reported_by_the_module_attaches_the_macvlan_and_clears_its_mark()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));
        canvas.Find("button.topo-add-namespace").Click();
        canvas.Find("button.topo-add-macvlan").Click();

        await canvas.InvokeAsync(() => canvas.Instance.AttachAsync("ns1/macvlan1", "h1/eth0"));

        Assert.Contains("parent: h1/eth0", _edits[^1], StringComparison.Ordinal);
        canvas.WaitForAssertion(() => Assert.Empty(canvas.FindAll(".prop-problem")), Patience);
        Assert.Empty(((TopologyGraph)_context.Bunit.JSInterop.Invocations.Last(i => i.Identifier == "render").Arguments[1]!).Marks);
    }

    [Fact]
    public async Task A_meaningless_drop_changes_nothing_and_says_why()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));

        await canvas.InvokeAsync(() => canvas.Instance.AttachAsync("h1/eth0", "ns2/macvlan2"));

        Assert.Empty(_edits);
        Assert.Contains("switch", canvas.Find(".topo-refusal").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_property_panel_edits_the_selected_macvlan_and_shows_the_validators_message_inline()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));
        await canvas.InvokeAsync(() => canvas.Instance.Select("ns2/macvlan2"));

        Assert.Equal("macvlan2", canvas.Find(".prop-name input").GetAttribute("value"));
        canvas.Find(".prop-addresses input").Change("100.0.0.9/24");
        // MudTextField hands its value on asynchronously; on a busy machine the edit lands after Change returns.
        canvas.WaitForAssertion(() => Assert.Contains("addresses: [100.0.0.9/24]", _edits.LastOrDefault() ?? "", StringComparison.Ordinal), Patience);

        canvas.Find(".prop-mac input").Change("not-a-mac");

        canvas.WaitForAssertion(() => Assert.Contains("'not-a-mac' is not a MAC address", canvas.Find(".prop-problem").TextContent, StringComparison.Ordinal), Patience);

        canvas.Find(".prop-name input").Change("mv2");

        Assert.NotNull(LastLab.FindNamespace("ns2")!.Interfaces.SingleOrDefault(i => i.Name == "mv2"));
        Assert.Equal("mv2", canvas.Find(".prop-name input").GetAttribute("value"));
    }

    [Fact]
    public async Task Delete_and_undo_reported_by_the_module_reach_the_lab_and_the_page()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));

        await canvas.InvokeAsync(() => canvas.Instance.DeleteAsync("ns3"));
        await canvas.InvokeAsync(() => canvas.Instance.UndoAsync());

        Assert.Null(LastLab.FindNamespace("ns3"));
        Assert.Equal(1, _undos);
    }

    [Fact]
    public async Task A_move_reported_on_pointer_up_is_saved_in_the_layout()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));

        await canvas.InvokeAsync(() => canvas.Instance.MovedAsync("ns2", 512, 384));

        Assert.Contains("ns2: {x: 512, y: 384}", _edits[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_that_does_not_read_as_a_lab_is_reported_and_the_last_drawing_stays()
    {
        var canvas = Render(RepositoryFiles.Lab("macvlan-bridge.yaml"));

        canvas.Render(p => p.Add(c => c.Yaml, "name: [unclosed"));

        Assert.Contains("does not read as a lab", canvas.Find(".topo-unreadable").TextContent, StringComparison.Ordinal);
        Assert.Single(_context.Bunit.JSInterop.Invocations, i => i.Identifier == "render");
    }

    [Fact]
    public async Task Live_state_goes_to_the_module_only_for_rows_that_changed()
    {
        _context.Agent.SnapshotOf = _ => [Snapshot("ns2", Interface("macvlan2", 2, addresses: ["100.0.0.2/24"])), Snapshot("ns3", Interface("macvlan3", 3))];
        Render(RepositoryFiles.Lab("macvlan-bridge.yaml"), kernelLab: Demo);
        await _context.Agent.WaitForWatchersAsync(1);

        // The two snapshots may go out in one push or two (the first change after a quiet spell goes at once).
        var initial = await WaitForLiveAsync(rows => rows.Select(r => r.Id).Distinct().Count() == 2);
        Assert.Contains(initial, r => r is { Id: "ns2/macvlan2", State: "up" } && r.Text.Contains("100.0.0.2/24", StringComparison.Ordinal));
        var pushesBefore = LivePushes().Count;

        _context.Agent.Publish(Changed("ns3", Interface("macvlan3", 3, operState: "down")));

        await WaitForLiveAsync(rows => rows.Any(r => r.State == "down"));
        var row = Assert.Single(LivePushes().Skip(pushesBefore).SelectMany(p => p));
        Assert.Equal(("ns3/macvlan3", "down"), (row.Id, row.State));
    }

    private List<IReadOnlyList<LiveRow>> LivePushes() =>
        [.. _context.Bunit.JSInterop.Invocations.Where(i => i.Identifier == "live").Select(i => (IReadOnlyList<LiveRow>)i.Arguments[1]!)];

    private async Task<IReadOnlyList<LiveRow>> WaitForLiveAsync(Func<IReadOnlyList<LiveRow>, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var rows = LivePushes().SelectMany(p => p).ToList();
            if (done(rows))
            {
                return rows;
            }

            await Task.Delay(20, Xunit.TestContext.Current.CancellationToken);
        }

        Assert.Fail($"the live pushes did not get there within {Patience.TotalSeconds} s: {JsonSerializer.Serialize(LivePushes())}");
        return [];
    }
}
