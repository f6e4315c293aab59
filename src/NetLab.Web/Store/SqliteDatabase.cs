using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetLab.Web.Store;

/// <summary>
/// The SQLite file: opened with foreign keys on for every connection, WAL journal (readers never wait for the
/// writer), and the schema migrated once before first use. A store a newer NetLab migrated is refused untouched; an
/// existing store is copied next to itself before a migration changes it.
/// </summary>
public sealed partial class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly Lazy<int> _schemaVersion;
    private readonly ILogger _logger;

    /// <param name="databaseFile">The SQLite file, created when missing.</param>
    /// <param name="migrations">The schema's migrations; the embedded ones by default.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY (whole seconds, at
    /// least 1; default Microsoft.Data.Sqlite's 30 s). A run's recorder tries such a write again on its own.
    /// </param>
    /// <param name="logger">Where the migrations say what they did (the backup copy taken before them).</param>
    public SqliteDatabase(string databaseFile, IReadOnlyList<Migration>? migrations = null, ILogger<SqliteDatabase>? logger = null, TimeSpan? busyTimeout = null)
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
        _logger = logger ?? NullLogger<SqliteDatabase>.Instance;
        _schemaVersion = new Lazy<int>(() => Initialize(migrations ?? Migrations.Embedded));
    }

    public string DatabaseFile { get; }

    /// <summary>Creates the file and applies missing migrations (once per process); returns the schema version.</summary>
    /// <exception cref="StoreTooNewException">A newer NetLab migrated the store; it was left as it was.</exception>
    public int EnsureCreated() => _schemaVersion.Value;

    /// <summary>
    /// Runs a write on the store; a file system with no room left for it (SQLITE_FULL) becomes a
    /// <see cref="StoreFullException"/> that says where and what to do. Nothing of the write is kept then.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<Task<T>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception error) when (StoreFullException.IsDiskFull(error))
        {
            throw new StoreFullException(DatabaseFile, error);
        }
    }

    /// <summary>
    /// Closes this store's idle pooled connections (before its file is deleted or moved), and no other store's:
    /// <see cref="SqliteConnection.ClearAllPools"/> would also close connections another thread is taking from its pool.
    /// </summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

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
        // Before anything is written (the journal mode included): a newer NetLab's store is left exactly as it is.
        var current = Migrations.CurrentVersion(connection);
        Migrations.RefuseNewer(DatabaseFile, current, migrations);

        // WAL is a property of the file, kept once set.
        var mode = connection.ExecuteScalar<string>("PRAGMA journal_mode=WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {DatabaseFile} (journal mode is '{mode}').");
        }

        // A new file has nothing to lose; an existing store is copied before the first migration changes it, so a
        // migration that goes wrong (or an upgrade undone) can be rolled back by copying the file back.
        var pending = migrations.Where(m => m.Version > current).Select(m => m.Version).DefaultIfEmpty().Min();
        if (current > 0 && pending > 0)
        {
            var backup = Migrations.BackupFile(DatabaseFile, pending);
            Backup(connection, backup);
            LogBackedUp(_logger, DatabaseFile, current, Migrations.KnownVersion(migrations), backup);
        }

        return Migrations.Apply(connection, migrations);
    }

    /// <summary>
    /// SQLite's online backup API: a consistent copy of the store, WAL included, page by page. Written under its final
    /// name, an older copy of that name replaced: no migration runs until the copy is complete, so a crash during the
    /// copy leaves the store unmigrated and the next start copies again.
    /// </summary>
    private static void Backup(SqliteConnection source, string backupFile)
    {
        foreach (var stale in new[] { backupFile, backupFile + "-journal", backupFile + "-wal", backupFile + "-shm" })
        {
            File.Delete(stale);
        }

        // Unpooled: the file is closed when the copy is done, not whenever a pool lets it go.
        using var destination = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = backupFile,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        destination.Open();
        source.BackupDatabase(destination);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Store {DatabaseFile} is at schema version {Current} and is migrated to {Target}: copied it first to {BackupFile} (copy it back over the store, with NetLab stopped, to undo the migration)")]
    private static partial void LogBackedUp(ILogger logger, string databaseFile, int current, int target, string backupFile);
}
