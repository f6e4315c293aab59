using System.Security.Claims;
using NetLab.Web.Accounts;
using NetLab.Web.Store;

namespace NetLab.Web.Model;

/// <summary>
/// Whose labs the pages show: the signed-in account, read from its sign-in claims (<see cref="AccountClaims"/>). Pages
/// and dialogs inject it (scoped: the circuit's or the request's user); the hub and the endpoints read their own.
/// </summary>
public sealed record CurrentUser(long Id, string Name)
{
    public string DisplayName { get; init; } = Name;

    public UserRole Role { get; init; } = UserRole.Student;

    /// <summary>The store's pre-accounts user, for tests of pages that need one without signing in.</summary>
    public static CurrentUser Local { get; } = new(LabStore.LocalUserId, "local");

    /// <summary>The signed-in user of <paramref name="principal"/>, or null when it is not a signed-in NetLab account.</summary>
    public static CurrentUser? From(ClaimsPrincipal? principal) => AccountClaims.Read(principal);
}
