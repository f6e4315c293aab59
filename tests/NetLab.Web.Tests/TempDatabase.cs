using Microsoft.Data.Sqlite;
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

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
