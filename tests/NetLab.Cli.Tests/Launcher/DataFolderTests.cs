using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests.Launcher;

/// <summary>
/// How `netlab up` gives the data folder to the web user: what the web user may have planted there (a symbolic or hard
/// link to a file of root's) and a --data naming a system folder must never make root's files the web user's.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DataFolderTests : IDisposable
{
    // A uid and gid no account has: what the tests hand the folder to. Owner 0 afterwards means "not given away".
    private static readonly WebUser Web = new("nltest-web", 64_999, 64_998);

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("nltest-data-");

    public DataFolderTests() => File.SetUnixFileMode(_scratch.FullName, (UnixFileMode)0b111_101_101);

    private string Data => Path.Combine(_scratch.FullName, "data");

    /// <summary>A file of root's outside the data folder: what an attacker wants to own.</summary>
    private string RootsFile => Path.Combine(_scratch.FullName, "roots-secret");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void A_new_folder_is_created_0750_and_given_to_the_web_user()
    {
        RequireRoot();

        DataFolder.Prepare(Data, Web);

        Assert.Equal($"{Web.Uid}:{Web.Gid}", Owner(Data));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Data));
    }

    [Fact]
    public void A_symbolic_link_planted_in_the_data_folder_does_not_give_its_target_away()
    {
        RequireRoot();
        PlantRootsFile();
        DataFolder.Prepare(Data, Web); // the first up: the folder becomes the web user's, who can then plant links in it
        File.CreateSymbolicLink(Path.Combine(Data, "x"), RootsFile);

        DataFolder.Prepare(Data, Web); // the next up

        Assert.Equal("0:0", Owner(RootsFile));
    }

    [Fact]
    public void A_symbolic_link_where_the_store_should_be_is_refused_and_its_target_stays_roots()
    {
        RequireRoot();
        PlantRootsFile();
        DataFolder.Prepare(Data, Web);
        File.CreateSymbolicLink(Path.Combine(Data, DataFolder.StoreFile), RootsFile);

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Data, Web));

        Assert.Contains($"{Path.Combine(Data, DataFolder.StoreFile)} is a symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.Equal("0:0", Owner(RootsFile));
    }

    [Theory]
    [InlineData("y")]
    [InlineData(DataFolder.StoreFile)]
    [InlineData(DataFolder.StoreFile + "-wal")]
    public void A_hard_link_to_a_file_of_roots_is_never_given_away(string name)
    {
        RequireRoot();
        PlantRootsFile();
        DataFolder.Prepare(Data, Web);
        var link = Path.Combine(Data, name);
        Assert.Equal(0, ExternalCommand.Run("ln", RootsFile, link).ExitCode);

        if (name == "y")
        {
            DataFolder.Prepare(Data, Web); // not a store file: left alone
        }
        else
        {
            var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Data, Web));
            Assert.Contains($"{link} has 2 hard links", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal("0:0", Owner(RootsFile));
    }

    [Fact]
    public void A_store_left_by_a_web_that_ran_as_root_becomes_the_web_users_and_nothing_deeper_is_touched()
    {
        RequireRoot();
        var keys = Directory.CreateDirectory(Path.Combine(Data, ".aspnet", "DataProtection-Keys")).FullName;
        File.WriteAllText(Path.Combine(Data, DataFolder.StoreFile), "store");
        File.WriteAllText(Path.Combine(keys, "key.xml"), "key");

        DataFolder.Prepare(Data, Web);

        Assert.Equal($"{Web.Uid}:{Web.Gid}", Owner(Path.Combine(Data, DataFolder.StoreFile)));
        Assert.Equal($"{Web.Uid}:{Web.Gid}", Owner(Data));
        Assert.Equal("0:0", Owner(Path.Combine(Data, ".aspnet")));
        Assert.Equal("0:0", Owner(Path.Combine(keys, "key.xml")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/etc/netlab")]
    [InlineData("/usr/share")]
    [InlineData("/var/lib")]
    [InlineData("/root")]
    [InlineData("/home")]
    [InlineData("/tmp")]
    [InlineData("/run")]
    [InlineData("/dev/shm")]
    public void A_system_folder_is_refused_and_keeps_its_owner(string folder)
    {
        RequireRoot();
        var ownerBefore = Directory.Exists(folder) ? Owner(folder) : null;

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(folder, Web));

        Assert.Contains($"--data {folder}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("system folder", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ownerBefore, Directory.Exists(folder) ? Owner(folder) : null);
    }

    [Fact]
    public void A_folder_of_roots_that_holds_the_stores_migration_backups_is_NetLabs_and_the_backups_stay_roots()
    {
        RequireRoot();
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, DataFolder.StoreFile), "store");
        File.WriteAllText(Path.Combine(Data, DataFolder.StoreFile + ".before-v3.bak"), "copy"); // taken by a web that ran as root

        DataFolder.Prepare(Data, Web);

        Assert.Equal($"{Web.Uid}:{Web.Gid}", Owner(Data));
        Assert.Equal("0:0", Owner(Path.Combine(Data, DataFolder.StoreFile + ".before-v3.bak"))); // read-only to the web: a copy to restore
    }

    [Theory]
    [InlineData("netlab.db.before-v3.bak.sh")]
    [InlineData("netlab.db.before-v.bak")]
    [InlineData("other.db.before-v3.bak")]
    public void Only_the_backup_names_the_web_writes_count_as_NetLabs(string name)
    {
        RequireRoot();
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, name), "x");

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Data, Web));

        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
        Assert.Equal("0:0", Owner(Data));
    }

    [Fact]
    public void A_folder_of_roots_that_holds_other_files_is_refused()
    {
        RequireRoot();
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, "someone-elses.conf"), "x");

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Data, Web));

        Assert.Contains("someone-elses.conf", refused.Message, StringComparison.Ordinal);
        Assert.Equal("0:0", Owner(Data));
    }

    [Fact]
    public void A_path_through_a_symbolic_link_of_another_user_is_refused()
    {
        RequireRoot();
        var real = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "real")).FullName;
        var link = Path.Combine(_scratch.FullName, "link");
        File.CreateSymbolicLink(link, real);
        Assert.Equal(0, ExternalCommand.Run("chown", "-h", $"{Web.Uid}:{Web.Gid}", link).ExitCode);

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Path.Combine(link, "data"), Web));

        Assert.Contains($"{link} is a symbolic link owned by uid {Web.Uid}", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(real, "data")));
    }

    [Fact]
    public void A_folder_under_a_parent_others_can_write_is_refused()
    {
        RequireRoot();
        var open = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "open")).FullName;
        File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111); // 0777 without the sticky bit /tmp has

        var refused = Assert.Throws<ArgumentException>(() => DataFolder.Prepare(Path.Combine(open, "data"), Web));

        Assert.Contains($"{open} can be changed by users other than root", refused.Message, StringComparison.Ordinal);
    }

    private void PlantRootsFile() => File.WriteAllText(RootsFile, "root's");

    private static string Owner(string path)
    {
        var (exit, output) = ExternalCommand.Run("stat", "--format=%u:%g", path);
        Assert.Equal(0, exit);
        return output.Trim();
    }

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("giving a folder to another user needs root; run the suite as root.");
        }
    }
}
