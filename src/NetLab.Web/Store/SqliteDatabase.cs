using Dapper;
using Microsoft.Data.Sqlite;

namespace NetLab.Web.Store;

/// <summary>
/// The SQLite file: opened with foreign keys on for every connection, WAL journal (readers never wait for the
/// writer), and the schema migrated once before first use.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly Lazy<int> _schemaVersion;

    public SqliteDatabase(string databaseFile, IReadOnlyList<Migration>? migrations = null)
    {
        DatabaseFile = Path.GetFullPath(databaseFile);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile,
            ForeignKeys = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();
        _schemaVersion = new Lazy<int>(() => Initialize(migrations ?? Migrations.Embedded));
    }

    public string DatabaseFile { get; }

    /// <summary>Creates the file and applies missing migrations (once per process); returns the schema version.</summary>
    public int EnsureCreated() => _schemaVersion.Value;

    public SqliteConnection Open()
    {
        _ = _schemaVersion.Value;
        return OpenRaw();
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private int Initialize(IReadOnlyList<Migration> migrations)
    {
        var folder = Path.GetDirectoryName(DatabaseFile);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var connection = OpenRaw();
        // WAL is a property of the file, kept once set.
        var mode = connection.ExecuteScalar<string>("PRAGMA journal_mode=WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {DatabaseFile} (journal mode is '{mode}').");
        }

        return Migrations.Apply(connection, migrations);
    }
}
