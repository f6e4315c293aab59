using Microsoft.Data.Sqlite;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

/// <summary>
/// A store on a file system of its own that the test fills: a small tmpfs mounted on a temp folder (root only; the test
/// skips, saying so, otherwise), unmounted on dispose, also after a failure. <see cref="Fill"/> writes a filler file until
/// the kernel says ENOSPC, after a checkpoint that empties the store's WAL, so that the next write must grow a file.
/// </summary>
public sealed class FullDisk : IDisposable
{
    private readonly string _filler;

    public FullDisk(string size = "2m")
    {
        Assert.SkipWhen(Environment.UserName != "root", "Filling a file system for the store takes a tmpfs of its own, which needs root; run the suite as root.");
        Folder = Directory.CreateTempSubdirectory("netlab-full-").FullName;
        var (exit, output) = ExternalCommand.Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "nltest-full", Folder);
        if (exit != 0)
        {
            Directory.Delete(Folder);
            Assert.Skip($"Cannot mount a tmpfs for the full-disk test here: {output.Trim()}");
        }

        _filler = Path.Combine(Folder, "filler");
        Database = new SqliteDatabase(Path.Combine(Folder, "netlab.db"));
        Store = new LabStore(Database, TimeProvider.System);
        Runs = new RunStore(Database, TimeProvider.System);
        _ = Database.EnsureCreated();
    }

    public string Folder { get; }

    public SqliteDatabase Database { get; }

    public LabStore Store { get; }

    public RunStore Runs { get; }

    /// <summary>Checkpoints the WAL back into the store (so it holds no room to write in), then fills the file system.</summary>
    public void Fill()
    {
        using (var connection = Database.Open())
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }

        using var filler = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        Assert.True(new DriveInfo(Folder).AvailableFreeSpace < 4096, "the filler should leave no block free");
    }

    /// <summary>Gives the room back.</summary>
    public void Free() => File.Delete(_filler);

    /// <summary>SQLite's own check of every page and index: "ok" when nothing is corrupt.</summary>
    public string IntegrityCheck()
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return string.Join('\n', ReadAll(command));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (ExternalCommand.Run("umount", Folder).ExitCode != 0)
        {
            _ = ExternalCommand.Run("umount", "-l", Folder);
        }

        Directory.Delete(Folder, recursive: true);
    }

    private static List<string> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
