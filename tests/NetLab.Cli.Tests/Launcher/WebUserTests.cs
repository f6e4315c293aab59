using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests.Launcher;

/// <summary>Which account the web of `netlab up` runs as: the decision, over a fake of the machine's accounts.</summary>
public sealed class WebUserTests
{
    [Fact]
    public void An_existing_netlab_user_is_used_and_nothing_is_created()
    {
        var accounts = new FakeUserAccounts(new WebUser("netlab", 998, 997), new WebUser("nobody", 65534, 65534));

        var choice = WebUser.Resolve(null, accounts);

        Assert.Equal(new WebUserChoice(new WebUser("netlab", 998, 997), Created: false), choice);
        Assert.Empty(accounts.Created);
    }

    [Fact]
    public void A_missing_netlab_user_is_created_never_nobody()
    {
        var accounts = new FakeUserAccounts(new WebUser("nobody", 65534, 65534)) { NextUid = 996 };

        var choice = WebUser.Resolve(null, accounts);

        Assert.Equal(["netlab"], accounts.Created);
        Assert.True(choice.Created);
        Assert.Equal(new WebUser("netlab", 996, 996), choice.User);
    }

    [Fact]
    public void A_named_user_is_used_as_it_is_and_never_created()
    {
        var accounts = new FakeUserAccounts(new WebUser("labweb", 1200, 1200));

        Assert.Equal(new WebUserChoice(new WebUser("labweb", 1200, 1200), Created: false), WebUser.Resolve("labweb", accounts));

        var missing = Assert.Throws<ArgumentException>(() => WebUser.Resolve("ghost", accounts));
        Assert.Contains("no user named 'ghost'", missing.Message, StringComparison.Ordinal);
        Assert.Empty(accounts.Created);
    }

    [Fact]
    public void When_netlab_cannot_be_created_up_refuses_and_says_how_instead_of_falling_back_to_nobody()
    {
        var accounts = new FakeUserAccounts(new WebUser("nobody", 65534, 65534)) { CreationError = "useradd: cannot lock /etc/passwd" };

        var error = Assert.Throws<ArgumentException>(() => WebUser.Resolve(null, accounts));

        Assert.Contains("could not create the system user 'netlab'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot lock /etc/passwd", error.Message, StringComparison.Ordinal);
        Assert.Contains("--web-user", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("/")]
    public async Task Up_refuses_a_system_data_folder_before_it_creates_an_account(string data)
    {
        var accounts = new FakeUserAccounts();
        var services = new CliServices(_ => throw new InvalidOperationException("no agent may start"), IsRoot: true) { Accounts = accounts };
        var web = Path.Combine(AppContext.BaseDirectory, "web", "NetLab.Web.dll");
        var socket = Path.Combine(Path.GetTempPath(), $"nltest-up-refused-{Environment.ProcessId}.sock");

        var run = await Commands.CliRun.RunAsync(["up", "--data", data, "--web", web, "--socket", socket], services, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.CannotRun, run.Exit);
        Assert.StartsWith($"netlab up: --data {data} is a system folder", run.Errors, StringComparison.Ordinal);
        Assert.Empty(accounts.Created);
    }

    [Fact]
    public void A_netlab_user_made_by_another_up_while_useradd_failed_is_used()
    {
        var accounts = new FakeUserAccounts { CreationError = "useradd: user 'netlab' already exists", CreatedMeanwhile = new WebUser("netlab", 995, 995) };

        var choice = WebUser.Resolve(null, accounts);

        Assert.Equal(new WebUserChoice(new WebUser("netlab", 995, 995), Created: false), choice);
    }

    [Theory]
    [InlineData("root", 0u, 0u)]
    [InlineData("wheelish", 1300u, 0u)]
    [InlineData("netlab", 0u, 998u)]
    public void Root_ids_are_refused_whoever_has_them(string name, uint uid, uint gid)
    {
        var accounts = new FakeUserAccounts(new WebUser(name, uid, gid));

        var error = Assert.Throws<ArgumentException>(() => WebUser.Resolve(name == "netlab" ? null : name, accounts));

        Assert.Contains("without root's ids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_passwd_reader_finds_uid_and_primary_gid_and_nothing_for_a_missing_name()
    {
        var passwd = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(passwd, ["root:x:0:0:root:/root:/bin/bash", "netlab:x:998:997:NetLab web dashboard:/nonexistent:/usr/sbin/nologin", "broken-line"]);
            var accounts = new SystemUserAccounts(passwd);

            Assert.Equal(new WebUser("netlab", 998, 997), accounts.Find("netlab"));
            Assert.Null(accounts.Find("netla"));
            Assert.Null(accounts.Find("broken-line"));
        }
        finally
        {
            File.Delete(passwd);
        }
    }

    /// <summary>
    /// The one test that creates a real account (a throwaway name, removed again): useradd's options make a system
    /// user with a group of its own, no home and no login shell.
    /// </summary>
    [Fact]
    public void Useradd_makes_a_system_user_with_its_own_group_no_home_and_no_login()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("Creating an account needs root; run the suite as root.");
        }

        var name = $"nltest-web{Environment.ProcessId % 100000}";
        try
        {
            SystemUserAccounts.Instance.CreateSystemUser(name);

            var user = SystemUserAccounts.Instance.Find(name);
            Assert.NotNull(user);
            var entry = File.ReadAllLines("/etc/passwd").Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':');
            Assert.Equal("/usr/sbin/nologin", entry[6]);
            Assert.Equal("/nonexistent", entry[5]);
            Assert.False(Directory.Exists("/nonexistent"));
            Assert.InRange(user.Uid, 100u, 999u); // Debian's range for system users
            var group = File.ReadAllLines("/etc/group").Single(l => l.Split(':')[2] == user.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.StartsWith(name + ":", group, StringComparison.Ordinal);

            var again = Assert.Throws<IOException>(() => SystemUserAccounts.Instance.CreateSystemUser(name));
            Assert.Contains("already exists", again.Message, StringComparison.Ordinal);
        }
        finally
        {
            _ = ExternalCommand.Run("userdel", name);
        }

        Assert.Null(SystemUserAccounts.Instance.Find(name));
    }

    private sealed class FakeUserAccounts(params WebUser[] existing) : IUserAccounts
    {
        private readonly List<WebUser> _users = [.. existing];

        public List<string> Created { get; } = [];

        public uint NextUid { get; init; } = 999;

        public string? CreationError { get; init; }

        /// <summary>Appears when creation fails, as if another process had made it at that moment.</summary>
        public WebUser? CreatedMeanwhile { get; init; }

        public WebUser? Find(string name) => _users.FirstOrDefault(u => u.Name == name);

        public void CreateSystemUser(string name)
        {
            if (CreationError is not null)
            {
                if (CreatedMeanwhile is not null)
                {
                    _users.Add(CreatedMeanwhile);
                }

                throw new IOException(CreationError);
            }

            Created.Add(name);
            _users.Add(new WebUser(name, NextUid, NextUid));
        }
    }
}
