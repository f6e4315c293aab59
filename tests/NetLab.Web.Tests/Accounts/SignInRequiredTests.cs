using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;
using NetLab.Web.Agent;
using NetLab.Web.Hubs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using NetLab.Web.Tests.Live;

namespace NetLab.Web.Tests.Accounts;

/// <summary>
/// The whole app in-process: every page, download, endpoint and the hub require a signed-in user (pages are sent to
/// sign in, everything else is told 401), the sign-in form's rules, and a disabled account's cookie refused.
/// </summary>
public sealed partial class SignInRequiredTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly WebApplicationFactory<Program> _app;

    public SignInRequiredTests() =>
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "auth.db"));
            web.ConfigureTestServices(services => services.AddSingleton<IAgentGateway>(new FakeAgentGateway()));
        });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private UserStore Users => _app.Services.GetRequiredService<UserStore>();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    public static TheoryData<string> Pages() => new() { "/", "/labs", "/labs/1", "/labs/1/runs", "/runs/1", "/runs/compare/1/2" };

    public static TheoryData<string, string> Other() => new()
    {
        { "GET", "/labs/1/export" },
        { "GET", "/runs/1/export" },
        { "GET", "/runs/1/captures/1.pcap" },
        { "GET", $"/captures/{Guid.NewGuid()}.pcap" },
        { "POST", LabsHub.Path + "/negotiate?negotiateVersion=1" },
        { "POST", "/_blazor/negotiate?negotiateVersion=1" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_without_a_cookie_sends_the_browser_to_sign_in_and_keeps_where_it_was_going(string path)
    {
        using var client = Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);

        using var answer = await client.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal($"{AccountAuthentication.SignInPath}?returnUrl={Uri.EscapeDataString(path)}", answer.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [MemberData(nameof(Other))]
    public async Task Downloads_the_hub_and_the_circuit_without_a_cookie_are_401_and_with_one_are_served(string method, string path)
    {
        using var anonymous = Anonymous();
        using var signedIn = await TestSignIn.ClientAsync(_app);

        using var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);
        using var served = await signedIn.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Sign in first", await refused.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.True(served.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{method} {path} signed in answered {served.StatusCode}");
        if (served.StatusCode == HttpStatusCode.NotFound)
        {
            // The endpoint's own answer, not the "nothing here" of an address without one.
            Assert.Matches("^\"?(You have no|No capture)", await served.Content.ReadAsStringAsync(Cancel));
        }
    }

    [Fact]
    public async Task The_hub_refuses_a_connection_without_a_cookie_and_serves_one_with_it()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(_app.Server, "netlab.auth=forged"));
        await using var connection = await HubClient.ConnectAsync(_app.Server, await TestSignIn.CookieAsync(_app));

        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task A_signed_in_page_shows_who_and_a_sign_out_form()
    {
        using var client = await TestSignIn.ClientAsync(_app, "alice");

        using var page = await client.GetAsync(new Uri("/", UriKind.Relative), Cancel);
        var html = await page.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("alice (instructor)", html, StringComparison.Ordinal);
        Assert.Contains($"action=\"{AccountAuthentication.SignOutPath}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_of_a_store_without_accounts_names_the_command_that_makes_the_first()
    {
        using var client = Anonymous();

        var before = await client.GetStringAsync(new Uri(AccountAuthentication.SignInPath, UriKind.Relative), Cancel);
        await Users.AddAsync("alice", UserRole.Instructor, TestSignIn.Password);
        var after = await client.GetStringAsync(new Uri(AccountAuthentication.SignInPath, UriKind.Relative), Cancel);

        Assert.Contains("sudo netlab user add NAME --role instructor", before, StringComparison.Ordinal);
        Assert.DoesNotContain("sudo netlab user add NAME --role instructor", after, StringComparison.Ordinal);
        Assert.Contains("name=\"__RequestVerificationToken\"", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_the_anti_forgery_token_is_refused()
    {
        await Users.AddAsync("alice", UserRole.Instructor, TestSignIn.Password);
        using var client = Anonymous();

        using var answer = await client.PostAsync(
            new Uri(AccountAuthentication.SignInPath, UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice", ["password"] = TestSignIn.Password }),
            Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.False(answer.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AccountAuthentication.CookieName, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/labs/7", "/labs/7")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    public async Task Signing_in_goes_back_to_a_local_return_url_only(string returnUrl, string expected)
    {
        await Users.AddAsync("alice", UserRole.Instructor, TestSignIn.Password);

        using var answer = await PostSignInAsync("alice", TestSignIn.Password, returnUrl);

        Assert.Equal(expected, answer.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("alice", "wrong password", "wrong")]
    [InlineData("nobody", TestSignIn.Password, "wrong")]
    [InlineData("carol", TestSignIn.Password, "disabled")]
    public async Task A_refused_sign_in_says_why_and_sets_no_cookie(string name, string password, string failure)
    {
        await Users.AddAsync("alice", UserRole.Instructor, TestSignIn.Password);
        await Users.AddAsync("carol", UserRole.Student, TestSignIn.Password);
        await Users.SetDisabledAsync("carol", disabled: true);

        using var answer = await PostSignInAsync(name, password, "/labs/3");

        Assert.Equal($"{AccountAuthentication.SignInPath}?returnUrl=%2Flabs%2F3&failed={failure}", answer.Headers.Location!.OriginalString);
        Assert.False(answer.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(AccountAuthentication.CookieName, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_cookie_of_an_account_disabled_since_or_signed_out_no_longer_counts()
    {
        using var alice = await TestSignIn.ClientAsync(_app, "alice");
        using var bob = await TestSignIn.ClientAsync(_app, "bob");
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync(new Uri("/labs/1/export", UriKind.Relative), Cancel)).StatusCode);

        await Users.SetDisabledAsync("alice", disabled: true);
        using var signOut = await PostFormAsync(bob, AccountAuthentication.SignOutPath, []);

        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.GetAsync(new Uri("/labs/1/export", UriKind.Relative), Cancel)).StatusCode);
        Assert.Contains($"{AccountAuthentication.CookieName}=;", string.Join("\n", signOut.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
    }

    private HttpClient Anonymous() =>
        _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private async Task<HttpResponseMessage> PostSignInAsync(string name, string password, string returnUrl)
    {
        using var client = Anonymous();
        return await PostFormAsync(client, AccountAuthentication.SignInPath, new() { ["username"] = name, ["password"] = password, ["returnUrl"] = returnUrl });
    }

    /// <summary>A form post as the browser sends it: the token and the anti-forgery cookie from the sign-in page first.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        using var page = await client.GetAsync(new Uri(AccountAuthentication.SignInPath, UriKind.Relative), Cancel);
        var html = await page.Content.ReadAsStringAsync(Cancel);
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        var cookies = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        if (client.DefaultRequestHeaders.TryGetValues("Cookie", out var own))
        {
            cookies.AddRange(own);
        }

        request.Headers.Add("Cookie", string.Join("; ", cookies));
        return await client.SendAsync(request, Cancel);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
