using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// What a sign-in cookie says about its account: id, user name, display name, role (as a role claim, so
/// <c>[Authorize(Roles = "instructor")]</c> works) and the security stamp it was issued with, which revalidation
/// compares with the store's.
/// </summary>
public static class AccountClaims
{
    public const string DisplayNameType = "netlab:display_name";
    public const string SecurityStampType = "netlab:security_stamp";

    public static ClaimsPrincipal Principal(UserAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, account.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, account.Name),
                new Claim(DisplayNameType, account.DisplayName),
                new Claim(ClaimTypes.Role, UserStore.RoleName(account.Role)),
                new Claim(SecurityStampType, account.SecurityStamp),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    public static CurrentUser? Read(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true
            || !long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || principal.FindFirstValue(ClaimTypes.Name) is not { } name)
        {
            return null;
        }

        return new CurrentUser(id, name)
        {
            DisplayName = principal.FindFirstValue(DisplayNameType) ?? name,
            Role = UserStore.ParseRole(principal.FindFirstValue(ClaimTypes.Role)) ?? UserRole.Student,
        };
    }

    /// <summary>True while the account behind <paramref name="principal"/> exists, is enabled and still has the stamp the cookie carries.</summary>
    public static async Task<bool> StillValidAsync(ClaimsPrincipal? principal, UserStore users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (Read(principal) is not { } user || principal!.FindFirstValue(SecurityStampType) is not { } stamp)
        {
            return false;
        }

        var account = await users.GetAsync(user.Id).ConfigureAwait(false);
        return account is { Disabled: false } && string.Equals(account.SecurityStamp, stamp, StringComparison.Ordinal);
    }
}
