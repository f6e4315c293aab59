using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Accounts;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Accounts;

/// <summary>The check open circuits get each minute: the account still there, enabled, with the stamp its sign-in carried.</summary>
public sealed class AccountRevalidationTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public AccountRevalidationTests()
    {
        Users = new UserStore(_db.Database, TimeProvider.System);
        Provider = new AccountRevalidation(NullLoggerFactory.Instance, Users, AccountRevalidationInterval.Default);
    }

    private UserStore Users { get; }

    private AccountRevalidation Provider { get; }

    public void Dispose()
    {
        ((IDisposable)Provider).Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task An_active_account_stays_signed_in_and_a_disabled_one_is_dropped()
    {
        var state = new AuthenticationState(AccountClaims.Principal(await Users.AddAsync("alice", UserRole.Student, TestSignIn.Password)));
        Assert.True(await Provider.ValidateAsync(state, TestContext.Current.CancellationToken));

        await Users.SetDisabledAsync("alice", disabled: true);

        Assert.False(await Provider.ValidateAsync(state, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_password_reset_drops_sessions_signed_in_before_it_but_not_after()
    {
        var before = new AuthenticationState(AccountClaims.Principal(await Users.AddAsync("alice", UserRole.Student, TestSignIn.Password)));

        var after = new AuthenticationState(AccountClaims.Principal(await Users.ResetPasswordAsync("alice", "a new password")));

        Assert.False(await Provider.ValidateAsync(before, TestContext.Current.CancellationToken));
        Assert.True(await Provider.ValidateAsync(after, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_anonymous_state_or_a_principal_without_a_stamp_is_not_valid()
    {
        var account = await Users.AddAsync("alice", UserRole.Student, TestSignIn.Password);
        var withoutStamp = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            AccountClaims.Principal(account).Claims.Where(c => c.Type != AccountClaims.SecurityStampType), "Cookies"));

        Assert.False(await Provider.ValidateAsync(new AuthenticationState(new()), TestContext.Current.CancellationToken));
        Assert.False(await Provider.ValidateAsync(new AuthenticationState(withoutStamp), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Open_circuits_are_checked_every_minute()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), AccountRevalidationInterval.Default.Value);
    }
}
