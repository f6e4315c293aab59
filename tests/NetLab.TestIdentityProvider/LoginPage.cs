using System.Net;

namespace NetLab.TestIdentityProvider;

/// <summary>The provider's own sign-in form, as a school's identity provider shows one (browsers and tests fill it in).</summary>
internal static class LoginPage
{
    public static string Html(string returnUrl, string? error) => $"""
        <!DOCTYPE html>
        <html><head><title>Test identity provider - sign in</title></head>
        <body>
          <h1>Test identity provider</h1>
          {(error is null ? "" : $"<p id=\"error\">{WebUtility.HtmlEncode(error)}</p>")}
          <form method="post" action="/account/login">
            <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}" />
            <label>User name <input name="username" id="username" autocomplete="username" /></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password" /></label>
            <button type="submit" id="sign-in">Sign in</button>
          </form>
        </body></html>
        """;
}
