using NetLab.Agent.Client.Contracts;
using NetLab.Core.Experiments;
using NetLab.Core.Formats;

namespace NetLab.Web.Model;

/// <summary>One cell of the connectivity matrix: a ping's prediction, what the check saw, and the verdict with its text.</summary>
public sealed record ConnectivityCell(string From, string Address, PairPrediction? Prediction, ObservedPing? Observation, PairExplanation Explanation)
{
    public string Key => $"{From}>{Address}";
}

/// <summary>A column of the matrix: an address of the lab and the element and interface holding it.</summary>
public sealed record ConnectivityTarget(string Address, string To, string ToInterface);

/// <summary>
/// The matrix the lab page shows: rows are sources (hosts and namespaces), columns the lab's addresses, each cell the
/// prediction beside the observation. Pairs the check reports without a prediction (e.g. from a switch) get rows and
/// columns of their own, so nothing the agent saw is hidden.
/// </summary>
public sealed record ConnectivityMatrixModel(IReadOnlyList<string> Sources, IReadOnlyList<ConnectivityTarget> Targets, IReadOnlyDictionary<string, ConnectivityCell> Cells)
{
    public static ConnectivityMatrixModel Empty { get; } = new([], [], new Dictionary<string, ConnectivityCell>());

    public ConnectivityCell? Cell(string from, string address) => Cells.GetValueOrDefault($"{from}>{address}");

    public int Count(PairVerdict verdict) => Cells.Values.Count(c => c.Explanation.Verdict == verdict);

    /// <summary>The predictions of a lab's YAML (none when it is not a valid lab) beside a check's report (null before any).</summary>
    public static ConnectivityMatrixModel From(string yaml, ProbeReport? report)
    {
        var loaded = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        return From(loaded.Succeeded ? ConnectivityPredictor.Predict(loaded.Lab!) : [], report);
    }

    public static ConnectivityMatrixModel From(IReadOnlyList<PairPrediction> predictions, ProbeReport? report)
    {
        var observations = (report?.Results ?? []).ToDictionary(r => $"{r.From}>{r.Address}", Observe);
        var sources = predictions.Select(p => p.From).Concat((report?.Results ?? []).Select(r => r.From)).Distinct().ToList();
        var targets = predictions.Select(p => new ConnectivityTarget(p.Address, p.To, p.ToInterface))
            .Concat((report?.Results ?? []).Select(r => new ConnectivityTarget(r.Address, r.To, r.ToInterface)))
            .DistinctBy(t => t.Address).ToList();
        var byKey = predictions.ToDictionary(p => $"{p.From}>{p.Address}");
        var cells = new Dictionary<string, ConnectivityCell>();
        foreach (var key in byKey.Keys.Concat(observations.Keys).Distinct())
        {
            var prediction = byKey.GetValueOrDefault(key);
            var observation = observations.GetValueOrDefault(key);
            var (from, address) = prediction is not null ? (prediction.From, prediction.Address) : (observation!.From, observation.Address);
            cells[key] = new ConnectivityCell(from, address, prediction, observation, ConnectivityExplainer.Explain(prediction, observation));
        }

        return new ConnectivityMatrixModel(sources, targets, cells);
    }

    /// <summary>The agent's wire record as Core's observation (Core does not know the agent).</summary>
    public static ObservedPing Observe(ProbeResult result) => ProbeObservations.Of(result);
}
