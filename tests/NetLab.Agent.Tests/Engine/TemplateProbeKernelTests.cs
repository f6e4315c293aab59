using NetLab.Agent.Client.Contracts;
using NetLab.Core.Experiments;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Every template of labs/ applied through the engine and checked with the agent's own connectivity check (ICMP
/// sockets and the neighbour table, all pairs at once): each observed pair is what the predictor says, and the
/// template guides' expected results equal the predictor (Core's LabGuideTests), so observed == expected. The vlan
/// template needs 8021q: it skips here and runs inside user-mode Linux (EngineOnUserModeLinuxTests).
/// </summary>
public sealed class TemplateProbeKernelTests
{
    public static TheoryData<string> Templates() =>
        new(RepositoryFiles.ExampleLabs().Select(Path.GetFileNameWithoutExtension)!);

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task A_template_applied_through_the_agent_checks_out_as_predicted_pair_by_pair(string template)
    {
        using var lab = new EngineLab();
        var definition = LoadLab(template + ".yaml");
        if (template == "vlan-888" && !lab.KernelCanCreateVlan())
        {
            Assert.Skip("This kernel lacks 802.1Q vlan; the second kernel (user-mode Linux) runs this case.");
        }

        AssertSucceeded(await lab.Engine.ApplyAsync(definition));
        ProbeReport report;
        try
        {
            report = await lab.Engine.ProbeAsync(definition.Name, new ProbeRequest(TimeoutMilliseconds: 3000));
        }
        finally
        {
            AssertSucceeded(await lab.Engine.DestroyAsync(definition.Name));
        }

        var observed = report.Results.ToDictionary(r => (r.From, r.Address), r => r);
        var predictions = ConnectivityPredictor.Predict(definition);
        var differences = predictions
            .Select(p => (Prediction: p, Observation: observed.GetValueOrDefault((p.From, p.Address))))
            .Where(pair => pair.Observation is null || pair.Observation.Replied != pair.Prediction.Reachable)
            .Select(pair => $"{pair.Prediction.From} -> {pair.Prediction.Address}: predicted {(pair.Prediction.Reachable ? "reachable" : "fails")} ({pair.Prediction.Rule.Id}), observed {(pair.Observation is null ? "nothing (pair not checked)" : pair.Observation.Replied ? "reply" : $"no reply, neighbour {pair.Observation.Neighbor}")}")
            .ToList();

        Assert.NotEmpty(predictions);
        Assert.Empty(lab.Namespaces());
        Assert.True(differences.Count == 0, $"{template}: observed differs from expected:{Environment.NewLine}{string.Join(Environment.NewLine, differences)}");
        Assert.Equal(predictions.Count, report.Results.Count(r => predictions.Any(p => p.From == r.From && p.Address == r.Address)));
    }
}
