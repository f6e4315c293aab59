using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

/// <summary>Accounts made by single sign-on: known by issuer and subject, never by name; no password; disabled refused.</summary>
public sealed class UserStoreExternalTests : IDisposable
{
    private const string Issuer = "https://login.school.example/";

    private readonly TempDatabase _db = new();

    public UserStoreExternalTests() => Users = new UserStore(_db.Database, TimeProvider.System);

    private UserStore Users { get; }

    public void Dispose() => _db.Dispose();

    private static ExternalIdentity Alice(string name = "alice", string display = "Alice Adams", UserRole? role = null, string issuer = Issuer, string subject = "u-1") =>
        new(issuer, subject, name, display, role);

    [Fact]
    public async Task The_first_sign_in_makes_a_student_without_a_password_that_is_no_pre_accounts_takeover()
    {
        var result = await Users.SignInExternalAsync(Alice());

        Assert.Equal(ExternalSignInOutcome.Created, result.Outcome);
        var account = result.Account!;
        Assert.Equal(("alice", "Alice Adams", UserRole.Student, true), (account.Name, account.DisplayName, account.Role, account.SingleSignOn));
        // The labs made before accounts stay with the pre-accounts user: a student signing on first does not get them.
        Assert.NotEqual(LabStore.LocalUserId, account.Id);
        Assert.True(await Users.AnyAccountAsync());
        Assert.Equal(account, await Users.GetAsync(account.Id));
        Assert.Equal(["alice"], (await Users.ListAsync()).Select(a => a.Name));
    }

    [Fact]
    public async Task A_rosters_awaiting_account_is_linked_once_by_name_and_then_known_by_subject_only()
    {
        var awaiting = await Users.AddAwaitingSingleSignOnAsync("alice", "Alice from the roster");
        Assert.True(awaiting.SingleSignOn);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "any password at all")).Outcome);

        var linked = await Users.SignInExternalAsync(Alice());
        var again = await Users.SignInExternalAsync(Alice());
        var impostor = await Users.SignInExternalAsync(Alice(subject: "u-2"));

        Assert.Equal((ExternalSignInOutcome.Linked, awaiting.Id, "Alice Adams"), (linked.Outcome, linked.Account!.Id, linked.Account.DisplayName));
        Assert.Equal((ExternalSignInOutcome.SignedIn, awaiting.Id), (again.Outcome, again.Account!.Id));
        // Linked once: another person at the provider with that name is refused like any taken name.
        Assert.Equal(ExternalSignInOutcome.NameTaken, impostor.Outcome);
    }

    [Fact]
    public async Task Only_an_awaiting_account_is_linked_by_name_and_a_disabled_one_is_refused()
    {
        await Users.AddAsync("teacher", UserRole.Instructor, "a-good-password");
        await Users.AddAsync("alice", UserRole.Student, "a-good-password");
        await Users.AddAwaitingSingleSignOnAsync("bob");
        await Users.SetDisabledAsync("bob", disabled: true);

        Assert.Equal(ExternalSignInOutcome.NameTaken, (await Users.SignInExternalAsync(Alice(name: "teacher", subject: "u-t"))).Outcome);
        Assert.Equal(ExternalSignInOutcome.NameTaken, (await Users.SignInExternalAsync(Alice(name: "alice", subject: "u-a"))).Outcome);
        Assert.Equal(ExternalSignInOutcome.Disabled, (await Users.SignInExternalAsync(Alice(name: "bob", subject: "u-b"))).Outcome);
        Assert.True((await Users.FindAsync("bob"))!.Disabled);
    }

    [Fact]
    public async Task A_role_from_the_provider_makes_an_instructor_and_a_changed_role_changes_the_stamp()
    {
        var made = (await Users.SignInExternalAsync(Alice(role: UserRole.Instructor))).Account!;
        var same = (await Users.SignInExternalAsync(Alice(role: UserRole.Instructor))).Account!;
        var demoted = (await Users.SignInExternalAsync(Alice(role: UserRole.Student))).Account!;
        var unsaid = (await Users.SignInExternalAsync(Alice(role: null))).Account!;

        Assert.Equal(UserRole.Instructor, made.Role);
        Assert.Equal(made.SecurityStamp, same.SecurityStamp);
        Assert.Equal(UserRole.Student, demoted.Role);
        Assert.NotEqual(made.SecurityStamp, demoted.SecurityStamp);
        Assert.Equal((UserRole.Student, demoted.SecurityStamp), (unsaid.Role, unsaid.SecurityStamp));
    }

    [Fact]
    public async Task A_rename_at_the_provider_keeps_the_account_and_its_name_and_takes_the_new_display_name()
    {
        var first = await Users.SignInExternalAsync(Alice());

        var renamed = await Users.SignInExternalAsync(Alice(name: "alice-smith", display: "Alice Smith"));

        Assert.Equal(ExternalSignInOutcome.SignedIn, renamed.Outcome);
        Assert.Equal(first.Account!.Id, renamed.Account!.Id);
        Assert.Equal(("alice", "Alice Smith"), (renamed.Account.Name, renamed.Account.DisplayName));
        Assert.Single(await Users.ListAsync());
    }

    [Fact]
    public async Task A_name_of_a_local_account_of_another_persons_or_of_the_pre_accounts_user_is_not_taken_over()
    {
        var local = await Users.AddAsync("Bob", UserRole.Instructor, "correct horse");
        await Users.SignInExternalAsync(Alice());

        var asLocal = await Users.SignInExternalAsync(Alice(name: "bob", subject: "u-2"));
        var asOther = await Users.SignInExternalAsync(Alice(name: "ALICE", subject: "u-3"));
        var otherIssuer = await Users.SignInExternalAsync(Alice(issuer: "https://other.example/"));

        Assert.Equal((ExternalSignInOutcome.NameTaken, null), (asLocal.Outcome, asLocal.Account));
        Assert.Equal(ExternalSignInOutcome.NameTaken, asOther.Outcome);
        // The same subject at another provider is another person.
        Assert.Equal(ExternalSignInOutcome.NameTaken, otherIssuer.Outcome);
        Assert.Equal(local, await Users.FindAsync("bob"));
        Assert.Equal(SignInOutcome.SignedIn, (await Users.VerifyAsync("bob", "correct horse")).Outcome);
        Assert.Equal(2, (await Users.ListAsync()).Count);
    }

    [Fact]
    public async Task The_pre_accounts_users_name_is_taken_too()
    {
        var result = await Users.SignInExternalAsync(Alice(name: "local"));

        Assert.Equal(ExternalSignInOutcome.NameTaken, result.Outcome);
    }

    [Fact]
    public async Task A_disabled_account_is_refused_and_enabled_again_signs_in()
    {
        await Users.SignInExternalAsync(Alice());
        await Users.SetDisabledAsync("alice", disabled: true);

        var refused = await Users.SignInExternalAsync(Alice(role: UserRole.Instructor));
        await Users.SetDisabledAsync("alice", disabled: false);
        var again = await Users.SignInExternalAsync(Alice());

        Assert.Equal(ExternalSignInOutcome.Disabled, refused.Outcome);
        Assert.Equal(UserRole.Student, refused.Account!.Role);
        Assert.Equal(ExternalSignInOutcome.SignedIn, again.Outcome);
    }

    [Fact]
    public async Task An_account_of_single_sign_on_has_no_password_to_sign_in_with_or_to_reset()
    {
        await Users.SignInExternalAsync(Alice());

        var local = await Users.VerifyAsync("alice", "any password at all");
        var reset = await Assert.ThrowsAsync<ArgumentException>(() => Users.ResetPasswordAsync("alice", "correct horse"));

        Assert.Equal(SignInOutcome.WrongNameOrPassword, local.Outcome);
        Assert.Contains("single sign-on", reset.Message, StringComparison.Ordinal);
        Assert.Equal(SignInOutcome.WrongNameOrPassword, (await Users.VerifyAsync("alice", "correct horse")).Outcome);
    }

    [Fact]
    public async Task A_local_account_added_later_cannot_take_a_single_sign_on_name()
    {
        await Users.SignInExternalAsync(Alice());

        var taken = await Assert.ThrowsAsync<ArgumentException>(() => Users.AddAsync("Alice", UserRole.Student, "correct horse"));

        Assert.Contains("is taken", taken.Message, StringComparison.Ordinal);
    }
}
