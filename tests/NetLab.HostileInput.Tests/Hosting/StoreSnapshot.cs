using Microsoft.Data.Sqlite;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// How many rows each table of the web's store holds, read from a copy (the database and its WAL), never from the web's
/// own files: opening those as root could create root-owned files beside them that the web then cannot write.
/// </summary>
public sealed record StoreSnapshot(IReadOnlyDictionary<string, long> Rows)
{
    private static readonly string[] Tables = ["users", "labs", "lab_revisions", "runs", "run_entries", "run_captures", "run_frames"];

    public static StoreSnapshot Of(string databaseFile)
    {
        var copy = Directory.CreateTempSubdirectory("nlhostile-store-");
        try
        {
            var file = Path.Combine(copy.FullName, "netlab.db");
            File.Copy(databaseFile, file);
            if (File.Exists(databaseFile + "-wal"))
            {
                File.Copy(databaseFile + "-wal", file + "-wal");
            }

            var rows = new Dictionary<string, long>(StringComparer.Ordinal);
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString()))
            {
                connection.Open();
                foreach (var table in Tables)
                {
                    using var count = connection.CreateCommand();
                    count.CommandText = $"SELECT COUNT(*) FROM {table}";
                    rows[table] = (long)count.ExecuteScalar()!;
                }
            }

            return new StoreSnapshot(rows);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    public long this[string table] => Rows[table];

    public override string ToString() => string.Join(", ", Rows.Select(r => $"{r.Key} {r.Value}"));

    /// <summary>Equal when every table holds as many rows (a record's dictionary compares by reference).</summary>
    public bool SameAs(StoreSnapshot other) => Rows.Count == other.Rows.Count && Rows.All(r => other.Rows.TryGetValue(r.Key, out var n) && n == r.Value);
}
