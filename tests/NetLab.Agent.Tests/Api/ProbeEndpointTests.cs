using System.Net;
using System.Text.Json;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using static NetLab.Agent.Tests.Api.AgentHostTests;

namespace NetLab.Agent.Tests.Api;

/// <summary>POST /v1/labs/{name}/probe against the fake engine: the report as JSON, the defaults, and the errors.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProbeEndpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_probe_answers_the_report_in_camelCase_with_enums_as_strings()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/labs/demo/probe", """{"timeoutMilliseconds":250}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"neighbor\":\"answered\"", body, StringComparison.Ordinal);
        Assert.Contains("\"rttMilliseconds\":0.042", body, StringComparison.Ordinal);
        Assert.Contains("probe demo 250", agent.Engine.Calls);
        var report = JsonSerializer.Deserialize<ProbeReport>(body, AgentJson.Options)!;
        Assert.Equal(FakeLabEngine.ProbeResultsOf("demo"), report.Results);
    }

    [Fact]
    public async Task No_body_means_the_default_one_second_timeout_and_the_client_gets_the_same_report()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var (status, _) = await RawAsync(agent, HttpMethod.Post, "/v1/labs/demo/probe", null);
        var report = await agent.Client.ProbeAsync("demo", new ProbeRequest(), Cancel);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["probe demo 1000", "probe demo 1000"], agent.Engine.Calls.Where(c => c.StartsWith("probe", StringComparison.Ordinal)));
        Assert.Equal(3, report.Results.Count);
    }

    [Fact]
    public async Task An_unknown_lab_is_a_404_not_found_saying_how_to_apply_it()
    {
        await using var agent = await TestAgent.StartAsync();

        var error = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.ProbeAsync("ghost", new ProbeRequest(), Cancel));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(AgentErrorCodes.NotFound, error.Error.Code);
        Assert.Contains("netlab apply", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_a_probe_request_is_a_400_saying_what_to_send()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/labs/demo/probe", "timeout=5");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("timeoutMilliseconds", body, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("probe", StringComparison.Ordinal));
    }
}
