using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// The circuits' authentication state, checked against the store every <see cref="RevalidationInterval"/> (a minute):
/// when the account was disabled, its password reset or it is gone, the state becomes signed out, and the router
/// (<c>Routes.razor</c>) sends the page to the sign-in page; the cookie itself is refused at that next request
/// (<see cref="AccountAuthentication"/>).
/// </summary>
public sealed class AccountRevalidation(ILoggerFactory loggerFactory, UserStore users, AccountRevalidationInterval interval)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => interval.Value;

    /// <summary>Exposed for tests: the check the base class runs each interval.</summary>
    public Task<bool> ValidateAsync(AuthenticationState state, CancellationToken cancellationToken) =>
        ValidateAuthenticationStateAsync(state, cancellationToken);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        AccountClaims.StillValidAsync(authenticationState.User, users);
}

/// <summary>How often open circuits are checked; a minute unless a test asks for less.</summary>
public sealed record AccountRevalidationInterval(TimeSpan Value)
{
    public static AccountRevalidationInterval Default { get; } = new(TimeSpan.FromMinutes(1));
}
