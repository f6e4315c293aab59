using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

/// <summary>What the store does with a file it did not make now: one a newer NetLab migrated, and one it must migrate.</summary>
[Collection(nameof(SqlitePoolsCollection))]
public sealed class StoreMigrationTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netlab-web-migrate-");

    private string File_ => Path.Combine(_folder.FullName, "netlab.db");

    private static int Newest => Migrations.KnownVersion(Migrations.Embedded);

    /// <summary>The embedded migrations and one more, as the next NetLab would ship it.</summary>
    private static IReadOnlyList<Migration> WithOneMore =>
        [.. Migrations.Embedded, new Migration(Newest + 1, $"{Newest + 1:000}_future.sql", "CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42);")];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void A_store_a_newer_NetLab_migrated_is_refused_untouched_with_both_versions_and_what_to_do()
    {
        _ = new SqliteDatabase(File_, WithOneMore).EnsureCreated();
        SqliteConnection.ClearAllPools();
        var before = Fingerprint();

        var refused = Assert.Throws<StoreTooNewException>(() => new SqliteDatabase(File_).EnsureCreated());

        Assert.Equal(
            $"The store {File_} has schema version {Newest + 1}, but this NetLab knows versions up to {Newest} only: a newer NetLab migrated it. " +
            "Nothing was changed. Run the newer NetLab again, or, to go back to this NetLab, restore a copy of the store taken before that upgrade " +
            $"(NetLab takes one next to the store, named netlab.db.before-v{Newest + 1}.bak; there is none here).",
            refused.Message);
        Assert.Equal((Newest + 1, Newest), (refused.StoreVersion, refused.KnownVersion));
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Fingerprint());
        Assert.Equal(Newest + 1, RawVersion(File_));
    }

    [Fact]
    public void Every_use_of_a_refused_store_is_refused_and_the_message_names_the_backup_to_restore_when_there_is_one()
    {
        _ = new SqliteDatabase(File_, WithOneMore).EnsureCreated();
        File.WriteAllText(Migrations.BackupFile(File_, Newest + 1), "a copy");
        var database = new SqliteDatabase(File_);

        var refused = Assert.Throws<StoreTooNewException>(() => database.Open());
        Assert.Throws<StoreTooNewException>(() => database.Open());

        Assert.Contains(
            $"copy {File_}.before-v{Newest + 1}.bak (the copy taken before that upgrade) over {File_}, deleting {File_}-wal and {File_}-shm",
            refused.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Migrations_given_directly_refuse_a_newer_store_too()
    {
        using var connection = new SqliteConnection($"Data Source={File_}");
        connection.Open();
        Migrations.Apply(connection, [new Migration(1, "001_a.sql", "CREATE TABLE a (x INTEGER);"), new Migration(2, "002_b.sql", "CREATE TABLE b (x INTEGER);")]);

        var refused = Assert.Throws<StoreTooNewException>(() => Migrations.Apply(connection, [new Migration(1, "001_a.sql", "CREATE TABLE a (x INTEGER);")]));

        Assert.Equal((2, 1), (refused.StoreVersion, refused.KnownVersion));
    }

    [Fact]
    public async Task An_existing_store_is_copied_with_its_data_next_to_itself_before_it_is_migrated_and_the_log_says_where()
    {
        // A store of the first release (migration 1 only) holding a lab.
        var old = new SqliteDatabase(File_, [.. Migrations.Embedded.Take(1)]);
        old.EnsureCreated();
        // Written as that release did: today's LabStore reads and writes columns of later migrations.
        using (var connection = old.Open())
        {
            connection.Execute("INSERT INTO labs (id, owner_id, name, created_ms, updated_ms, current_revision) VALUES (7, 1, 'kept', 0, 0, 1)");
        }

        var lab = new { Id = 7L };
        SqliteConnection.ClearAllPools();
        var logger = new FakeLogger<SqliteDatabase>();

        var version = new SqliteDatabase(File_, logger: logger).EnsureCreated();

        Assert.Equal(Newest, version);
        var backup = Path.Combine(_folder.FullName, "netlab.db.before-v2.bak");
        Assert.Equal(Migrations.BackupFile(File_, 2), backup);
        Assert.True(File.Exists(backup), "no copy was taken before migrating");
        Assert.Equal(1, RawVersion(backup));
        using (var copy = OpenRaw(backup))
        {
            Assert.Equal(["kept"], copy.Query<string>("SELECT name FROM labs WHERE id = @Id", new { lab.Id }));
            Assert.Equal(0, copy.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs'"));
        }

        var said = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.Contains(backup, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, said.Level);
        Assert.Equal(
            $"Store {File_} is at schema version 1 and is migrated to {Newest}: copied it first to {backup} (copy it back over the store, with NetLab stopped, to undo the migration)",
            said.Message);
    }

    [Fact]
    public void A_migration_that_fails_after_the_copy_leaves_the_store_and_the_copy_as_they_were()
    {
        var first = new Migration(1, "001_a.sql", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7);");
        _ = new SqliteDatabase(File_, [first]).EnsureCreated();
        SqliteConnection.ClearAllPools();

        Assert.ThrowsAny<SqliteException>(() => new SqliteDatabase(File_, [first, new Migration(2, "002_bad.sql", "CREATE TABLE b (x INTEGER); NOT SQL;")]).EnsureCreated());

        SqliteConnection.ClearAllPools();
        Assert.Equal(1, RawVersion(File_));
        var backup = Migrations.BackupFile(File_, 2);
        Assert.Equal(1, RawVersion(backup));
        using var copy = OpenRaw(backup);
        Assert.Equal([7L], copy.Query<long>("SELECT x FROM a"));
    }

    [Fact]
    public void A_new_store_and_one_already_migrated_are_not_copied()
    {
        _ = new SqliteDatabase(File_).EnsureCreated();
        SqliteConnection.ClearAllPools();
        _ = new SqliteDatabase(File_).EnsureCreated();

        Assert.Empty(Directory.GetFiles(_folder.FullName, "*.bak*"));
    }

    private (string Hash, long Length) Fingerprint()
    {
        var bytes = File.ReadAllBytes(File_);
        return (Convert.ToHexString(SHA256.HashData(bytes)), bytes.Length);
    }

    private static int RawVersion(string file)
    {
        using var connection = OpenRaw(file);
        return connection.ExecuteScalar<int>("SELECT MAX(version) FROM schema_version");
    }

    private static SqliteConnection OpenRaw(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
