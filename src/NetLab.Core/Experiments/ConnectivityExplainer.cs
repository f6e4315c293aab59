namespace NetLab.Core.Experiments;

/// <summary>What address resolution for the target showed (Core's own copy of the agent's wire enum, so Core depends on nothing).</summary>
public enum NeighborResult
{
    /// <summary>Layer 2 works: a missing reply is a layer-3 matter.</summary>
    Answered,

    /// <summary>Nobody answered: frames never reached the target, or its answer never came back.</summary>
    Unanswered,

    /// <summary>No resolution was needed or possible (own address, or no route).</summary>
    NotNeeded,
}

/// <summary>One ping as the connectivity check saw it; <c>Error</c> says why the echo could not be sent at all, when it could not.</summary>
public sealed record ObservedPing(string From, string Address, bool Replied, NeighborResult Neighbor, string? Error = null)
{
    /// <summary>
    /// What the check saw, in words a student can act on: the neighbour outcome says which layer failed, so the
    /// enum's own name ("notneeded") is never shown.
    /// </summary>
    public string Describe()
    {
        if (Replied)
        {
            return "replied";
        }

        var why = Neighbor switch
        {
            NeighborResult.NotNeeded when Error is not null => "the echo could not be sent",
            NeighborResult.NotNeeded => "no neighbour lookup was needed (an own address goes through lo)",
            NeighborResult.Unanswered => "ARP/neighbour discovery got no answer (layer 2)",
            _ => "the neighbour answered but no echo reply came (layer 3)",
        };
        return Error is null ? $"no reply: {why}" : $"no reply: {why}; the kernel said: {Error}";
    }
}

/// <summary>How a pair's observation compares with its prediction.</summary>
public enum PairVerdict
{
    /// <summary>Only a prediction: the pair was not checked yet.</summary>
    NotChecked,

    /// <summary>Only an observation: NetLab has no prediction for it (e.g. a switch as source).</summary>
    NotPredicted,

    ReachableAsPredicted,

    FailedAsPredicted,

    /// <summary>The kernel did something else than predicted.</summary>
    Mismatch,
}

/// <summary>
/// A pair with its verdict and the text to show for it: why the pair behaves as it does, or why the observation
/// differs (null when there is nothing to explain), and how to make it work, when known.
/// </summary>
public sealed record PairExplanation(PairVerdict Verdict, string? Explanation, string? Fix);

/// <summary>Explains a failed ping, or a difference between a prediction and what the kernel did (docs/connectivity-rules.md).</summary>
public static class ConnectivityExplainer
{
    public static PairExplanation Explain(PairPrediction? prediction, ObservedPing? observation)
    {
        if (prediction is null)
        {
            return observation is null
                ? new PairExplanation(PairVerdict.NotChecked, null, null)
                : new PairExplanation(PairVerdict.NotPredicted, $"NetLab makes no prediction for {observation.From} to {observation.Address}; {Observed(observation)}.", null);
        }

        if (observation is null)
        {
            return new PairExplanation(PairVerdict.NotChecked, prediction.Explanation, prediction.Fix);
        }

        if (observation.Replied == prediction.Reachable)
        {
            return prediction.Reachable
                ? new PairExplanation(PairVerdict.ReachableAsPredicted, prediction.Explanation, null)
                : new PairExplanation(PairVerdict.FailedAsPredicted, prediction.Explanation, prediction.Fix);
        }

        if (observation.Replied)
        {
            return new PairExplanation(PairVerdict.Mismatch,
                $"NetLab predicted that {prediction.From} cannot reach {prediction.Address} (rule {prediction.Rule.Id}: {prediction.Explanation}), but a reply came. " +
                "The kernel differs from the lab file (was something changed outside NetLab, or is the applied revision another one?), or the rule is wrong.",
                "apply the lab again to make the kernel match it; if it still replies, report the rule " + prediction.Rule.Id + ".");
        }

        var expected = $"NetLab expected {prediction.From} to reach {prediction.Address} ({prediction.Explanation}), but no reply came.";
        return observation.Neighbor switch
        {
            NeighborResult.Unanswered => new PairExplanation(PairVerdict.Mismatch,
                $"{expected} Layer 2: nobody answered ARP for {prediction.Address}, so frames never reached {prediction.To} or its answer never came back.",
                "check in the live state that every interface on the way is up with carrier (lowerlayerdown or no carrier shows orange), that the NICs sit on the switch ports the lab says, and the macvlan modes and vlan ids."),
            NeighborResult.Answered => new PairExplanation(PairVerdict.Mismatch,
                $"{expected} Layer 3: {prediction.To} answered ARP, so layer 2 works, but the echo reply did not come back.",
                $"check that {prediction.To} has a route back to {prediction.From}'s address and that nothing (a firewall, rp_filter) drops ICMP there."),
            _ => new PairExplanation(PairVerdict.Mismatch,
                $"{expected} No neighbour was asked: {prediction.From} had no route to send it{(observation.Error is { } error ? $" ({error})" : "")}.",
                $"check that {prediction.From}'s interface in {prediction.Address}'s subnet is up and holds its address (live state)."),
        };
    }

    private static string Observed(ObservedPing observation) => observation.Replied
        ? "it replied"
        : $"it did not reply (neighbour {observation.Neighbor.ToString().ToLowerInvariant()}{(observation.Error is { } error ? $", {error}" : "")})";
}
