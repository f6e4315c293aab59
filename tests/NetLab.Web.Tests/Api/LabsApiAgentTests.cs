using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Api;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// An apply, destroy or delete the agent does not carry out, through the JSON API: a kernel refusal is 409 with the
/// agent's result and the failed command, no agent is 502, and a delete whose destroy failed deletes nothing.
/// </summary>
public sealed class LabsApiAgentTests
{
    private static readonly ApplyResult Refused = new(FakeAgentGateway.Lab, false, 1, 3, 2.5,
        new ApplyFailure(FakeAgentGateway.Operations[1], "link-add failed", "EEXIST", "File exists"), RolledBack: true);

    [Fact]
    public async Task A_kernel_refusal_is_409_with_the_result_and_a_delete_after_it_deletes_nothing()
    {
        await using var web = new ApiWeb(AgentOutcome<ApplyResult>.Success(Refused));
        var alice = await web.TokenClientAsync("alice");
        using var created = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge" }));
        var lab = await ReadAsync<ApiLab>(created);

        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/apply");
        using var deleted = await SendAsync(alice, HttpMethod.Delete, $"/api/labs/{lab.Id}");

        var (status, error, message) = await ErrorAsync(applied);
        Assert.Equal((409, "apply-failed"), (status, error));
        Assert.Contains("File exists", message, StringComparison.Ordinal);
        Assert.Contains("rolled back", message, StringComparison.Ordinal);
        Assert.Equal(1, (await ReadAsync<ApiError>(applied)).Result!.Applied);
        var owner = (await web.UserAsync("alice")).Id;
        Assert.Null(await web.Service<LabStore>().GetAppliedRevisionAsync(owner, lab.Id));
        Assert.Equal((409, "not-deleted"), ((await ErrorAsync(deleted)).Status, (await ErrorAsync(deleted)).Error));
        Assert.NotNull(await web.Service<LabStore>().GetLabAsync(owner, lab.Id));
    }

    [Fact]
    public async Task No_agent_is_502_saying_what_to_do()
    {
        await using var web = new ApiWeb(AgentOutcome<ApplyResult>.Failed("The NetLab agent is not running (no socket)."));
        var alice = await web.TokenClientAsync("alice");
        using var created = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge" }));
        var lab = await ReadAsync<ApiLab>(created);

        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/apply");
        using var destroyed = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/destroy");

        var (status, error, message) = await ErrorAsync(applied);
        Assert.Equal((502, "agent"), (status, error));
        Assert.Contains("not running", message, StringComparison.Ordinal);
        Assert.Contains("netlab doctor", message, StringComparison.Ordinal);
        Assert.Equal(502, (await ErrorAsync(destroyed)).Status);
    }
}
