using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// Cookie sign-in with ASP.NET Core's own pieces: the cookie handler (data-protected, HttpOnly, SameSite=Lax), a
/// fallback policy that requires a signed-in user on every endpoint (pages, downloads, the hubs, Blazor's circuit) that
/// does not say <c>[AllowAnonymous]</c>, and sign-in and sign-out as form posts with anti-forgery (a cookie needs a
/// real HTTP response, which an interactive page cannot give). A request for a page is sent to the sign-in page;
/// anything else (a download, the hub, Blazor's circuit) gets 401.
/// </summary>
public static class AccountAuthentication
{
    public const string SignInPath = "/account/signin";
    public const string SignOutPath = "/account/signout";
    public const string ReturnUrlParameter = "returnUrl";
    public const string CookieName = "netlab.auth";

    /// <summary>How long a sign-in lasts without use (sliding); a disabled account ends sooner, at its next request.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    public static IServiceCollection AddNetLabAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<UserStore>();
        services.AddSingleton(AccountRevalidationInterval.Default);
        // Per request the cookie, or the bearer token a script sends (AccessTokens); both carry the same account claims.
        services.AddAuthentication(AccessTokens.CookieOrBearer)
            .AddNetLabTokens()
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = SignInPath;
                cookie.LogoutPath = SignOutPath;
                cookie.ReturnUrlParameter = ReturnUrlParameter;
                cookie.ExpireTimeSpan = SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.Events.OnRedirectToLogin = context => Challenge(context.HttpContext, context.RedirectUri);
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
                // Every request: a cookie of an account since disabled, reset or removed no longer counts.
                cookie.Events.OnValidatePrincipal = async context =>
                {
                    var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
                    if (!await AccountClaims.StillValidAsync(context.Principal, users).ConfigureAwait(false))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
                    }
                };
            })
            .AddNetLabSingleSignOn(configuration);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, AccountRevalidation>();
        services.AddHttpContextAccessor();

        // The signed-in user for pages and endpoints: the circuit's state once a circuit has one, else the request's.
        services.AddScoped(sp => CurrentUserOf(sp) ?? throw new InvalidOperationException("No user is signed in: this page or endpoint should have required one."));
        return services;
    }

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignInPath, (Delegate)SignInAsync).AllowAnonymous().RequireRateLimiting(SignInRateLimit.PolicyName);
        endpoints.MapPost(SignOutPath, (Delegate)SignOutAsync).AllowAnonymous();
        endpoints.MapSingleSignOnEndpoints();
        return endpoints;
    }

    /// <summary>Only a path of this site: an address elsewhere (`//evil`, `/\evil`, `https://...`) becomes the labs page.</summary>
    public static string LocalReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl)
            ? url
            : "/";

    /// <summary>The sign-in page's address that comes back to <paramref name="returnUrl"/> afterwards.</summary>
    public static string SignInUrl(string? returnUrl, string? failure = null)
    {
        var query = new Dictionary<string, string?> { [ReturnUrlParameter] = LocalReturnUrl(returnUrl) };
        if (failure is not null)
        {
            query["failed"] = failure;
        }

        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(SignInPath, query);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        UserStore users,
        ILoggerFactory loggers,
        [FromForm(Name = "username")] string? userName,
        [FromForm(Name = "password")] string? password,
        [FromForm(Name = "returnUrl")] string? returnUrl)
    {
        var logger = loggers.CreateLogger(typeof(AccountAuthentication));
        var result = await users.VerifyAsync(userName?.Trim() ?? string.Empty, password ?? string.Empty).ConfigureAwait(false);
        if (result.Outcome != SignInOutcome.SignedIn)
        {
            // A name against the rule is not written to the log as typed: it may hold line breaks or be long.
            var shown = UserStore.NameProblem(userName?.Trim()) is null ? userName!.Trim() : "(not a valid user name)";
            logger.LogWarning("Sign-in refused for '{UserName}' from {Address}: {Outcome}", shown, context.Connection.RemoteIpAddress, result.Outcome);
            return Results.Redirect(SignInUrl(returnUrl, result.Outcome == SignInOutcome.Disabled ? "disabled" : "wrong"));
        }

        await context.SignInAsync(
            CookieAuthenticationDefaults.AuthenticationScheme,
            AccountClaims.Principal(result.Account!),
            new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
        logger.LogInformation("Signed in: '{UserName}' from {Address}", result.Account!.Name, context.Connection.RemoteIpAddress);
        return Results.LocalRedirect(LocalReturnUrl(returnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.Redirect(SignInPath);
    }

    /// <summary>
    /// A page (a Razor component's endpoint) is sent to sign in; everything else (a download, the hub, the circuit, a
    /// form post) is told 401 with how to sign in: a script must not get the sign-in page's HTML for its file.
    /// </summary>
    private static Task Challenge(HttpContext context, string redirectUri)
    {
        var isPage = HttpMethods.IsGet(context.Request.Method)
            && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null;
        if (isPage)
        {
            context.Response.Redirect(redirectUri);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }

        return Task.CompletedTask;
    }

    private static CurrentUser? CurrentUserOf(IServiceProvider services)
    {
        try
        {
            var state = services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync();
            if (state.IsCompletedSuccessfully)
            {
                return CurrentUser.From(state.Result.User);
            }
        }
        catch (InvalidOperationException)
        {
            // Not a circuit or a page being rendered: a plain request (a download), whose user is the HttpContext's.
        }

        return CurrentUser.From(services.GetRequiredService<IHttpContextAccessor>().HttpContext?.User);
    }
}
