using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace NetLab.Web.Store;

/// <summary>One numbered SQL file from the top-level <c>db/</c> folder (embedded at build time).</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>Applies the schema migrations that a database lacks, in order, each inside its own transaction.</summary>
public static partial class Migrations
{
    private const string ResourcePrefix = "db/";

    /// <summary>The embedded migrations, ordered by number.</summary>
    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>The newest schema version <paramref name="migrations"/> make (0 for none): the newest this code knows.</summary>
    public static int KnownVersion(IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
    }

    /// <summary>
    /// Refuses a store a newer NetLab has migrated past what <paramref name="migrations"/> know: this code would read
    /// and write tables whose meaning it does not know (and its next migration number may mean something else there).
    /// </summary>
    /// <exception cref="StoreTooNewException">The store's version is above the newest known one.</exception>
    public static void RefuseNewer(string databaseFile, int current, IReadOnlyList<Migration> migrations)
    {
        var known = KnownVersion(migrations);
        if (current > known)
        {
            throw new StoreTooNewException(databaseFile, current, known);
        }
    }

    /// <summary>Returns the schema version after applying what was missing; refuses a store newer than the migrations.</summary>
    /// <exception cref="StoreTooNewException">The store's version is above the newest of <paramref name="migrations"/>; nothing was changed.</exception>
    public static int Apply(SqliteConnection connection, IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RefuseNewer(connection.DataSource, CurrentVersion(connection), migrations);
        connection.Execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)");
        var current = CurrentVersion(connection);
        foreach (var migration in migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute(
                "INSERT INTO schema_version (version, name, applied_ms) VALUES (@Version, @Name, @AppliedMs)",
                new { migration.Version, migration.Name, AppliedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction);
            transaction.Commit();
            current = migration.Version;
        }

        return current;
    }

    /// <summary>The store's schema version: 0 for a new file (no schema_version table yet).</summary>
    public static int CurrentVersion(SqliteConnection connection) =>
        connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") == 0
            ? 0
            : connection.ExecuteScalar<int?>("SELECT MAX(version) FROM schema_version") ?? 0;

    /// <summary>The copy taken before migrating <paramref name="databaseFile"/> to <paramref name="version"/>: next to it, e.g. netlab.db.before-v3.bak.</summary>
    public static string BackupFile(string databaseFile, int version) =>
        FormattableString.Invariant($"{databaseFile}.before-v{version}.bak");

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrations).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var fileName = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration '{fileName}' is not named NNN_name.sql.");
            }

            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), fileName, Read(assembly, resource)));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share the number {duplicate.Key}.");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(\d+)_[A-Za-z0-9_-]+\.sql$")]
    private static partial Regex FileNamePattern();
}
