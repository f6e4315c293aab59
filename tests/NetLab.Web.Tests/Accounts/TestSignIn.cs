using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Accounts;

/// <summary>
/// The one way the in-process web's tests sign in: an account made in the app's own store, then the real sign-in form
/// (its anti-forgery token and cookie included) posted; the answer's sign-in cookie is what clients and hub connections
/// send. The first account of a store is its pre-accounts user (<see cref="LabStore.LocalUserId"/>), which owns what
/// tests recorded with that id.
/// </summary>
public static partial class TestSignIn
{
    public const string Password = "test-password";

    /// <summary>The <c>Cookie</c> header value of a signed-in session of <paramref name="name"/> (made when missing).</summary>
    public static async Task<string> CookieAsync(WebApplicationFactory<Program> app, string name = "tester", UserRole role = UserRole.Instructor, string? host = null) =>
        (await SetCookieAsync(app, name, role, host)).Split(';')[0];

    /// <summary>
    /// The sign-in answer's whole <c>Set-Cookie</c> line for the session cookie (with its attributes: Secure, HttpOnly,
    /// ...); <paramref name="headers"/> are sent with both requests of the sign-in (e.g. a proxy's X-Forwarded-Proto).
    /// </summary>
    public static async Task<string> SetCookieAsync(
        WebApplicationFactory<Program> app, string name = "tester", UserRole role = UserRole.Instructor, string? host = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var users = app.Services.GetRequiredService<UserStore>();
        if (await users.FindAsync(name) is null)
        {
            _ = await users.AddAsync(name, role, Password);
        }

        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Host = host;
        foreach (var (header, value) in headers ?? new Dictionary<string, string>())
        {
            client.DefaultRequestHeaders.Add(header, value);
        }

        var cancel = TestContext.Current.CancellationToken;
        using var page = await client.GetAsync(new Uri(AccountAuthentication.SignInPath, UriKind.Relative), cancel);
        var html = await page.Content.ReadAsStringAsync(cancel);
        var token = TokenField().Match(html).Groups[1].Value;
        var antiforgeryCookie = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        using var form = new HttpRequestMessage(HttpMethod.Post, AccountAuthentication.SignInPath)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = name,
                ["password"] = Password,
                ["returnUrl"] = "/",
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        form.Headers.Add("Cookie", antiforgeryCookie);
        using var signedIn = await client.SendAsync(form, cancel);
        var cookie = signedIn.Headers.TryGetValues("Set-Cookie", out var set)
            ? set.FirstOrDefault(c => c.StartsWith(AccountAuthentication.CookieName + "=", StringComparison.Ordinal))
            : null;
        Assert.True(cookie is not null, $"signing in as {name} gave no cookie (answer {(int)signedIn.StatusCode} {signedIn.Headers.Location})");
        return cookie;
    }

    /// <summary>A client of the app that sends a signed-in cookie and does not follow redirects.</summary>
    public static async Task<HttpClient> ClientAsync(WebApplicationFactory<Program> app, string name = "tester", string? host = null)
    {
        var cookie = await CookieAsync(app, name, host: host);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
