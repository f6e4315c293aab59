using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace NetLab.Web.Tests.Accounts;

/// <summary>
/// The OpenID Connect provider the sign-on tests start (tests/NetLab.TestIdentityProvider) is a real one: a relying
/// party gets a signed ID token with the user's claims through the authorization code flow with PKCE, and nothing
/// without the right password, verifier or redirect address.
/// </summary>
public sealed class TestIdentityProviderTests
{
    private const string RedirectUri = "http://127.0.0.1:5999/signin-oidc";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly string Config = """
        {"clients": [{"clientId": "netlab", "clientSecret": "s3cret", "redirectUris": ["http://127.0.0.1:5999/signin-oidc"], "postLogoutRedirectUris": ["http://127.0.0.1:5999/"]}],
         "users": [{"subject": "u-alice", "userName": "alice", "password": "pw-alice", "name": "Alice Adams", "email": "alice@school.example", "roles": ["student"]}]}
        """;

    [Fact]
    public async Task The_code_flow_with_PKCE_gives_a_signed_id_token_with_the_users_claims()
    {
        await using var provider = await TestIdentityProviderProcess.StartAsync(Config, Cancel);
        using var http = Browser(provider);
        var discovery = JsonDocument.Parse(await http.GetStringAsync(".well-known/openid-configuration", Cancel)).RootElement;
        Assert.Equal(provider.Authority.ToString(), discovery.GetProperty("issuer").GetString());

        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var code = await SignInAsync(http, verifier, "alice", "pw-alice");
        using var token = await RedeemAsync(http, code!, verifier);
        var tokens = JsonDocument.Parse(await token.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);

        var idToken = tokens.GetProperty("id_token").GetString()!.Split('.');
        var header = JsonDocument.Parse(Base64UrlDecode(idToken[0])).RootElement;
        var claims = JsonDocument.Parse(Base64UrlDecode(idToken[1])).RootElement;
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(3, idToken.Length);
        Assert.Equal(provider.Authority.ToString(), claims.GetProperty("iss").GetString());
        Assert.Equal("netlab", claims.GetProperty("aud").GetString());
        Assert.Equal("u-alice", claims.GetProperty("sub").GetString());
        Assert.Equal("alice", claims.GetProperty("preferred_username").GetString());
        Assert.Equal("Alice Adams", claims.GetProperty("name").GetString());
        Assert.Equal("student", claims.GetProperty("role").GetString());
        Assert.Equal("n-1", claims.GetProperty("nonce").GetString());
    }

    [Fact]
    public async Task A_wrong_password_a_wrong_verifier_and_a_foreign_redirect_get_nothing()
    {
        await using var provider = await TestIdentityProviderProcess.StartAsync(Config, Cancel);
        using var http = Browser(provider);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));

        Assert.Null(await SignInAsync(http, verifier, "alice", "wrong"));

        var code = await SignInAsync(http, verifier, "alice", "pw-alice");
        using var token = await RedeemAsync(http, code!, Base64Url(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);
        Assert.Contains("invalid_grant", await token.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        using var foreign = await http.GetAsync(AuthorizeUrl(verifier, "http://evil.example/steal"), Cancel);
        Assert.NotEqual(HttpStatusCode.Redirect, foreign.StatusCode);
    }

    /// <summary>Authorize, sign in on the provider's form, follow it back; the code sent to the redirect address, or null when the form refused.</summary>
    private static async Task<string?> SignInAsync(HttpClient http, string verifier, string user, string password)
    {
        using var authorize = await http.GetAsync(AuthorizeUrl(verifier, RedirectUri), Cancel);
        var login = authorize.Headers.Location!;
        Assert.Equal("/account/login", login.IsAbsoluteUri ? login.AbsolutePath : login.OriginalString.Split('?')[0]);
        var returnUrl = QueryHelpers.ParseQuery(login.IsAbsoluteUri ? login.Query : "?" + login.OriginalString.Split('?', 2)[1])["ReturnUrl"].ToString();

        using var form = await http.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["returnUrl"] = returnUrl,
            ["username"] = user,
            ["password"] = password,
        }), Cancel);
        if (form.StatusCode != HttpStatusCode.Redirect)
        {
            Assert.Contains("wrong password", await form.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
            return null;
        }

        using var back = await http.GetAsync(form.Headers.Location!.OriginalString.TrimStart('/'), Cancel);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var callback = back.Headers.Location!;
        Assert.StartsWith(RedirectUri, callback.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert.Equal("s-1", query["state"].ToString());
        return query["code"].ToString();
    }

    /// <summary>The client's side of the token endpoint: the code and the verifier, with the client's secret.</summary>
    private static Task<HttpResponseMessage> RedeemAsync(HttpClient http, string code, string verifier) =>
        http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["client_id"] = "netlab",
            ["client_secret"] = "s3cret",
            ["code_verifier"] = verifier,
        }), Cancel);

    private static string AuthorizeUrl(string verifier, string redirectUri) => QueryHelpers.AddQueryString("connect/authorize", new Dictionary<string, string?>
    {
        ["client_id"] = "netlab",
        ["redirect_uri"] = redirectUri,
        ["response_type"] = "code",
        ["scope"] = "openid profile email roles",
        ["state"] = "s-1",
        ["nonce"] = "n-1",
        ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
        ["code_challenge_method"] = "S256",
    });

    /// <summary>A client that keeps the provider's cookie and lets the test follow each redirect itself.</summary>
    private static HttpClient Browser(TestIdentityProviderProcess provider) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = provider.Authority };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }
}
