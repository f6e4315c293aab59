using Microsoft.Data.Sqlite;

namespace NetLab.Cli.Tests.Faults;

/// <summary>
/// The web's SQLite store as the fault tests read it, next to the web: short unpooled connections, so the file is closed
/// the moment a question is answered (a connection of root's kept open could leave root's -shm file for the web's user to
/// trip over). Read only while the web runs or is stopped, never while it starts.
/// </summary>
internal sealed class StoreFile(string databaseFile)
{
    public string Path { get; } = databaseFile;

    /// <summary>The lab's row: its current and applied revisions (null: none).</summary>
    public (int? Current, int? Applied) Lab(long labId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT current_revision, applied_revision FROM labs WHERE id = $id";
        command.Parameters.AddWithValue("$id", labId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"the store has no lab {labId}");
        return (reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
    }

    /// <summary>The lab's kernel name (migration 005): its namespaces are <c>nl-KERNELNAME.ELEMENT</c>.</summary>
    public string KernelName(long labId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kernel_name FROM labs WHERE id = $id";
        command.Parameters.AddWithValue("$id", labId);
        return command.ExecuteScalar() as string ?? throw new Xunit.Sdk.XunitException($"the store has no lab {labId}, or it has no kernel name");
    }

    /// <summary>Every run of the lab: id and status, oldest first.</summary>
    public IReadOnlyList<(long Id, string Status)> Runs(long labId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, status FROM runs WHERE lab_id = $id ORDER BY id";
        command.Parameters.AddWithValue("$id", labId);
        using var reader = command.ExecuteReader();
        var runs = new List<(long, string)>();
        while (reader.Read())
        {
            runs.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return runs;
    }

    /// <summary>A count of rows (a table the tests name).</summary>
    public long Count(string table)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Moves the WAL's pages into the store and empties the WAL file (the web's connections are idle).</summary>
    public void Checkpoint()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read() && reader.GetInt32(0) == 0, "the checkpoint was blocked by a connection of the web's");
    }

    /// <summary>SQLite's own check of every page and index: "ok" when nothing is corrupt.</summary>
    public string IntegrityCheck()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }
}
