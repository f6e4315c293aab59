using System.Net;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Grading;

namespace NetLab.Agent.Tests.Api;

/// <summary>POST /v1/labs/{name}/grade: checks graded against the lab's connectivity check, and every bad request refused before anything is probed.</summary>
public sealed class GradeEndpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string LabYaml = RepositoryFiles.Lab("macvlan-bridge.yaml");

    private const string Checks = """
        checks:
          - { from: ns2, reaches: 100.0.0.3 }
          - { from: ns3, reaches: 100.0.0.2 }
          - { from: ns2, reaches: 100.0.0.2 }
          - { interface: ns2/macvlan2, up: true }
        """;

    [Fact]
    public async Task Checks_are_graded_against_the_probe_each_with_its_outcome_and_what_was_seen()
    {
        await using var agent = await TestAgent.StartAsync();
        await agent.Client.ApplyAsync(new LabDocument(LabYaml), Cancel).LastAsync(Cancel);

        var grade = await agent.Client.GradeAsync("macvlan-bridge", new GradeRequest(new LabDocument(LabYaml), new LabDocument(Checks)), Cancel);

        // The fake's probe: ns2 reaches 100.0.0.3; ns3's ARP for 100.0.0.2 went unanswered; ns2's own address fails.
        Assert.Equal(
            [("ns2 reaches 100.0.0.3", CheckOutcome.Passed), ("ns3 reaches 100.0.0.2", CheckOutcome.Failed), ("ns2 reaches 100.0.0.2", CheckOutcome.Failed), ("ns2/macvlan2 is up", CheckOutcome.NotChecked)],
            grade.Checks.Select(c => (c.Text, c.Outcome)));
        Assert.Equal((1, 2, 1, 0.25), (grade.Passed, grade.Failed, grade.NotChecked, grade.Score));
        Assert.All(grade.Checks.Where(c => c.Outcome == CheckOutcome.Failed), c => Assert.False(string.IsNullOrEmpty(c.Explanation)));
        Assert.Contains("grade macvlan-bridge 4", agent.Engine.Calls);
    }

    [Fact]
    public async Task Checks_that_do_not_fit_the_lab_are_a_422_with_their_problems_and_nothing_is_probed()
    {
        await using var agent = await TestAgent.StartAsync();
        await agent.Client.ApplyAsync(new LabDocument(LabYaml), Cancel).LastAsync(Cancel);

        var error = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.GradeAsync(
            "macvlan-bridge", new GradeRequest(new LabDocument(LabYaml), new LabDocument("checks:\n  - { from: ns9, reaches: 100.0.0.3 }\n")), Cancel));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, AgentErrorCodes.InvalidChecks), (error.StatusCode, error.Error.Code));
        Assert.Contains(error.Error.Problems!, p => p.Message.Contains("ns9", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("grade", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lab_under_another_name_than_the_routes_is_a_400_and_an_unknown_lab_a_404()
    {
        await using var agent = await TestAgent.StartAsync();

        var renamed = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.GradeAsync("other", new GradeRequest(new LabDocument(LabYaml), new LabDocument(Checks)), Cancel));
        var missing = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.GradeAsync("macvlan-bridge", new GradeRequest(new LabDocument(LabYaml), new LabDocument(Checks)), Cancel));

        Assert.Equal((HttpStatusCode.BadRequest, AgentErrorCodes.BadRequest), (renamed.StatusCode, renamed.Error.Code));
        Assert.Contains("grade the lab under its own name", renamed.Error.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.NotFound, AgentErrorCodes.NotFound), (missing.StatusCode, missing.Error.Code));
    }
}
