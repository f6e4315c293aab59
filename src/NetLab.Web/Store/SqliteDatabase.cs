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

    /// <param name="databaseFile">The SQLite file, created when missing.</param>
    /// <param name="migrations">The schema's migrations; the embedded ones by default.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY (whole seconds, at
    /// least 1; default Microsoft.Data.Sqlite's 30 s). A run's recorder tries such a write again on its own.
    /// </param>
    public SqliteDatabase(string databaseFile, IReadOnlyList<Migration>? migrations = null, TimeSpan? busyTimeout = null)
    {
        DatabaseFile = Path.GetFullPath(databaseFile);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile,
            ForeignKeys = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        if (busyTimeout is { } timeout)
        {
            // 0 would mean "wait forever".
            builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        }

        _connectionString = builder.ToString();
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
