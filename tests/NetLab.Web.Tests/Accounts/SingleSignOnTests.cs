using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;
using NetLab.Web.Agent;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Accounts;

/// <summary>
/// Single sign-on end to end against the real test provider (OpenIddict, its own process): the web in-process, a
/// browserless journey that follows each redirect itself with one cookie jar across both sites, through the provider's
/// own login form.
/// </summary>
public sealed partial class SingleSignOnTests(SingleSignOnTests.Provider provider) : IAsyncLifetime, IClassFixture<SingleSignOnTests.Provider>
{
    private static readonly Uri Web = new("http://localhost/");

    private static readonly string Config = """
        {"clients": [{"clientId": "netlab", "clientSecret": "s3cret", "redirectUris": ["http://localhost/signin-oidc"], "postLogoutRedirectUris": []}],
         "users": [
           {"subject": "u-alice", "userName": "alice", "password": "pw-alice", "name": "Alice Adams", "email": "alice@school.example", "roles": ["student"]},
           {"subject": "u-tina", "userName": "tina", "password": "pw-tina", "name": "Tina Teach", "email": "tina@school.example", "roles": ["staff", "instructor"]},
           {"subject": "u-bob", "userName": "bob", "password": "pw-bob", "name": "Other Bob", "email": "bob@school.example", "roles": ["instructor"]}]}
        """;

    private readonly TempDatabase _db = new();
    private readonly TestIdentityProviderProcess? _provider = provider.Process;
    private WebApplicationFactory<Program>? _app;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private WebApplicationFactory<Program> App => _app!;

    private UserStore Users => App.Services.GetRequiredService<UserStore>();

    public ValueTask InitializeAsync()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "sso.db"));
            web.UseSetting("Web:Oidc:Authority", _provider!.Authority.ToString());
            web.UseSetting("Web:Oidc:ClientId", "netlab");
            web.UseSetting("Web:Oidc:ClientSecret", "s3cret");
            web.UseSetting("Web:Oidc:Scopes", "openid profile roles");
            web.UseSetting("Web:Oidc:RoleClaim", "role");
            web.UseSetting("Web:Oidc:DisplayName", "School Login");
            web.ConfigureTestServices(services => services.AddSingleton<IAgentGateway>(new FakeAgentGateway()));
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _db.Dispose();
    }

    [Fact]
    public async Task The_first_sign_in_makes_a_student_who_lands_where_they_were_going_and_is_signed_in()
    {
        using var browser = new Browser(App, _provider!);

        using var answer = await browser.GetAsync(await browser.SignInAtProviderAsync("/labs", "alice", "pw-alice"));

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/labs", answer.Headers.Location!.OriginalString);
        var account = await Users.FindAsync("alice");
        Assert.Equal(("Alice Adams", UserRole.Student, true), (account!.DisplayName, account.Role, account.SingleSignOn));
        using var page = await browser.GetAsync(new Uri(Web, "/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Alice Adams (student)", await page.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_role_claim_makes_an_instructor_and_a_second_sign_in_keeps_the_account()
    {
        using var first = new Browser(App, _provider!);
        using var second = new Browser(App, _provider!);

        using var once = await first.GetAsync(await first.SignInAtProviderAsync("/", "tina", "pw-tina"));
        var made = await Users.FindAsync("tina");
        using var again = await second.GetAsync(await second.SignInAtProviderAsync("/", "tina", "pw-tina"));

        Assert.Equal((HttpStatusCode.Redirect, "/"), (again.StatusCode, again.Headers.Location!.OriginalString));
        Assert.True(second.HasSignInCookie);
        Assert.Equal(UserRole.Instructor, made!.Role);
        Assert.Equal(made, await Users.FindAsync("tina"));
        Assert.Single(await Users.ListAsync());
    }

    [Fact]
    public async Task A_disabled_account_is_refused_and_its_open_session_ends()
    {
        using var browser = new Browser(App, _provider!);
        using var _ = await browser.GetAsync(await browser.SignInAtProviderAsync("/", "alice", "pw-alice"));
        await Users.SetDisabledAsync("alice", disabled: true);

        using var page = await browser.GetAsync(new Uri(Web, "/labs"));
        using var fresh = new Browser(App, _provider!);
        using var refused = await fresh.GetAsync(await fresh.SignInAtProviderAsync("/labs", "alice", "pw-alice"));

        Assert.Equal(AccountAuthentication.SignInPath, page.Headers.Location!.AbsolutePath);
        Assert.Equal(AccountAuthentication.SignInUrl("/labs", "disabled"), refused.Headers.Location!.OriginalString);
        Assert.False(fresh.HasSignInCookie);
    }

    [Fact]
    public async Task A_provider_user_with_a_local_accounts_name_does_not_get_that_account()
    {
        var local = await Users.AddAsync("bob", UserRole.Student, TestSignIn.Password);
        using var browser = new Browser(App, _provider!);

        using var refused = await browser.GetAsync(await browser.SignInAtProviderAsync("/", "bob", "pw-bob"));

        Assert.Equal(AccountAuthentication.SignInUrl("/", SingleSignOn.FailedNameTaken), refused.Headers.Location!.OriginalString);
        Assert.False(browser.HasSignInCookie);
        Assert.Equal(local, await Users.FindAsync("bob"));
        using var page = await browser.GetAsync(new Uri(Web, refused.Headers.Location));
        Assert.Contains("does not take over", await page.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rosters_account_awaiting_single_sign_on_is_linked_at_the_first_sign_in_with_its_name()
    {
        var awaiting = await Users.AddAwaitingSingleSignOnAsync("alice", "Alice from the roster");
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", TestSignIn.Password)).Outcome);
        using var browser = new Browser(App, _provider!);

        using var signedIn = await browser.GetAsync(await browser.SignInAtProviderAsync("/", "alice", "pw-alice"));

        Assert.True(browser.HasSignInCookie);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
        var linked = (await Users.FindAsync("alice"))!;
        Assert.Equal((awaiting.Id, true, UserRole.Student), (linked.Id, linked.SingleSignOn, linked.Role));
    }

    [Theory]
    [InlineData("state")]
    [InlineData("nonce-cookie")]
    [InlineData("other-browser")]
    [InlineData("replay")]
    public async Task A_tampered_or_replayed_answer_signs_nobody_in(string tampering)
    {
        using var browser = new Browser(App, _provider!);
        var callback = await browser.SignInAtProviderAsync("/labs", "alice", "pw-alice");
        using var other = new Browser(App, _provider!);
        var target = browser;
        switch (tampering)
        {
            case "state":
                var state = Regex.Match(callback.Query, "state=([^&]+)").Groups[1].Value;
                callback = new Uri(callback.ToString().Replace(state, state[..^4] + (state.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"), StringComparison.Ordinal));
                break;
            case "nonce-cookie":
                browser.DropCookies(".AspNetCore.OpenIdConnect.Nonce.");
                break;
            case "other-browser":
                target = other;
                break;
            default:
                using (var first = await browser.GetAsync(callback))
                {
                    Assert.Equal("/labs", first.Headers.Location!.OriginalString);
                }

                target = other;
                break;
        }

        using var answer = await target.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal(AccountAuthentication.SignInPath, answer.Headers.Location!.OriginalString.Split('?')[0]);
        Assert.Contains("failed=sso", answer.Headers.Location.OriginalString, StringComparison.Ordinal);
        Assert.False(target.HasSignInCookie);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task A_foreign_return_address_comes_back_to_the_labs_page(string returnUrl)
    {
        using var browser = new Browser(App, _provider!);

        using var answer = await browser.GetAsync(await browser.SignInAtProviderAsync(returnUrl, "alice", "pw-alice"));

        Assert.Equal((HttpStatusCode.Redirect, "/"), (answer.StatusCode, answer.Headers.Location!.OriginalString));
        Assert.True(browser.HasSignInCookie);
    }

    [Fact]
    public async Task The_sign_in_page_offers_the_provider_and_an_account_of_single_sign_on_cannot_use_the_form()
    {
        using var browser = new Browser(App, _provider!);
        using var _ = await browser.GetAsync(await browser.SignInAtProviderAsync("/", "alice", "pw-alice"));

        using var page = await new Browser(App, _provider!).GetAsync(new Uri(Web, AccountAuthentication.SignInPath + "?returnUrl=%2Flabs"));
        var html = await page.Content.ReadAsStringAsync(Cancel);

        Assert.Contains("Sign in with School Login", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{SingleSignOn.StartPath}?returnUrl=%2Flabs\"", html, StringComparison.Ordinal);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "pw-alice")).Outcome);
    }

    /// <summary>One provider process for the class (each test has its own web and store): starting one is the slow part.</summary>
    public sealed class Provider : IAsyncLifetime
    {
        internal TestIdentityProviderProcess? Process { get; private set; }

        public async ValueTask InitializeAsync() => Process = await TestIdentityProviderProcess.StartAsync(Config, CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }
        }
    }

    /// <summary>One cookie jar across the web (in-process) and the provider (a real process); no redirect followed unasked.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly CookieContainer _cookies = new();
        private readonly HttpClient _web;
        private readonly HttpClient _provider;
        private readonly Uri _providerBase;

        public Browser(WebApplicationFactory<Program> app, TestIdentityProviderProcess provider)
        {
            _web = new HttpClient(app.Server.CreateHandler()) { BaseAddress = Web };
            _provider = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
            _providerBase = provider.Authority;
        }

        public bool HasSignInCookie => _cookies.GetCookies(Web).Any(c => c.Name == AccountAuthentication.CookieName && c.Value.Length > 0 && !c.Expired);

        public void DropCookies(string prefix)
        {
            var dropped = _cookies.GetAllCookies().Where(c => c.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(dropped);
            dropped.ForEach(c => c.Expired = true);
            Assert.DoesNotContain(_cookies.GetAllCookies(), c => c.Name.StartsWith(prefix, StringComparison.Ordinal) && !c.Expired);
        }

        public Task<HttpResponseMessage> GetAsync(Uri uri) => SendAsync(new HttpRequestMessage(HttpMethod.Get, uri));

        /// <summary>From the web's start address through the provider's form; the address the provider sends back to (the web's callback), not yet visited.</summary>
        public async Task<Uri> SignInAtProviderAsync(string returnUrl, string user, string password)
        {
            var start = new Uri(Web, $"{SingleSignOn.StartPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
            var login = await FollowAsync(await GetAsync(start));
            var html = await login.Content.ReadAsStringAsync(Cancel);
            Assert.True(login.StatusCode == HttpStatusCode.OK, $"expected the provider's login page, got {(int)login.StatusCode} {login.RequestMessage?.RequestUri}: {html}");
            var providerReturn = WebUtility.HtmlDecode(Regex.Match(html, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
            using var form = new HttpRequestMessage(HttpMethod.Post, new Uri(_providerBase, "account/login"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = providerReturn, ["username"] = user, ["password"] = password }),
            };
            var answer = await SendAsync(form);
            while (answer.StatusCode == HttpStatusCode.Redirect)
            {
                var next = new Uri(answer.RequestMessage!.RequestUri!, answer.Headers.Location!);
                answer.Dispose();
                if (next.Authority == Web.Authority)
                {
                    return next;
                }

                answer = await GetAsync(next);
            }

            throw new InvalidOperationException($"the provider did not send back to the web: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Cancel)}");
        }

        public void Dispose()
        {
            _web.Dispose();
            _provider.Dispose();
        }

        private async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage answer)
        {
            for (var hops = 0; answer.StatusCode == HttpStatusCode.Redirect && hops < 10; hops++)
            {
                var next = new Uri(answer.RequestMessage!.RequestUri!, answer.Headers.Location!);
                answer.Dispose();
                answer = await GetAsync(next);
            }

            return answer;
        }

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            var uri = request.RequestUri!;
            var cookie = _cookies.GetCookieHeader(uri);
            if (cookie.Length > 0)
            {
                request.Headers.Add("Cookie", cookie);
            }

            var answer = await (uri.Authority == Web.Authority ? _web : _provider).SendAsync(request, Cancel);
            answer.RequestMessage ??= request;
            if (answer.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var line in set)
                {
                    _cookies.SetCookies(uri, line);
                }
            }

            return answer;
        }
    }
}
