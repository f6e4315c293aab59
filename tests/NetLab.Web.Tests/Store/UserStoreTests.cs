using Dapper;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

public sealed class UserStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public UserStoreTests() => Users = new UserStore(_db.Database, TimeProvider.System);

    private UserStore Users { get; }

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_new_store_has_no_account_and_the_first_one_takes_over_the_labs_made_before_accounts()
    {
        var before = (await _db.Store.CreateBlankAsync(LabStore.LocalUserId, "old-lab")).Value!;
        Assert.False(await Users.AnyAccountAsync());
        Assert.Empty(await Users.ListAsync());

        var first = await Users.AddAsync("Alice", UserRole.Instructor, "correct horse", "Alice Liddell");
        var second = await Users.AddAsync("bob", UserRole.Student, "battery staple");

        Assert.True(await Users.AnyAccountAsync());
        Assert.Equal(LabStore.LocalUserId, first.Id);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("old-lab", (await _db.Store.GetLabAsync(first.Id, before.Id))!.Name);
        Assert.Empty(await _db.Store.ListLabsAsync(second.Id));
        Assert.Equal(["Alice", "bob"], (await Users.ListAsync()).Select(a => a.Name));
        Assert.Equal(("Alice Liddell", UserRole.Instructor), (first.DisplayName, first.Role));
        Assert.Equal(("bob", UserRole.Student), (second.DisplayName, second.Role));
    }

    [Fact]
    public async Task The_password_is_stored_only_as_ASP_NET_Cores_hash_and_verifies()
    {
        await Users.AddAsync("alice", UserRole.Student, "correct horse");

        using var connection = _db.Database.Open();
        var hash = connection.ExecuteScalar<string>("SELECT password_hash FROM users WHERE name = 'alice'")!;
        Assert.DoesNotContain("correct horse", hash, StringComparison.Ordinal);
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]); // PasswordHasher's v3 format marker
        Assert.Equal(SignInOutcome.SignedIn, (await Users.VerifyAsync("ALICE", "correct horse")).Outcome);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "wrong horse")).Outcome);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("nobody", "correct horse")).Outcome);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("bad name", "correct horse")).Outcome);
    }

    [Fact]
    public async Task Names_are_unique_whatever_their_case()
    {
        await Users.AddAsync("Alice", UserRole.Student, "correct horse");

        var taken = await Assert.ThrowsAsync<ArgumentException>(() => Users.AddAsync("alice", UserRole.Student, "correct horse"));

        Assert.Contains("'alice' is taken (by 'Alice'", taken.Message, StringComparison.Ordinal);
        Assert.Single(await Users.ListAsync());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a b", "not allowed")]
    [InlineData("-dash", "not allowed")]
    [InlineData("../x", "not allowed")]
    [InlineData("ÄÖ", "not allowed")]
    [InlineData("abcdefghijabcdefghijabcdefghijabc", "more than 32")]
    public async Task Bad_names_are_refused_with_the_rule(string name, string expected)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Users.AddAsync(name, UserRole.Student, "correct horse"));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Contains(UserStore.NameRule, refused.Message, StringComparison.Ordinal);
        Assert.False(await Users.AnyAccountAsync());
    }

    [Theory]
    [InlineData("short", "fewer than 8")]
    [InlineData("", "empty")]
    public async Task Short_passwords_are_refused(string password, string expected)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Users.AddAsync("alice", UserRole.Student, password));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.False(await Users.AnyAccountAsync());
    }

    [Fact]
    public async Task Disabling_refuses_sign_in_and_changes_the_stamp_and_enabling_changes_it_again()
    {
        var added = await Users.AddAsync("alice", UserRole.Student, "correct horse");

        var disabled = await Users.SetDisabledAsync("alice", disabled: true);
        var again = await Users.SetDisabledAsync("alice", disabled: true);

        Assert.True(disabled.Disabled);
        Assert.NotEqual(added.SecurityStamp, disabled.SecurityStamp);
        Assert.Equal(disabled.SecurityStamp, again.SecurityStamp); // no change, no new stamp
        Assert.Equal(SignInOutcome.Disabled, (await Users.VerifyAsync("alice", "correct horse")).Outcome);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "wrong horse")).Outcome);

        var enabled = await Users.SetDisabledAsync("alice", disabled: false);
        Assert.NotEqual(disabled.SecurityStamp, enabled.SecurityStamp);
        Assert.Equal(SignInOutcome.SignedIn, (await Users.VerifyAsync("alice", "correct horse")).Outcome);
    }

    [Fact]
    public async Task Reset_password_replaces_the_old_one_and_the_stamp()
    {
        var added = await Users.AddAsync("alice", UserRole.Student, "correct horse");

        var reset = await Users.ResetPasswordAsync("Alice", "battery staple");

        Assert.NotEqual(added.SecurityStamp, reset.SecurityStamp);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "correct horse")).Outcome);
        Assert.Equal(SignInOutcome.SignedIn, (await Users.VerifyAsync("alice", "battery staple")).Outcome);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => Users.ResetPasswordAsync("nobody", "battery staple"));
        Assert.Contains("netlab user list", unknown.Message, StringComparison.Ordinal);
    }
}
