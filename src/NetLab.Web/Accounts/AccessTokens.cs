using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Net.Http.Headers;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// Bearer tokens for scripts (an autograder, a course set up from a shell): <c>POST /api/auth/token</c> with a user
/// name and password answers ASP.NET Core's own bearer token (data-protected like the sign-in cookie, so it is as hard
/// to forge and works on every replica that shares the keys), and every endpoint and hub that takes the cookie takes
/// <c>Authorization: Bearer TOKEN</c> too. A token of an account since disabled, reset or removed stops working at
/// its next request, as a cookie does.
/// </summary>
public static class AccessTokens
{
    public const string TokenPath = "/api/auth/token";

    /// <summary>The scheme every request authenticates with: the bearer token when the request carries one, else the cookie.</summary>
    public const string CookieOrBearer = "netlab";

    /// <summary>How long a token lasts; a script asks for a new one with the password after that.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>The bearer token scheme, and the policy scheme that picks it or the cookie per request.</summary>
    public static AuthenticationBuilder AddNetLabTokens(this AuthenticationBuilder authentication)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        return authentication
            .AddBearerToken(BearerTokenDefaults.AuthenticationScheme, bearer => bearer.BearerTokenExpiration = Lifetime)
            .AddPolicyScheme(CookieOrBearer, "Cookie or bearer token", policy => policy.ForwardDefaultSelector = context =>
                CarriesBearerToken(context.Request) ? BearerTokenDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme);
    }

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(TokenPath, IssueAsync).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(SignInRateLimit.PolicyName);
        return endpoints;
    }

    /// <summary>
    /// After authentication: a bearer token whose account is no longer what it was issued for (disabled, password
    /// reset, removed) is refused with 401 before any endpoint runs; the cookie handler does the same for cookies.
    /// </summary>
    public static IApplicationBuilder UseTokenRevalidation(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (CarriesBearerToken(context.Request) && context.User.Identity?.IsAuthenticated == true
                && !await AccountClaims.StillValidAsync(context.User, context.RequestServices.GetRequiredService<UserStore>()).ConfigureAwait(false))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(
                    new TokenRefusal("token-revoked", $"This token's account was disabled or its password reset since it was issued: get a new token ({TokenPath})."),
                    context.RequestAborted).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });

    internal static bool CarriesBearerToken(HttpRequest request) =>
        request.Headers[HeaderNames.Authorization] is [{ } value] && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> IssueAsync(TokenRequest? request, UserStore users, ILoggerFactory loggers, HttpContext context)
    {
        var logger = loggers.CreateLogger(typeof(AccessTokens));
        var name = request?.User?.Trim() ?? string.Empty;
        var result = await users.VerifyAsync(name, request?.Password ?? string.Empty).ConfigureAwait(false);
        if (result.Outcome != SignInOutcome.SignedIn)
        {
            var shown = UserStore.NameProblem(name) is null ? name : "(not a valid user name)";
            logger.LogWarning("Token refused for '{UserName}' from {Address}: {Outcome}", shown, context.Connection.RemoteIpAddress, result.Outcome);
            return Results.Json(
                result.Outcome == SignInOutcome.Disabled
                    ? new TokenRefusal("disabled", "This account is disabled; an instructor can enable it (netlab user enable NAME).")
                    : new TokenRefusal("wrong-name-or-password", "Wrong user name or password."),
                statusCode: StatusCodes.Status401Unauthorized);
        }

        logger.LogInformation("Token issued: '{UserName}' from {Address}", result.Account!.Name, context.Connection.RemoteIpAddress);
        // The bearer handler writes {tokenType, accessToken, expiresIn, refreshToken}; there is no refresh endpoint: a
        // script asks again with the password, so a disabled account cannot refresh its way past revalidation.
        return Results.SignIn(AccountClaims.Principal(result.Account), authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }
}

/// <summary>The body of <c>POST /api/auth/token</c>.</summary>
public sealed record TokenRequest([property: JsonPropertyName("user")] string? User, [property: JsonPropertyName("password")] string? Password);

/// <summary>Why no token was given (or a token no longer counts): a code for scripts, words for people.</summary>
public sealed record TokenRefusal([property: JsonPropertyName("error")] string Error, [property: JsonPropertyName("message")] string Message);
