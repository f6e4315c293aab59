using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;
using NetLab.Web.Store;
using NetLab.Web.Tests.Live;

namespace NetLab.Web.Tests.Accounts;

/// <summary>
/// Bearer tokens for scripts: issued for a user name and password by <c>POST /api/auth/token</c>, taken by every
/// endpoint and the hub as the cookie is, refused once the account is disabled or its password reset.
/// </summary>
public sealed class AccessTokenTests : IAsyncDisposable
{
    private const string Password = "a-good-password";

    private readonly InProcessWebs _webs = new();
    private readonly WebApplicationFactory<Program> _app;

    public AccessTokenTests() => _app = _webs.Start(services: null);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _webs.DisposeAsync();

    [Fact]
    public async Task A_token_for_the_right_password_opens_the_users_own_lab_export_and_not_anothers()
    {
        var alice = await AddAsync("alice");
        var bob = await AddAsync("bob");
        var labs = _app.Services.GetRequiredService<LabStore>();
        var own = (await labs.CreateBlankAsync(alice.Id, "own")).Value!;
        var others = (await labs.CreateBlankAsync(bob.Id, "others")).Value!;
        var token = await TokenAsync("alice", Password);

        using var client = Client(token);
        using var ownExport = await client.GetAsync(new Uri($"/labs/{own.Id}/export", UriKind.Relative), Cancel);
        using var othersExport = await client.GetAsync(new Uri($"/labs/{others.Id}/export", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, ownExport.StatusCode);
        Assert.Contains("name: own", await ownExport.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, othersExport.StatusCode);
    }

    [Fact]
    public async Task The_answer_is_a_bearer_token_with_its_lifetime()
    {
        await AddAsync("alice");

        using var answer = await RequestTokenAsync("alice", Password);
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Cancel));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Bearer", json.RootElement.GetProperty("tokenType").GetString());
        Assert.Equal(AccessTokens.Lifetime.TotalSeconds, json.RootElement.GetProperty("expiresIn").GetDouble());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("accessToken").GetString()));
    }

    [Theory]
    [InlineData("alice", "wrong", "wrong-name-or-password")]
    [InlineData("nobody", Password, "wrong-name-or-password")]
    [InlineData("", "", "wrong-name-or-password")]
    [InlineData("carol", Password, "disabled")]
    public async Task No_token_is_given_for_a_wrong_password_an_unknown_name_or_a_disabled_account(string user, string password, string error)
    {
        await AddAsync("alice");
        await AddAsync("carol");
        await _app.Services.GetRequiredService<UserStore>().SetDisabledAsync("carol", disabled: true);

        using var answer = await RequestTokenAsync(user, password);
        var refusal = await answer.Content.ReadFromJsonAsync<TokenRefusal>(Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal(error, refusal!.Error);
    }

    [Theory]
    [InlineData("{\"user\": 5, \"password\": []}")]
    [InlineData("{\"user\": \"alice\", ")]
    [InlineData("not json")]
    public async Task A_body_that_is_no_token_request_gets_400_and_no_token(string body)
    {
        await AddAsync("alice");
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var answer = await client.PostAsync(new Uri(AccessTokens.TokenPath, UriKind.Relative), content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.DoesNotContain("accessToken", await answer.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deeply_nested_body_is_refused_without_being_walked()
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var content = new StringContent("{\"user\":" + new string('[', 100_000) + "}", System.Text.Encoding.UTF8, "application/json");

        using var answer = await client.PostAsync(new Uri(AccessTokens.TokenPath, UriKind.Relative), content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }

    [Fact]
    public async Task A_token_stops_working_when_its_account_is_disabled_or_its_password_reset()
    {
        await AddAsync("alice");
        await AddAsync("dave");
        var users = _app.Services.GetRequiredService<UserStore>();
        var aliceToken = await TokenAsync("alice", Password);
        var daveToken = await TokenAsync("dave", Password);
        using var alice = Client(aliceToken);
        using var dave = Client(daveToken);
        using var before = await alice.GetAsync(new Uri("/", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await users.SetDisabledAsync("alice", disabled: true);
        await users.ResetPasswordAsync("dave", "another-good-password");
        using var disabled = await alice.GetAsync(new Uri("/", UriKind.Relative), Cancel);
        using var reset = await dave.GetAsync(new Uri("/", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
        Assert.Equal("token-revoked", (await disabled.Content.ReadFromJsonAsync<TokenRefusal>(Cancel))!.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, reset.StatusCode);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("")]
    public async Task A_forged_token_is_not_signed_in(string token)
    {
        using var client = Client(token);

        using var answer = await client.GetAsync(new Uri("/labs/1/export", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
    }

    [Fact]
    public async Task The_hub_takes_a_token_and_refuses_a_forged_one()
    {
        await AddAsync("alice");
        var token = await TokenAsync("alice", Password);

        await using var connection = await HubClient.ConnectWithTokenAsync(_app.Server, token);

        Assert.Equal(HubConnectionState.Connected, connection.State);
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectWithTokenAsync(_app.Server, token + "x"));
    }

    private async Task<UserAccount> AddAsync(string name) =>
        await _app.Services.GetRequiredService<UserStore>().AddAsync(name, UserRole.Student, Password);

    private async Task<HttpResponseMessage> RequestTokenAsync(string user, string password)
    {
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        return await client.PostAsJsonAsync(AccessTokens.TokenPath, new { user, password }, Cancel);
    }

    private async Task<string> TokenAsync(string user, string password)
    {
        using var answer = await RequestTokenAsync(user, password);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Cancel));
        return json.RootElement.GetProperty("accessToken").GetString()!;
    }

    private HttpClient Client(string token)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Length == 0 ? "x" : token);
        return client;
    }
}
