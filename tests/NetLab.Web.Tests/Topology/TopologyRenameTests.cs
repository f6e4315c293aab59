using Bunit;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;
using NetLab.Web.Components.Controls.Topology;
using NetLab.Web.Model.Topology;
using NetLab.Web.Store;
using NetLab.Web.Tests.Components;

using LabPage = NetLab.Web.Components.Pages.Lab;

namespace NetLab.Web.Tests.Topology;

/// <summary>
/// Renaming in the property panel carries every reference (the lines on the canvas follow), a taken or invalid name
/// is refused with the reason and changes nothing, and one rename is one undo step on the lab page.
/// </summary>
public sealed class TopologyRenameTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    // The lab page's run controls want a runner; nothing here runs a lab.
    private readonly WebTestContext _context = new();
    private readonly List<string> _edits = [];

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<TopologyCanvas> Render(string? yaml = null) =>
        _context.Bunit.Render<TopologyCanvas>(p => p
            .Add(c => c.Yaml, yaml ?? RepositoryFiles.Lab("macvlan-bridge.yaml"))
            .Add(c => c.YamlChanged, edited => _edits.Add(edited)));

    private Lab LastLab => LabFormat.LoadYaml(_edits[^1]).Lab!;

    private TopologyGraph LastGraph =>
        (TopologyGraph)_context.Bunit.JSInterop.Invocations.Last(i => i.Identifier == "render").Arguments[1]!;

    [Fact]
    public async Task Renaming_a_host_moves_its_macvlan_lines_cable_and_position_to_the_new_name_in_one_edit()
    {
        var canvas = Render();
        var position = LabFormat.LoadYaml(RepositoryFiles.Lab("macvlan-bridge.yaml")).Lab!.PositionOf("h1");
        await canvas.InvokeAsync(() => canvas.Instance.Select("h1"));

        canvas.Find(".prop-element-name input").Change("server");

        canvas.WaitForAssertion(() => Assert.NotEmpty(_edits), Patience);
        var edit = Assert.Single(_edits);
        Assert.Empty(LabValidator.Validate(LastLab));
        // The lab's comments are prose and are carried over as written; the lab itself no longer names h1.
        Assert.DoesNotContain("h1", string.Join('\n', edit.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))), StringComparison.Ordinal);
        Assert.Contains("# Two children of h1's eth0", edit, StringComparison.Ordinal);
        Assert.Contains("parent: server/eth0", edit, StringComparison.Ordinal);
        Assert.Equal(position, LastLab.PositionOf("server"));
        canvas.WaitForAssertion(() => Assert.Contains(LastGraph.Edges, e => e is { From: "ns2/macvlan2", To: "server/eth0", Label: "macvlan bridge" }), Patience);
        Assert.Contains(LastGraph.Edges, e => e is { From: "ns3/macvlan3", To: "server/eth0" });
        Assert.Contains(LastGraph.Edges, e => e is { From: "server/eth0", To: "sw1/p1", Kind: "cable" });
        Assert.DoesNotContain(LastGraph.Edges, e => e.From.StartsWith("h1/", StringComparison.Ordinal) || e.To.StartsWith("h1/", StringComparison.Ordinal));
        Assert.Empty(LastGraph.Marks);
        Assert.Equal("server", canvas.Find(".prop-element-name input").GetAttribute("value"));
    }

    [Fact]
    public async Task Renaming_a_nic_moves_its_childrens_lines_and_renaming_a_port_keeps_the_cable()
    {
        var canvas = Render();
        await canvas.InvokeAsync(() => canvas.Instance.Select("h1/eth0"));

        canvas.Find(".prop-name input").Change("wan0");
        canvas.WaitForAssertion(() => Assert.NotEmpty(_edits), Patience);

        Assert.Contains("parent: h1/wan0", _edits[^1], StringComparison.Ordinal);
        canvas.WaitForAssertion(() => Assert.Contains(LastGraph.Edges, e => e is { From: "ns2/macvlan2", To: "h1/wan0" }), Patience);
        Assert.Equal("wan0", canvas.Find(".prop-name input").GetAttribute("value"));

        await canvas.InvokeAsync(() => canvas.Instance.Select("sw1/p1"));
        canvas.Find(".prop-name input").Change("uplink");
        canvas.WaitForAssertion(() => Assert.Equal(2, _edits.Count), Patience);

        Assert.Equal(2, _edits.Count);
        Assert.Empty(LabValidator.Validate(LastLab));
        canvas.WaitForAssertion(() => Assert.Contains(LastGraph.Edges, e => e is { From: "h1/wan0", To: "sw1/uplink", Kind: "cable" }), Patience);
    }

    [Fact]
    public async Task Comments_on_a_renamed_namespace_and_interface_follow_them_to_their_new_names()
    {
        var yaml = RepositoryFiles.Lab("macvlan-bridge.yaml")
            .Replace("  ns2:\n", "  # the left-hand child\n  ns2:\n", StringComparison.Ordinal)
            .Replace("mode: bridge, addresses: [100.0.0.2/24] }", "mode: bridge, addresses: [100.0.0.2/24] }  # seed's macvlan2", StringComparison.Ordinal);
        Assert.Contains("# seed's macvlan2", yaml, StringComparison.Ordinal);
        var canvas = Render(yaml);

        await canvas.InvokeAsync(() => canvas.Instance.Select("ns2"));
        canvas.Find(".prop-element-name input").Change("left");
        canvas.WaitForAssertion(() => Assert.Single(_edits), Patience);
        await canvas.InvokeAsync(() => canvas.Instance.Select("left/macvlan2"));
        canvas.Find(".prop-name input").Change("mv2");
        canvas.WaitForAssertion(() => Assert.Equal(2, _edits.Count), Patience);

        var lines = _edits[^1].Split('\n');
        var left = Array.FindIndex(lines, l => l.TrimEnd() == "  left:");
        Assert.Equal("  # the left-hand child", lines[left - 1]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("mv2:", StringComparison.Ordinal) && l.EndsWith("# seed's macvlan2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ns2", ".prop-element-name", "ns3", "the name 'ns3' is already used by namespaces.ns3")]
    [InlineData("ns2", ".prop-element-name", "two words", "only letters, digits, '-' and '_' are allowed")]
    [InlineData("ns2/macvlan2", ".prop-name", "lo", "'lo' is the loopback device every namespace already has")]
    [InlineData("h1/eth0", ".prop-name", "macvlan2", "ns2/macvlan2 is made in h1 (beside its parent) and then moved, so h1 cannot also have an interface named macvlan2")]
    public async Task A_taken_or_invalid_name_is_refused_with_the_reason_and_changes_nothing(string id, string field, string name, string reason)
    {
        var canvas = Render();
        await canvas.InvokeAsync(() => canvas.Instance.Select(id));
        var shown = canvas.Find($"{field} input").GetAttribute("value");

        canvas.Find($"{field} input").Change(name);

        // MudBlazor may finish the field's change handler after Change returns.
        canvas.WaitForAssertion(() => Assert.Contains(reason, canvas.Find(".prop-rename-refusal").TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(_edits);
        Assert.Equal(shown, canvas.Find($"{field} input").GetAttribute("value"));
        Assert.Empty(LastGraph.Marks);

        // Another selection leaves the reason behind.
        await canvas.InvokeAsync(() => canvas.Instance.Select("ns3"));
        Assert.Empty(canvas.FindAll(".prop-rename-refusal"));
    }

    [Fact]
    public async Task One_rename_is_one_undo_step_on_the_lab_page()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var page = _context.Bunit.Render<LabPage>(p => p.Add(l => l.LabId, lab.Id));
        var canvas = page.FindComponent<TopologyCanvas>();
        var saved = canvas.Instance.Yaml;
        await canvas.InvokeAsync(() => canvas.Instance.Select("h1"));

        page.Find(".prop-element-name input").Change("server");
        page.WaitForAssertion(() => Assert.Contains("server/eth0", canvas.Instance.Yaml, StringComparison.Ordinal), Patience);

        page.Find("button.lab-undo").Click();

        page.WaitForAssertion(() => Assert.Equal(saved, canvas.Instance.Yaml), Patience);
        Assert.NotNull(canvas.Instance.Lab!.FindNamespace("h1"));
    }
}
