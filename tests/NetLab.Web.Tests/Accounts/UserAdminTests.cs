using Microsoft.Data.Sqlite;
using NetLab.Web.Accounts;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Accounts;

/// <summary>The web's one-shot admin mode that `netlab user` runs, on a store in a temp folder.</summary>
public sealed class UserAdminTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("netlab-admin-test-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<(int Exit, string Output, string Errors)> RunAsync(string input, params string[] words)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await UserAdmin.RunAsync(["user", .. words, $"--Web:DataFolder={_folder}"], new StringReader(input), output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task Add_reads_the_password_from_standard_input_and_list_shows_the_account()
    {
        var added = await RunAsync("correct horse\n", "add", "alice", "--role", "instructor", "--display-name", "Alice L.");
        var listed = await RunAsync(string.Empty, "list");

        Assert.Equal((0, "added instructor 'alice' (Alice L.)\n", string.Empty), added);
        Assert.Equal(0, listed.Exit);
        Assert.Matches(@"alice +instructor +active +\d{4}-\d\d-\d\d \d\d:\d\d +Alice L\.", listed.Output);
        var store = new UserStore(new SqliteDatabase(Path.Combine(_folder, "netlab.db")), TimeProvider.System);
        Assert.Equal(SignInOutcome.SignedIn, (await store.VerifyAsync("alice", "correct horse")).Outcome);
    }

    [Fact]
    public async Task Disable_enable_and_reset_password_change_the_account()
    {
        _ = await RunAsync("correct horse\n", "add", "bob", "--role", "student");

        var disabled = await RunAsync(string.Empty, "disable", "bob");
        var store = new UserStore(new SqliteDatabase(Path.Combine(_folder, "netlab.db")), TimeProvider.System);
        Assert.Equal(SignInOutcome.Disabled, (await store.VerifyAsync("bob", "correct horse")).Outcome);
        var enabled = await RunAsync(string.Empty, "enable", "bob");
        var reset = await RunAsync("battery staple\r\n", "reset-password", "bob");

        Assert.Equal([0, 0, 0], new[] { disabled.Exit, enabled.Exit, reset.Exit });
        Assert.Contains("signed out within a minute", disabled.Output, StringComparison.Ordinal);
        Assert.Equal(SignInOutcome.SignedIn, (await store.VerifyAsync("bob", "battery staple")).Outcome);
    }

    [Theory]
    [InlineData("add alice", "--role instructor or --role student")]
    [InlineData("add alice --role teacher", "--role 'teacher' is no role")]
    [InlineData("add a/b --role student", "not allowed")]
    [InlineData("add alice --role student --password x", "unknown option")]
    [InlineData("disable", "exactly one user name")]
    [InlineData("list extra", "takes no arguments")]
    [InlineData("remove alice", "usage: user add NAME")]
    public async Task A_command_line_to_fix_is_exit_2_with_what_to_do(string words, string expected)
    {
        var run = await RunAsync("correct horse\n", words.Split(' '));

        Assert.Equal(UserAdmin.Usage, run.Exit);
        Assert.Contains(expected, run.Errors, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Refusals_of_the_store_are_exit_1_and_say_how_to_fix_them()
    {
        var noPassword = await RunAsync(string.Empty, "add", "alice", "--role", "student");
        var shortPassword = await RunAsync("short\n", "add", "alice", "--role", "student");
        _ = await RunAsync("correct horse\n", "add", "alice", "--role", "student");
        var taken = await RunAsync("correct horse\n", "add", "ALICE", "--role", "student");
        var unknown = await RunAsync(string.Empty, "disable", "carol");

        Assert.All(new[] { noPassword, shortPassword, taken, unknown }, run => Assert.Equal(UserAdmin.Failed, run.Exit));
        Assert.Contains("no password on standard input", noPassword.Errors, StringComparison.Ordinal);
        Assert.Contains("fewer than 8", shortPassword.Errors, StringComparison.Ordinal);
        Assert.Contains("is taken", taken.Errors, StringComparison.Ordinal);
        Assert.Contains("no account named 'carol'", unknown.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_of_an_empty_store_says_how_to_create_the_first_account()
    {
        var run = await RunAsync(string.Empty, "list");

        Assert.Equal(0, run.Exit);
        Assert.Contains("sudo netlab user add NAME --role instructor", run.Output, StringComparison.Ordinal);
    }
}
