using NetLab.Web.Store;

namespace NetLab.Web.Tests;

/// <summary>A store on a fresh SQLite file in its own temp folder, deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("netlab-web-test-").FullName;
        Database = new SqliteDatabase(Path.Combine(Folder, "netlab.db"));
        Store = new LabStore(Database, TimeProvider.System);
    }

    public string Folder { get; }

    public SqliteDatabase Database { get; }

    public LabStore Store { get; }

    /// <summary>
    /// Marks the lab as applied before labs had kernel names of their own, as migration 005 marks such labs: the kernel
    /// holds it under its applied revision's YAML name.
    /// </summary>
    public void MakeLegacy(long labId)
    {
        using var connection = Database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE labs SET kernel_legacy = 1 WHERE id = $id AND applied_revision IS NOT NULL";
        command.Parameters.AddWithValue("$id", labId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    public void Dispose()
    {
        // Only this store's pool: clearing every pool while other tests run in parallel closed a connection one of them
        // was taking from its own pool (ObjectDisposedException: 'SQLitePCL.sqlite3' in an unrelated test).
        Database.ClearPool();
        Directory.Delete(Folder, recursive: true);
    }
}
