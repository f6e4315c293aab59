using NetLab.Web.Agent;
using Bunit;
using NetLab.Web.Components.Controls.Experiments;
using NetLab.Web.Components.Controls.Live;
using NetLab.Web.Components.Controls.Topology;
using NetLab.Web.Components.Pages;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>A lab's text is read once per edit, by the page, and its panels take that reading.</summary>
public sealed class LabDraftTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void A_draft_keeps_the_parsed_lab_its_problems_and_its_name()
    {
        var valid = LabDraft.Of(RepositoryFiles.Lab("macvlan-bridge.yaml"), "stored");
        Assert.True(valid.IsValid);
        Assert.Equal("macvlan-bridge", valid.Name);
        Assert.NotEmpty(valid.Predictions);

        // Invalid but readable: the lab is there to draw, with its problems, and its YAML name still finds its guide.
        var invalid = LabDraft.Of(RepositoryFiles.Lab("invalid/macvlan-passthru-two-children.yaml"), "stored");
        Assert.NotNull(invalid.Lab);
        Assert.Contains(invalid.Problems, p => p.Path == "namespaces.ns3.interfaces.macvlan3.parent");
        Assert.Equal(("macvlan-passthru-two", false), (invalid.Name, invalid.IsValid));
        Assert.Empty(invalid.Predictions);

        var unreadable = LabDraft.Of("name: [unclosed", "stored");
        Assert.Null(unreadable.Lab);
        Assert.NotEmpty(unreadable.Problems);
    }

    [Fact]
    public async Task The_lab_page_hands_its_panels_one_reading_of_the_revision()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        var canvas = page.FindComponent<TopologyCanvas>().Instance;
        var experiments = page.FindComponent<LabExperiments>().Instance;
        Assert.NotNull(canvas.Draft);
        Assert.Equal(canvas.Yaml, canvas.Draft!.Text);
        Assert.Same(canvas.Draft.Lab, canvas.Lab);
        Assert.Same(canvas.Draft, experiments.Draft);
        // The live panel watches the lab's own kernel name, acting for its owner; the connectivity check asks about the same.
        var kernel = new OwnedKernelLab(lab.KernelName, LabStore.LocalUserId);
        Assert.Equal(kernel, page.FindComponent<LiveInterfaces>().Instance.Lab);
        Assert.Equal(kernel, experiments.KernelLab);
        Assert.StartsWith("macvlan-bridge-", lab.KernelName, StringComparison.Ordinal);
    }
}
