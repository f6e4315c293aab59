using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// Single sign-on with the school's OpenID Connect provider (<see cref="OidcOptions"/>): ASP.NET Core's handler does the
/// protocol (authorization code flow with PKCE, the code redeemed with the client secret, state and nonce checked, the ID
/// token's signature, issuer, audience and lifetime validated; no token is kept). Once the provider has vouched for a
/// person, <see cref="Map"/> turns the ID token's claims into an <see cref="ExternalIdentity"/>, the store finds or makes
/// the NetLab account by issuer and subject (<see cref="UserStore.SignInExternalAsync"/>), and the person is signed in
/// with NetLab's own cookie carrying exactly what a local sign-in's carries (<see cref="AccountClaims"/>), so the stamp
/// checks and everything after work unchanged. Refusals go back to the sign-in page with a reason it explains.
/// </summary>
public static class SingleSignOn
{
    public const string Scheme = "oidc";

    /// <summary>Where the sign-in page's "Sign in with ..." link starts the journey to the provider.</summary>
    public const string StartPath = "/account/signin/sso";

    /// <summary>Bounds on what is stored from a token: the specification's 255 characters for a subject; issuers are addresses.</summary>
    public const int MaxSubjectLength = 255;

    public const int MaxIssuerLength = 2048;

    /// <summary>The sign-in page's reasons (query <c>failed</c>).</summary>
    public const string FailedNameTaken = "sso-taken";

    public const string FailedBadName = "sso-name";

    public const string FailedProtocol = "sso";

    /// <summary>The settings, validated at start-up; the provider's handler only when an authority is configured.</summary>
    public static AuthenticationBuilder AddNetLabSingleSignOn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        var services = authentication.Services;
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>, OidcOptionsValidator>();
        if (configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() is not { Enabled: true })
        {
            return authentication;
        }

        authentication.AddOpenIdConnect(Scheme, _ => { });
        services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<OidcOptions>>((oidc, settings) => Configure(oidc, settings.Value));
        return authentication;
    }

    /// <summary>The start of the journey, when single sign-on is configured: the return address stays on this site.</summary>
    public static IEndpointRouteBuilder MapSingleSignOnEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<OidcOptions>>().Value.Enabled)
        {
            endpoints.MapGet(StartPath, ([Microsoft.AspNetCore.Mvc.FromQuery(Name = AccountAuthentication.ReturnUrlParameter)] string? returnUrl) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = AccountAuthentication.LocalReturnUrl(returnUrl), IsPersistent = false }, [Scheme]))
                .AllowAnonymous();
        }

        return endpoints;
    }

    /// <summary>
    /// The NetLab identity an ID token's claims (with their JWT names) stand for, or what keeps them from being one. The
    /// user name must meet NetLab's rule as it is: changing it (dropping a domain, replacing characters) could make two
    /// people one name.
    /// </summary>
    public static ExternalMapping Map(IEnumerable<Claim> claims, OidcOptions options)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(options);
        var all = claims.ToList();
        string? Value(string type) => all.FirstOrDefault(c => c.Type == type)?.Value;

        var issuer = Value("iss");
        var subject = Value("sub");
        if (string.IsNullOrEmpty(issuer) || issuer.Length > MaxIssuerLength)
        {
            return ExternalMapping.Refused($"the ID token's issuer (iss) is {(string.IsNullOrEmpty(issuer) ? "missing" : $"longer than {MaxIssuerLength} characters")}");
        }

        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength)
        {
            return ExternalMapping.Refused($"the ID token's subject (sub) is {(string.IsNullOrEmpty(subject) ? "missing" : $"longer than {MaxSubjectLength} characters")}");
        }

        var userName = Value(options.UserNameClaim);
        if (UserStore.NameProblem(userName) is not null)
        {
            return ExternalMapping.Refused(
                userName is null
                    ? $"the ID token has no '{options.UserNameClaim}' claim for the user name: ask for the scope that carries it, or set {OidcOptions.SectionName}:UserNameClaim to a claim the provider sends"
                    : $"the ID token's '{options.UserNameClaim}' is '{Printable(userName)}', which is no NetLab user name ({UserStore.NameRule}): set {OidcOptions.SectionName}:UserNameClaim to a claim whose values are");
        }

        UserRole? role = options.RoleClaim is null ? null
            : all.Any(c => c.Type == options.RoleClaim && string.Equals(c.Value, options.InstructorRoleValue, StringComparison.Ordinal)) ? UserRole.Instructor
            : UserRole.Student;
        return new ExternalMapping(new ExternalIdentity(issuer, subject, userName!, DisplayName(Value(options.DisplayNameClaim), userName!), role), null);
    }

    /// <summary>The provider's display name made one printable line within NetLab's bound; the user name when there is none.</summary>
    internal static string DisplayName(string? claim, string userName)
    {
        var line = string.Join(' ', (claim ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => new string([.. word.Where(c => !char.IsControl(c))]))
            .Where(word => word.Length > 0));
        line = line.Length > UserStore.MaxDisplayNameLength ? line[..UserStore.MaxDisplayNameLength].TrimEnd() : line;
        return line.Length == 0 ? userName : line;
    }

    private static void Configure(OpenIdConnectOptions oidc, OidcOptions settings)
    {
        oidc.Authority = settings.Authority;
        oidc.ClientId = settings.ClientId;
        oidc.ClientSecret = settings.ClientSecret;
        oidc.RequireHttpsMetadata = !settings.AllowsHttpMetadata;
        oidc.ResponseType = OpenIdConnectResponseType.Code;
        oidc.UsePkce = true;
        // The code comes back in the query of a top-level GET, so the correlation and nonce cookies can be SameSite=Lax and
        // need not be Secure: the web may be reached over plain http (on loopback, or until it has HTTPS), where a
        // SameSite=None cookie (what a form_post answer needs) is refused by browsers.
        oidc.ResponseMode = OpenIdConnectResponseMode.Query;
        oidc.CorrelationCookie.SameSite = SameSiteMode.Lax;
        oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        oidc.NonceCookie.SameSite = SameSiteMode.Lax;
        oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        // NetLab needs the person, not access to anything of theirs: no token is kept in the cookie.
        oidc.SaveTokens = false;
        oidc.GetClaimsFromUserInfoEndpoint = false;
        // Claims keep their JWT names (sub, preferred_username, role), the names the settings use.
        oidc.MapInboundClaims = false;
        oidc.DisableTelemetry = true;
        oidc.Scope.Clear();
        foreach (var scope in settings.ScopeList)
        {
            oidc.Scope.Add(scope);
        }

        oidc.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        oidc.CallbackPath = OidcOptions.CallbackPath;
        oidc.Events.OnRedirectToIdentityProvider = context =>
        {
            if (settings.PublicUrl is { } publicUrl)
            {
                context.ProtocolMessage.RedirectUri = publicUrl.TrimEnd('/') + OidcOptions.CallbackPath;
            }

            return Task.CompletedTask;
        };
        oidc.Events.OnTokenValidated = context => OnTokenValidatedAsync(context, settings);
        oidc.Events.OnTicketReceived = context =>
        {
            // Set by the start endpoint and protected in the state; checked again, as every sign-in's return address is.
            context.ReturnUri = AccountAuthentication.LocalReturnUrl(context.ReturnUri);
            return Task.CompletedTask;
        };
        oidc.Events.OnRemoteFailure = context =>
        {
            // A tampered or replayed answer, a missing correlation cookie, the provider's own refusal: said in the log,
            // the person sent back to the sign-in page (never a 500 page).
            Logger(context.HttpContext).LogWarning(
                "Single sign-on failed from {Address}: {Failure}", context.HttpContext.Connection.RemoteIpAddress, context.Failure?.Message);
            context.Response.Redirect(AccountAuthentication.SignInUrl(context.Properties?.RedirectUri, FailedProtocol));
            context.HandleResponse();
            return Task.CompletedTask;
        };
    }

    private static async Task OnTokenValidatedAsync(TokenValidatedContext context, OidcOptions settings)
    {
        var logger = Logger(context.HttpContext);
        var address = context.HttpContext.Connection.RemoteIpAddress;
        var mapping = Map(context.Principal?.Claims ?? [], settings);
        if (mapping.Identity is not { } identity)
        {
            logger.LogWarning("Single sign-on refused from {Address}: {Problem}", address, mapping.Problem);
            Refuse(context, FailedBadName);
            return;
        }

        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
        var result = await users.SignInExternalAsync(identity).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case ExternalSignInOutcome.Disabled:
                logger.LogWarning("Single sign-on refused for '{UserName}' from {Address}: the account is disabled", result.Account!.Name, address);
                Refuse(context, "disabled");
                return;
            case ExternalSignInOutcome.NameTaken:
                logger.LogWarning(
                    "Single sign-on refused for '{UserName}' (subject {Subject} at {Issuer}) from {Address}: another account has that name and is not taken over",
                    identity.UserName, Printable(identity.Subject), Printable(identity.Issuer), address);
                Refuse(context, FailedNameTaken);
                return;
            default:
                var account = result.Account!;
                logger.LogInformation(
                    "Signed in with single sign-on: '{UserName}' ({Role}{Created}) from {Address}",
                    account.Name, UserStore.RoleName(account.Role), result.Outcome switch { ExternalSignInOutcome.Created => ", account made now", ExternalSignInOutcome.Linked => ", the roster's account linked now", _ => string.Empty }, address);
                context.Principal = AccountClaims.Principal(account);
                context.Properties!.IsPersistent = false;
                return;
        }
    }

    private static void Refuse(TokenValidatedContext context, string failure)
    {
        context.Response.Redirect(AccountAuthentication.SignInUrl(context.Properties?.RedirectUri, failure));
        context.HandleResponse();
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SingleSignOn));

    /// <summary>A value from a token as it may be shown in a message or log: one line, bounded.</summary>
    private static string Printable(string text)
    {
        var shown = new string([.. text.Take(60).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 60 ? shown + "..." : shown;
    }
}

/// <summary>The outcome of <see cref="SingleSignOn.Map"/>: an identity, or the problem that keeps the claims from being one.</summary>
public sealed record ExternalMapping(ExternalIdentity? Identity, string? Problem)
{
    public static ExternalMapping Refused(string problem) => new(null, problem);
}
