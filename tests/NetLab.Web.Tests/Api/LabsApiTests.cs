using System.Net;
using NetLab.Web.Api;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// A user's own labs through the JSON API with a bearer token: every route works on one's own lab and answers another
/// user's lab exactly as a missing one (404), through the same store, apply and grading services as the pages.
/// </summary>
public sealed class LabsApiTests : IAsyncDisposable
{
    private readonly ApiWeb _web = new();

    public ValueTask DisposeAsync() => _web.DisposeAsync();

    [Fact]
    public async Task A_lab_made_from_a_template_is_listed_read_saved_applied_checked_destroyed_and_deleted()
    {
        var alice = await _web.TokenClientAsync("alice");

        using var created = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge", name = "first" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var lab = await ReadAsync<ApiLab>(created);
        Assert.Equal(("first", 1, (int?)null), (lab.Name, lab.CurrentRevision!.Value, lab.AppliedRevision));

        using var listed = await SendAsync(alice, HttpMethod.Get, "/api/labs");
        Assert.Equal(lab.Id, Assert.Single(await ReadAsync<List<ApiLab>>(listed)).Id);

        using var read = await SendAsync(alice, HttpMethod.Get, $"/api/labs/{lab.Id}");
        var details = await ReadAsync<ApiLabDetails>(read);
        Assert.Equal(RepositoryFiles.Lab("macvlan-bridge.yaml"), details.Yaml);

        var edited = details.Yaml + "# edited through the API\n";
        using var saved = await SendAsync(alice, HttpMethod.Put, $"/api/labs/{lab.Id}/yaml", Text(edited, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal((2, (int?)1), ((await ReadAsync<ApiRevision>(saved)).Number, (await ReadAsync<ApiRevision>(saved)).Parent));
        Assert.Equal(edited, (await _web.Service<LabStore>().GetCurrentRevisionAsync((await _web.UserAsync("alice")).Id, lab.Id))!.Yaml);

        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/apply");
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(2, (await ReadAsync<ApiApplied>(applied)).Revision);
        Assert.Equal(2, (await _web.Service<LabStore>().GetAppliedRevisionAsync((await _web.UserAsync("alice")).Id, lab.Id))!.Number);

        Assert.True((await _web.Service<LabStore>().SaveChecksAsync((await _web.UserAsync("alice")).Id, lab.Id, Grading.GradeStoreTests.Checks)).Succeeded);
        using var checkedAnswer = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/check");
        Assert.Equal(HttpStatusCode.OK, checkedAnswer.StatusCode);
        var grade = await ReadAsync<ApiGrade>(checkedAnswer);
        Assert.Equal((1, 2), (grade.Passed, grade.Total));
        Assert.Contains("bridge mode", grade.Checks[1].Explanation, StringComparison.Ordinal);
        Assert.NotNull(grade.RunId);

        using var runs = await SendAsync(alice, HttpMethod.Get, $"/api/labs/{lab.Id}/runs");
        var run = Assert.Single(await ReadAsync<List<ApiRun>>(runs));
        Assert.Equal((grade.RunId, RunStatus.Succeeded), (run.Id, run.Status));

        using var destroyed = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/destroy");
        Assert.Equal(HttpStatusCode.OK, destroyed.StatusCode);
        Assert.Null(await _web.Service<LabStore>().GetAppliedRevisionAsync((await _web.UserAsync("alice")).Id, lab.Id));

        using var deleted = await SendAsync(alice, HttpMethod.Delete, $"/api/labs/{lab.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await _web.Service<LabStore>().GetLabAsync((await _web.UserAsync("alice")).Id, lab.Id));
    }

    [Fact]
    public async Task A_lab_is_made_from_yaml_in_json_or_as_a_yaml_body_named_by_the_query()
    {
        var alice = await _web.TokenClientAsync("alice");

        using var fromJson = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: tiny\n" }));
        using var fromYaml = await SendAsync(alice, HttpMethod.Post, "/api/labs?name=other", Text("name: tiny\n", "application/yaml"));

        Assert.Equal("tiny", (await ReadAsync<ApiLab>(fromJson)).Name);
        Assert.Equal("other", (await ReadAsync<ApiLab>(fromYaml)).Name);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PUT", "/yaml")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/apply")]
    [InlineData("POST", "/destroy")]
    [InlineData("POST", "/check")]
    [InlineData("GET", "/runs")]
    public async Task Another_users_lab_answers_as_a_missing_one_and_is_left_alone(string method, string route)
    {
        var bob = await _web.UserAsync("bob");
        var bobs = (await _web.Service<LabStore>().CreateBlankAsync(bob.Id, "bobs")).Value!;
        var alice = await _web.TokenClientAsync("alice");

        using var others = await SendAsync(alice, new HttpMethod(method), $"/api/labs/{bobs.Id}{route}", method == "PUT" ? Text("name: taken\n", "application/yaml") : null);
        using var missing = await SendAsync(alice, new HttpMethod(method), $"/api/labs/{bobs.Id + 1000}{route}", method == "PUT" ? Text("name: taken\n", "application/yaml") : null);

        var (status, error, message) = await ErrorAsync(others);
        Assert.Equal((404, "not-found"), (status, error));
        Assert.Equal(message.Replace($"{bobs.Id}", "N", StringComparison.Ordinal), (await ErrorAsync(missing)).Message.Replace($"{bobs.Id + 1000}", "N", StringComparison.Ordinal));
        Assert.Empty(_web.Agent.Calls);
        var stillBobs = await _web.Service<LabStore>().GetLabAsync(bob.Id, bobs.Id);
        Assert.Equal(1, stillBobs!.CurrentRevision);
    }

    [Fact]
    public async Task Bad_yaml_a_missing_template_and_a_taken_name_say_what_to_fix()
    {
        var alice = await _web.TokenClientAsync("alice");
        using var first = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: same\n" }));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var invalid = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: x\nhosts: [1, 2\n" }));
        using var noTemplate = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "no-such" }));
        using var taken = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: same\n" }));
        using var nothing = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { name = "x" }));

        Assert.Equal((400, "invalid"), ((await ErrorAsync(invalid)).Status, (await ErrorAsync(invalid)).Error));
        var missing = await ErrorAsync(noTemplate);
        Assert.Equal((400, "no-such-template"), (missing.Status, missing.Error));
        Assert.Contains("macvlan-bridge", missing.Message, StringComparison.Ordinal);
        Assert.Equal((409, "conflict"), ((await ErrorAsync(taken)).Status, (await ErrorAsync(taken)).Error));
        Assert.Equal((400, "bad-request"), ((await ErrorAsync(nothing)).Status, (await ErrorAsync(nothing)).Error));
    }

    [Fact]
    public async Task A_check_before_any_apply_is_refused_with_how_to_fix_and_asks_no_agent()
    {
        var alice = await _web.TokenClientAsync("alice");
        using var created = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge" }));
        var lab = await ReadAsync<ApiLab>(created);

        using var answer = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/check");

        var (status, error, message) = await ErrorAsync(answer);
        Assert.Equal((409, "cannot-grade"), (status, error));
        Assert.Contains("Apply the lab first", message, StringComparison.Ordinal);
        Assert.Empty(_web.Agent.GradeRequests);
    }

    [Fact]
    public async Task The_templates_are_listed_by_name()
    {
        var alice = await _web.TokenClientAsync("alice");

        using var answer = await SendAsync(alice, HttpMethod.Get, "/api/templates");

        Assert.Contains(await ReadAsync<List<ApiTemplate>>(answer), t => t.Name == "macvlan-vepa-hairpin");
    }
}
