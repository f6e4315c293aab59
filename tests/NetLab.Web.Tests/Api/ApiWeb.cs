using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Accounts;
using NetLab.Web.Agent;
using NetLab.Web.Api;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Grading;

namespace NetLab.Web.Tests.Api;

/// <summary>
/// The in-process web for the JSON API's tests: accounts made in its store, clients signed in with a bearer token (as
/// a script is) or none, and the fake agent answering applies, destroys and grades at once.
/// </summary>
public sealed class ApiWeb : IAsyncDisposable
{
    public const string Password = "api-test-password";

    private readonly InProcessWebs _webs = new();
    private readonly List<HttpClient> _clients = [];

    public ApiWeb(params (string Key, string Value)[] settings)
        : this(FakeAgentGateway.Succeeded(), settings)
    {
    }

    /// <summary>A web whose agent answers every apply and destroy with <paramref name="applies"/>.</summary>
    public ApiWeb(AgentOutcome<ApplyResult> applies, params (string Key, string Value)[] settings)
    {
        App = _webs.Start(services: null, settings);
        Agent = (FakeAgentGateway)App.Services.GetRequiredService<IAgentGateway>();
        Agent.Outcome.TrySetResult(applies);
        Agent.AnswerGrade(AgentOutcome<GradeView>.Success(GradeStoreTests.Grade()));
    }

    public WebApplicationFactory<Program> App { get; }

    public FakeAgentGateway Agent { get; }

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public async Task<UserAccount> UserAsync(string name, UserRole role = UserRole.Student)
    {
        var users = Service<UserStore>();
        return await users.FindAsync(name) ?? await users.AddAsync(name, role, Password);
    }

    /// <summary>A client that sends <paramref name="name"/>'s bearer token (the account made when missing).</summary>
    public async Task<HttpClient> TokenClientAsync(string name, UserRole role = UserRole.Student)
    {
        await UserAsync(name, role);
        using var anonymous = Anonymous();
        using var answer = await anonymous.PostAsync(
            new Uri(AccessTokens.TokenPath, UriKind.Relative), Json(new { user = name, password = Password }), Cancel);
        answer.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Cancel));
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>
    /// A course of instructor "teacher" with "alice" enrolled and the macvlan-bridge template published as "Bridge"
    /// with generated checks, through the API; both signed in with their tokens.
    /// </summary>
    public async Task<PublishedCourse> PublishedCourseAsync()
    {
        var teacher = await TokenClientAsync("teacher", UserRole.Instructor);
        using var created = await SendAsync(teacher, HttpMethod.Post, "/api/courses", Json(new { name = "Networks" }));
        var course = await ReadAsync<ApiCourse>(created);
        await UserAsync("alice");
        using var enrolled = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/students", Json(new { user = "alice" }));
        Assert.Equal(System.Net.HttpStatusCode.OK, enrolled.StatusCode);
        using var published = await SendAsync(teacher, HttpMethod.Post, $"/api/courses/{course.Id}/assignments",
            Json(new { title = "Bridge", template = "macvlan-bridge", generateChecks = true }));
        return new(teacher, await TokenClientAsync("alice"), course, await ReadAsync<ApiAssignment>(published));
    }

    public HttpClient Anonymous()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        _clients.Add(client);
        return client;
    }

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body, ApiAnswers.Json), Encoding.UTF8, "application/json");

    public static StringContent Text(string body, string type) => new(body, Encoding.UTF8, type);

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? body = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(method, path) { Content = body };
        return await client.SendAsync(request, Cancel);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = await answer.Content.ReadAsStringAsync(Cancel);
        return JsonSerializer.Deserialize<T>(text, ApiAnswers.Json) ?? throw new InvalidOperationException($"no {typeof(T).Name} in {text}");
    }

    /// <summary>The answer's status and error code (null when it is no API error).</summary>
    public static async Task<(int Status, string? Error, string Message)> ErrorAsync(HttpResponseMessage answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = await answer.Content.ReadAsStringAsync(Cancel);
        try
        {
            using var json = JsonDocument.Parse(text);
            return ((int)answer.StatusCode,
                json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null,
                json.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
        }
        catch (JsonException)
        {
            return ((int)answer.StatusCode, null, text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _webs.DisposeAsync();
    }
}

/// <summary>What <see cref="ApiWeb.PublishedCourseAsync"/> made: the instructor's and alice's clients, the course, its assignment.</summary>
public sealed record PublishedCourse(HttpClient Teacher, HttpClient Alice, ApiCourse Course, ApiAssignment Assignment);
