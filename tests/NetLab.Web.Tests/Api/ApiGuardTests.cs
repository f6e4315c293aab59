using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NetLab.Web.Api;
using NetLab.Web.Store;
using NetLab.Web.Tests.Accounts;
using static NetLab.Web.Tests.Api.ApiWeb;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// What every route of the JSON API shares: a signed-in user (401 as JSON without one), the antiforgery header on a
/// change signed in with the cookie (a bearer token needs none), bodies bounded before they are read (413), bodies
/// that are no such JSON (400), and quotas answered 429 with the limit, the use and how to free room.
/// </summary>
public sealed partial class ApiGuardTests : IAsyncDisposable
{
    private readonly ApiWeb _web = new(("Quotas:Student:Labs", "1"), ("Quotas:Student:NamespacesApplied", "1"));

    public ValueTask DisposeAsync() => _web.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/labs")]
    [InlineData("POST", "/api/labs")]
    [InlineData("GET", "/api/courses")]
    [InlineData("POST", "/api/courses/1/roster")]
    [InlineData("POST", "/api/assignments/1/submit")]
    [InlineData("GET", "/api/antiforgery")]
    public async Task Without_a_signed_in_user_every_route_answers_401_as_json(string method, string path)
    {
        var anonymous = _web.Anonymous();
        var forged = _web.Anonymous();
        forged.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "forged");

        using var none = await SendAsync(anonymous, new HttpMethod(method), path, Json(new { name = "x" }));
        using var bad = await SendAsync(forged, new HttpMethod(method), path, Json(new { name = "x" }));

        Assert.Equal((401, "sign-in"), ((await ErrorAsync(none)).Status, (await ErrorAsync(none)).Error));
        Assert.Equal(401, (await ErrorAsync(bad)).Status);
        Assert.Empty(await _web.Service<LabStore>().ListAllLabsAsync());
    }

    [Fact]
    public async Task A_cookie_signed_in_change_needs_the_antiforgery_header_and_a_bearer_token_does_not()
    {
        var cookie = await TestSignIn.CookieAsync(_web.App, "carol", UserRole.Student);
        var browser = _web.Anonymous();
        browser.DefaultRequestHeaders.Add("Cookie", cookie);

        // As another site's page would post with the browser's cookie: no token.
        using var forged = await SendAsync(browser, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: forged\n" }));
        var (status, error, message) = await ErrorAsync(forged);
        Assert.Equal((400, "antiforgery"), (status, error));
        Assert.Contains(JsonApi.AntiforgeryPath, message, StringComparison.Ordinal);
        Assert.Empty(await _web.Service<LabStore>().ListAllLabsAsync());

        // A read needs no token.
        using var listed = await SendAsync(browser, HttpMethod.Get, "/api/labs");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);

        using var tokenAnswer = await SendAsync(browser, HttpMethod.Get, JsonApi.AntiforgeryPath);
        var token = await ReadAsync<JsonApi.AntiforgeryAnswer>(tokenAnswer);
        var antiforgeryCookie = tokenAnswer.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/labs") { Content = Json(new { yaml = "name: real\n" }) };
        withToken.Headers.Add("Cookie", $"{cookie}; {antiforgeryCookie}");
        withToken.Headers.Add(token.HeaderName, token.Token);
        using var client = _web.Anonymous();
        using var made = await client.SendAsync(withToken, Cancel);
        Assert.Equal("RequestVerificationToken", token.HeaderName);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);

        // The same change with a bearer token carries no antiforgery token.
        var dave = await _web.TokenClientAsync("dave");
        using var bearer = await SendAsync(dave, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: scripted\n" }));
        Assert.Equal(HttpStatusCode.Created, bearer.StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"yaml\": 5}")]
    [InlineData("{\"yaml\": \"name: x\\n\", \"typo\": 1}")]
    [InlineData("{\"yaml\": ")]
    [InlineData("null")]
    public async Task A_body_that_is_no_such_json_is_400_and_changes_nothing(string body)
    {
        var alice = await _web.TokenClientAsync("alice");

        using var answer = await SendAsync(alice, HttpMethod.Post, "/api/labs", Text(body, "application/json"));

        Assert.Equal((400, "bad-json"), ((await ErrorAsync(answer)).Status, (await ErrorAsync(answer)).Error));
        Assert.Empty(await _web.Service<LabStore>().ListAllLabsAsync());
    }

    [Fact]
    public async Task A_deeply_nested_body_is_refused_without_being_walked()
    {
        var alice = await _web.TokenClientAsync("alice");

        using var answer = await SendAsync(alice, HttpMethod.Post, "/api/labs", Text("{\"yaml\":" + new string('[', 100_000) + "}", "application/json"));

        Assert.Equal((400, "bad-json"), ((await ErrorAsync(answer)).Status, (await ErrorAsync(answer)).Error));
    }

    [Theory]
    [InlineData("POST", "/api/labs", "application/json", ApiAnswers.MaxJsonBytes)]
    [InlineData("POST", "/api/labs", "application/yaml", ApiAnswers.MaxYamlBytes)]
    [InlineData("PUT", "/api/labs/{lab}/yaml", "application/yaml", ApiAnswers.MaxYamlBytes)]
    [InlineData("POST", "/api/courses/{course}/roster", "text/csv", ApiAnswers.MaxRosterBytes)]
    public async Task A_body_over_the_routes_limit_is_413_with_the_limit_and_changes_nothing(string method, string path, string type, long limit)
    {
        var teacher = await _web.TokenClientAsync("teacher", UserRole.Instructor);
        using var course = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name = "Networks" }));
        using var lab = await SendAsync(teacher, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: kept\n" }));
        var (courseId, labId) = ((await ReadAsync<ApiCourse>(course)).Id, (await ReadAsync<ApiLab>(lab)).Id);
        var body = type == "application/json" ? "{\"yaml\": \"" + new string('a', (int)limit) + "\"}" : "name: big\n#" + new string('a', (int)limit);

        using var answer = await SendAsync(teacher, new HttpMethod(method), path.Replace("{lab}", $"{labId}", StringComparison.Ordinal).Replace("{course}", $"{courseId}", StringComparison.Ordinal), Text(body, type));

        var (status, error, message) = await ErrorAsync(answer);
        Assert.Equal((413, "too-large"), (status, error));
        Assert.Contains($"at most {limit} bytes", message, StringComparison.Ordinal);
        Assert.Single(await _web.Service<LabStore>().ListAllLabsAsync());
        Assert.Equal(1, (await _web.Service<LabStore>().ListAllLabsAsync())[0].CurrentRevision);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_too()
    {
        var alice = await _web.TokenClientAsync("alice");
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("name: big\n#" + new string('a', (int)ApiAnswers.MaxYamlBytes))));
        chunked.Headers.ContentType = new("application/yaml");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/labs") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var answer = await alice.SendAsync(request, Cancel);

        Assert.Equal((413, "too-large"), ((await ErrorAsync(answer)).Status, (await ErrorAsync(answer)).Error));
    }

    [Fact]
    public async Task A_quota_is_429_with_the_limit_the_use_and_how_to_free_room()
    {
        var alice = await _web.TokenClientAsync("alice");
        using var first = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge" }));
        var lab = await ReadAsync<ApiLab>(first);

        using var second = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { yaml = "name: second\n" }));
        using var apply = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/apply");

        var labs = await ErrorAsync(second);
        Assert.Equal((429, "quota"), (labs.Status, labs.Error));
        Assert.Matches(LimitWords(), labs.Message);
        var namespaces = await ErrorAsync(apply);
        Assert.Equal((429, "quota"), (namespaces.Status, namespaces.Error));
        Assert.Contains("namespaces applied at once per student is 1", namespaces.Message, StringComparison.Ordinal);
        Assert.Contains("Destroy a lab", namespaces.Message, StringComparison.Ordinal);
        var quota = (await ReadAsync<ApiError>(apply)).Quota!;
        Assert.Equal(("namespaces applied at once per student", 1L, 0L, "namespaces"), (quota.Limit, quota.Allowed, quota.InUse, quota.Unit));
        Assert.True(quota.Needed > 1);
        Assert.DoesNotContain("apply", _web.Agent.Calls);
    }

    [Fact]
    public async Task A_check_beyond_the_runs_quota_is_429_before_the_agent_grades()
    {
        await using var web = new ApiWeb(("Quotas:Student:Runs", "0"));
        var alice = await web.TokenClientAsync("alice");
        using var created = await SendAsync(alice, HttpMethod.Post, "/api/labs", Json(new { template = "macvlan-bridge" }));
        var lab = await ReadAsync<ApiLab>(created);
        using var applied = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/apply");
        Assert.True((await web.Service<LabStore>().SaveChecksAsync((await web.UserAsync("alice")).Id, lab.Id, Grading.GradeStoreTests.Checks)).Succeeded);

        using var check = await SendAsync(alice, HttpMethod.Post, $"/api/labs/{lab.Id}/check");

        var refused = await ErrorAsync(check);
        Assert.Equal((429, "quota"), (refused.Status, refused.Error));
        Assert.StartsWith("Check my work was not run: its grading would be recorded as a run. Limit reached: recorded runs per student is 0 runs", refused.Message, StringComparison.Ordinal);
        Assert.Equal(("recorded runs per student", 0L), ((await ReadAsync<ApiError>(check)).Quota!.Limit, (await ReadAsync<ApiError>(check)).Quota!.Allowed));
        Assert.Empty(web.Agent.GradeRequests);
    }

    [Fact]
    public async Task An_unknown_api_route_is_404_as_json()
    {
        var alice = await _web.TokenClientAsync("alice");

        using var answer = await SendAsync(alice, HttpMethod.Get, "/api/nothing-here");

        Assert.Equal((404, "no-such-route"), ((await ErrorAsync(answer)).Status, (await ErrorAsync(answer)).Error));
    }

    [GeneratedRegex("labs per student is 1 labs; 1 labs in use.*Delete a lab")]
    private static partial Regex LimitWords();
}
