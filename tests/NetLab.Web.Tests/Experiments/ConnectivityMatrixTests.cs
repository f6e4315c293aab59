using Bunit;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Experiments;
using NetLab.Web.Components.Controls.Experiments;
using NetLab.Web.Model;
using NetLab.Web.Tests.Components;

namespace NetLab.Web.Tests.Experiments;

public sealed class ConnectivityMatrixTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<ConnectivityMatrix> Render(IReadOnlyList<ProbeResult>? results) =>
        _context.Bunit.Render<ConnectivityMatrix>(p => p.Add(m => m.Model,
            ConnectivityMatrixModel.From(ProbeReports.BridgeYaml, results is null ? null : ProbeReports.Report(results))));

    private static string Verdict(IRenderedComponent<ConnectivityMatrix> matrix, string from, string address) =>
        matrix.Find($"td.matrix-cell[data-from='{from}'][data-address='{address}']").GetAttribute("data-verdict")!;

    [Fact]
    public void Before_a_check_every_pair_shows_its_prediction_and_nothing_observed()
    {
        var matrix = Render(null);

        Assert.Equal(["h1", "ns2", "ns3"], matrix.FindAll("tr.matrix-row").Select(r => r.GetAttribute("data-from")));
        Assert.Equal(6, matrix.FindAll("td.matrix-cell").Count);
        Assert.All(matrix.FindAll("td.matrix-cell"), c => Assert.Equal("not-checked", c.GetAttribute("data-verdict")));
        Assert.Equal("✓", matrix.Find("td[data-from='ns2'][data-address='100.0.0.3'] .matrix-predicted").TextContent);
        Assert.Equal("·", matrix.Find("td[data-from='ns2'][data-address='100.0.0.3'] .matrix-observed").TextContent);
    }

    [Fact]
    public void When_the_kernel_agrees_cells_are_coloured_as_predicted_ok_or_as_predicted_fail()
    {
        var matrix = Render(ProbeReports.AsPredicted());

        Assert.Equal("ok", Verdict(matrix, "ns2", "100.0.0.3"));
        Assert.Equal("ok", Verdict(matrix, "ns3", "100.0.0.2"));
        Assert.Equal("fail", Verdict(matrix, "ns2", "100.0.0.2"));
        Assert.Equal("fail", Verdict(matrix, "h1", "100.0.0.3"));
        Assert.Empty(matrix.FindAll(".matrix-mismatches"));
        Assert.Contains("--mud-palette-success", matrix.Find("td[data-from='ns2'][data-address='100.0.0.3']").GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("--mud-palette-info", matrix.Find("td[data-from='ns2'][data-address='100.0.0.2']").GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_is_red_counted_and_explained_as_layer_2_when_arp_went_unanswered()
    {
        var matrix = Render(ProbeReports.WithLayer2Mismatch());

        Assert.Equal("mismatch", Verdict(matrix, "ns2", "100.0.0.3"));
        Assert.Contains("--mud-palette-error", matrix.Find("td[data-from='ns2'][data-address='100.0.0.3']").GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains("1 pair differs from the prediction", matrix.Find(".matrix-mismatches").TextContent, StringComparison.Ordinal);

        matrix.Find("td[data-from='ns2'][data-address='100.0.0.3']").Click();

        Assert.Contains("Layer 2: nobody answered ARP for 100.0.0.3", matrix.Find(".matrix-details-explanation").TextContent, StringComparison.Ordinal);
        Assert.Contains("no reply: ARP/neighbour discovery got no answer (layer 2)", matrix.Find(".matrix-details-observed").TextContent, StringComparison.Ordinal);
        Assert.Equal("macvlan-bridge", matrix.Find(".matrix-details-rule").TextContent);
    }

    [Fact]
    public void Selecting_a_failing_cell_shows_the_explanation_and_the_fix()
    {
        var matrix = Render(ProbeReports.AsPredicted());

        matrix.Find("td[data-from='ns2'][data-address='100.0.0.2']").Click();

        Assert.Equal("ns2 → 100.0.0.2", matrix.Find(".matrix-details-pair").TextContent);
        Assert.Equal("ns2 cannot reach its own address 100.0.0.2: lo is down in ns2, and a ping to one's own address goes through lo.",
            matrix.Find(".matrix-details-explanation").TextContent);
        Assert.StartsWith("Fix: set loopback up", matrix.Find(".matrix-details-fix").TextContent, StringComparison.Ordinal);
        Assert.Equal("own-address-lo-down", matrix.Find(".matrix-details-rule").TextContent);
    }

    [Fact]
    public void Without_explanations_a_cell_shows_predicted_and_observed_but_no_rule_explanation_or_fix()
    {
        var matrix = _context.Bunit.Render<ConnectivityMatrix>(p => p
            .Add(m => m.Model, ConnectivityMatrixModel.From(ProbeReports.BridgeYaml, ProbeReports.Report(ProbeReports.AsPredicted())))
            .Add(m => m.ExplanationsHidden, true));

        matrix.Find("td[data-from='ns2'][data-address='100.0.0.2']").Click();

        Assert.Equal("ns2 → 100.0.0.2", matrix.Find(".matrix-details-pair").TextContent);
        Assert.Contains("your instructor chose", matrix.Find(".matrix-details-hidden").TextContent, StringComparison.Ordinal);
        Assert.Empty(matrix.FindAll(".matrix-details-explanation, .matrix-details-fix, .matrix-details-rule"));
        Assert.DoesNotContain("own-address-lo-down", matrix.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("lo is down", matrix.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pair_the_agent_checked_without_a_prediction_gets_its_own_row()
    {
        var results = ProbeReports.AsPredicted().Append(new ProbeResult("sw1", "ns2", "macvlan2", "100.0.0.2", false, NeighborOutcome.NotNeeded, Error: "Network is unreachable")).ToList();

        var matrix = Render(results);

        Assert.Equal("not-predicted", Verdict(matrix, "sw1", "100.0.0.2"));
        Assert.Equal(1, ConnectivityMatrixModel.From(ProbeReports.BridgeYaml, ProbeReports.Report(results)).Count(PairVerdict.NotPredicted));
    }

    [Fact]
    public void The_agents_neighbour_outcomes_map_onto_cores()
    {
        Assert.Equal(NeighborResult.Answered, ConnectivityMatrixModel.Observe(ProbeReports.AsPredicted()[3]).Neighbor);
        Assert.Equal(NeighborResult.Unanswered, ConnectivityMatrixModel.Observe(ProbeReports.WithLayer2Mismatch()[3]).Neighbor);
        Assert.Equal("Network is unreachable", ConnectivityMatrixModel.Observe(ProbeReports.AsPredicted()[0]).Error);
    }
}
