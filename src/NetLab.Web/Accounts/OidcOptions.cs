using Microsoft.Extensions.Options;

namespace NetLab.Web.Accounts;

/// <summary>
/// Single sign-on with the school's OpenID Connect provider (configuration section <c>Web:Oidc</c>, e.g.
/// <c>Web__Oidc__Authority=https://login.school.example</c>). Without an authority nothing of it is set up: local
/// accounts only, as before.
/// </summary>
public sealed class OidcOptions
{
    public const string SectionName = WebOptions.SectionName + ":Oidc";

    /// <summary>The provider's issuer address; its discovery document is read from <c>.well-known/openid-configuration</c> below it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>NetLab is a confidential client: the code is redeemed with this secret (and PKCE).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Space-separated scopes asked for; <c>openid</c> must be one.</summary>
    public string Scopes { get; set; } = "openid profile";

    /// <summary>The ID token claim that becomes the NetLab user name (it must meet <see cref="Store.UserStore.NameRule"/>).</summary>
    public string UserNameClaim { get; set; } = "preferred_username";

    public string DisplayNameClaim { get; set; } = "name";

    /// <summary>
    /// The claim that carries roles (e.g. <c>role</c>, <c>groups</c>); without it every account made by sign-on is a
    /// student. With it, the role is read again at each sign-in: the provider is the authority on who teaches.
    /// </summary>
    public string? RoleClaim { get; set; }

    /// <summary>The value of <see cref="RoleClaim"/> that makes an instructor; any other value (or none) a student.</summary>
    public string InstructorRoleValue { get; set; } = "instructor";

    /// <summary>What the sign-in page's button names: "Sign in with {DisplayName}".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>
    /// The address browsers reach NetLab at (e.g. <c>https://netlab.example.org</c>) when a reverse proxy ends TLS in
    /// front of it; the redirect address registered at the provider is this plus <see cref="CallbackPath"/>. Default: the
    /// address of the request.
    /// </summary>
    public string? PublicUrl { get; set; }

    public const string CallbackPath = "/signin-oidc";

    /// <summary>True when single sign-on is configured at all.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The scopes as a list, in the order given.</summary>
    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when the provider may be reached over plain HTTP: only on this machine (tests, a provider beside NetLab).</summary>
    public bool AllowsHttpMetadata => Uri.TryCreate(Authority, UriKind.Absolute, out var authority) && WebOptionsValidator.IsLoopback(authority);
}

/// <summary>Refuses single sign-on settings that cannot work, at start-up, each with how to fix it.</summary>
public sealed class OidcOptionsValidator : IValidateOptions<OidcOptions>
{
    private const string Prefix = OidcOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!options.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(options.ClientId) || !string.IsNullOrWhiteSpace(options.ClientSecret) || !string.IsNullOrWhiteSpace(options.RoleClaim))
            {
                failures.Add(
                    $"{Prefix}:Authority is missing while other {Prefix} settings are given: set it to the provider's issuer address " +
                    $"(e.g. https://login.school.example/realms/school), or remove the {Prefix} settings to use local accounts only.");
            }

            return Result(failures);
        }

        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(authority.Query) || !string.IsNullOrEmpty(authority.Fragment))
        {
            failures.Add($"{Prefix}:Authority '{options.Authority}' is not an http(s) address without query: give the provider's issuer, e.g. https://login.school.example/realms/school.");
        }
        else if (authority.Scheme == "http" && !WebOptionsValidator.IsLoopback(authority))
        {
            failures.Add(
                $"{Prefix}:Authority '{options.Authority}' is plain HTTP: the provider's keys and NetLab's client secret would cross the network in clear. " +
                "Use the provider's https:// address (plain http is allowed only for a provider on this machine: localhost, 127.0.0.1, ::1).");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{Prefix}:ClientId is missing: give the client id the provider registered for NetLab.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add(
                $"{Prefix}:ClientSecret is missing: give the secret the provider issued for NetLab's client, best as the environment variable " +
                "Web__Oidc__ClientSecret in a file only root reads (a systemd drop-in), not in appsettings.json.");
        }

        if (!options.ScopeList.Contains("openid", StringComparer.Ordinal))
        {
            failures.Add($"{Prefix}:Scopes '{options.Scopes}' lacks 'openid', without which there is no ID token: e.g. \"openid profile\".");
        }

        if (string.IsNullOrWhiteSpace(options.UserNameClaim))
        {
            failures.Add($"{Prefix}:UserNameClaim is empty: name the ID token claim that holds the user name (default preferred_username).");
        }

        if (string.IsNullOrWhiteSpace(options.DisplayNameClaim))
        {
            failures.Add($"{Prefix}:DisplayNameClaim is empty: name the ID token claim that holds the person's name (default name).");
        }

        if (options.RoleClaim is not null && string.IsNullOrWhiteSpace(options.InstructorRoleValue))
        {
            failures.Add($"{Prefix}:InstructorRoleValue is empty: give the value of {options.RoleClaim} that makes an instructor (default instructor).");
        }

        if (string.IsNullOrWhiteSpace(options.DisplayName) || options.DisplayName.Length > 60 || options.DisplayName.Any(char.IsControl))
        {
            failures.Add($"{Prefix}:DisplayName must be 1 to 60 printable characters on one line (the button says \"Sign in with\" it).");
        }

        if (options.PublicUrl is not null
            && (!Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(publicUrl.Query) || !string.IsNullOrEmpty(publicUrl.Fragment)))
        {
            failures.Add($"{Prefix}:PublicUrl '{options.PublicUrl}' is not an http(s) address without query: give the address browsers reach NetLab at, e.g. https://netlab.example.org.");
        }

        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
