using NetLab.Core.Experiments;

namespace NetLab.Core.Tests.Experiments;

public sealed class ConnectivityExplainerTests
{
    private static PairPrediction Bridge(string from, string address) =>
        ConnectivityPredictor.Predict(ExampleLabs.Load("macvlan-bridge"), from, address)!;

    [Fact]
    public void A_reply_that_was_predicted_needs_no_fix()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.3"), new ObservedPing("ns2", "100.0.0.3", true, NeighborResult.Answered));

        Assert.Equal(PairVerdict.ReachableAsPredicted, explanation.Verdict);
        Assert.Null(explanation.Fix);
    }

    [Fact]
    public void A_predicted_failure_gets_the_rules_explanation_and_fix()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.2"), new ObservedPing("ns2", "100.0.0.2", false, NeighborResult.NotNeeded));

        Assert.Equal(PairVerdict.FailedAsPredicted, explanation.Verdict);
        Assert.Equal("ns2 cannot reach its own address 100.0.0.2: lo is down in ns2, and a ping to one's own address goes through lo.", explanation.Explanation);
        Assert.StartsWith("set loopback up", explanation.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unanswered_neighbour_makes_an_unexpected_failure_a_layer_2_matter()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.3"), new ObservedPing("ns2", "100.0.0.3", false, NeighborResult.Unanswered));

        Assert.Equal(PairVerdict.Mismatch, explanation.Verdict);
        Assert.Contains("Layer 2: nobody answered ARP for 100.0.0.3", explanation.Explanation, StringComparison.Ordinal);
        Assert.Contains("carrier", explanation.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answered_neighbour_without_a_reply_is_a_layer_3_matter()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.3"), new ObservedPing("ns2", "100.0.0.3", false, NeighborResult.Answered));

        Assert.Equal(PairVerdict.Mismatch, explanation.Verdict);
        Assert.Contains("Layer 3: ns3 answered ARP, so layer 2 works", explanation.Explanation, StringComparison.Ordinal);
        Assert.Contains("route back", explanation.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void No_neighbour_asked_shows_the_agents_error()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.3"), new ObservedPing("ns2", "100.0.0.3", false, NeighborResult.NotNeeded, "Network is unreachable"));

        Assert.Contains("no route to send it (Network is unreachable)", explanation.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_where_a_failure_was_predicted_names_the_rule()
    {
        var explanation = ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.2"), new ObservedPing("ns2", "100.0.0.2", true, NeighborResult.NotNeeded));

        Assert.Equal(PairVerdict.Mismatch, explanation.Verdict);
        Assert.Contains("rule own-address-lo-down", explanation.Explanation, StringComparison.Ordinal);
        Assert.Contains("apply the lab again", explanation.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_prediction_is_not_checked_and_only_an_observation_is_not_predicted()
    {
        Assert.Equal(PairVerdict.NotChecked, ConnectivityExplainer.Explain(Bridge("ns2", "100.0.0.3"), null).Verdict);

        var unpredicted = ConnectivityExplainer.Explain(null, new ObservedPing("sw1", "100.0.0.3", false, NeighborResult.NotNeeded, "Network is unreachable"));

        Assert.Equal(PairVerdict.NotPredicted, unpredicted.Verdict);
        Assert.Contains("no prediction for sw1 to 100.0.0.3", unpredicted.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, NeighborResult.NotNeeded, null, "replied")]
    [InlineData(false, NeighborResult.NotNeeded, null, "no reply: no neighbour lookup was needed (an own address goes through lo)")]
    [InlineData(false, NeighborResult.NotNeeded, "Network is unreachable", "no reply: the echo could not be sent; the kernel said: Network is unreachable")]
    [InlineData(false, NeighborResult.Unanswered, null, "no reply: ARP/neighbour discovery got no answer (layer 2)")]
    [InlineData(false, NeighborResult.Answered, null, "no reply: the neighbour answered but no echo reply came (layer 3)")]
    public void An_observation_is_described_in_words_not_by_its_enum_name(bool replied, NeighborResult neighbor, string? error, string expected)
    {
        var description = new ObservedPing("ns2", "100.0.0.2", replied, neighbor, error).Describe();

        Assert.Equal(expected, description);
        Assert.DoesNotContain("notneeded", description, StringComparison.OrdinalIgnoreCase);
    }
}
