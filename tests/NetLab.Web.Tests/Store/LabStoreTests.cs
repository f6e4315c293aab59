using Dapper;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

public sealed class LabStoreTests : IDisposable
{
    private const long Owner = LabStore.LocalUserId;
    private readonly TempDatabase _db = new();

    private LabStore Store => _db.Store;

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Migrations_are_applied_in_order_and_recorded()
    {
        var version = _db.Database.EnsureCreated();

        Assert.Equal(Migrations.Embedded.Max(m => m.Version), version);
        using var connection = _db.Database.Open();
        var recorded = connection.Query<long>("SELECT version FROM schema_version ORDER BY version").ToList();
        Assert.Equal(Migrations.Embedded.Select(m => (long)m.Version), recorded);
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE name = 'local'"));
    }

    [Fact]
    public void Migrations_already_applied_are_not_applied_again()
    {
        _db.Database.EnsureCreated();
        var again = new SqliteDatabase(_db.Database.DatabaseFile);

        Assert.Equal(_db.Database.EnsureCreated(), again.EnsureCreated());
    }

    [Fact]
    public void A_failing_migration_leaves_nothing_behind()
    {
        var database = new SqliteDatabase(
            Path.Combine(_db.Folder, "broken.db"),
            [new Migration(1, "001_ok.sql", "CREATE TABLE a (x INTEGER);"), new Migration(2, "002_bad.sql", "CREATE TABLE b (x INTEGER); NOT SQL;")]);

        Assert.ThrowsAny<Exception>(() => database.EnsureCreated());

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database.DatabaseFile}");
        connection.Open();
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT MAX(version) FROM schema_version"));
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'"));
    }

    [Fact]
    public void The_database_runs_in_WAL_mode_with_foreign_keys_on()
    {
        using var connection = _db.Database.Open();

        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
    }

    [Fact]
    public async Task A_blank_lab_is_created_with_its_first_revision()
    {
        var created = await Store.CreateBlankAsync(Owner, "first");

        Assert.True(created.Succeeded);
        Assert.Equal("first", created.Value!.Name);
        Assert.Equal(1, created.Value.CurrentRevision);
        var revision = await Store.GetCurrentRevisionAsync(Owner, created.Value.Id);
        Assert.Equal(LabStore.BlankYaml("first"), revision!.Yaml);
        Assert.Equal(["first"], (await Store.ListLabsAsync(Owner)).Select(l => l.Name));
    }

    [Fact]
    public async Task A_lab_from_a_template_takes_the_name_in_its_YAML_unless_given_one()
    {
        var yaml = RepositoryFiles.Lab("macvlan-bridge.yaml");

        var named = await Store.CreateAsync(Owner, yaml);
        var renamed = await Store.CreateAsync(Owner, yaml, "my-copy");

        Assert.Equal("macvlan-bridge", named.Value!.Name);
        Assert.Equal("my-copy", renamed.Value!.Name);
        Assert.Equal(yaml, (await Store.GetCurrentRevisionAsync(Owner, renamed.Value.Id))!.Yaml);
    }

    [Fact]
    public async Task Importing_invalid_YAML_is_refused_with_the_problems_and_writes_nothing()
    {
        var invalid = RepositoryFiles.Lab("invalid/macvlan-passthru-two-children.yaml");
        var before = CountRows();

        var result = await Store.CreateAsync(Owner, invalid);
        var syntax = await Store.CreateAsync(Owner, "name: [unclosed");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Problems, p => p.Path == "namespaces.ns3.interfaces.macvlan3.parent");
        Assert.False(syntax.Succeeded);
        Assert.NotEmpty(syntax.Problems);
        Assert.Equal(before, CountRows());
    }

    [Fact]
    public async Task A_name_already_taken_by_the_same_owner_is_refused()
    {
        await Store.CreateBlankAsync(Owner, "twin");

        var second = await Store.CreateBlankAsync(Owner, "twin");

        Assert.False(second.Succeeded);
        Assert.Equal("name", Assert.Single(second.Problems).Path);
        Assert.Single(await Store.ListLabsAsync(Owner));
    }

    [Fact]
    public async Task Two_owners_can_have_labs_of_the_same_name_and_see_only_their_own()
    {
        var other = await Store.EnsureUserAsync("student2");

        var mine = await Store.CreateBlankAsync(Owner, "shared-name");
        var theirs = await Store.CreateBlankAsync(other, "shared-name");

        Assert.True(mine.Succeeded);
        Assert.True(theirs.Succeeded);
        Assert.Equal([mine.Value!.Id], (await Store.ListLabsAsync(Owner)).Select(l => l.Id));
        Assert.Equal([theirs.Value!.Id], (await Store.ListLabsAsync(other)).Select(l => l.Id));
        Assert.False(await Store.DeleteAsync(Owner, theirs.Value.Id));
        Assert.Null(await Store.GetCurrentRevisionAsync(Owner, theirs.Value.Id));
    }

    [Fact]
    public async Task Rename_changes_the_name_and_refuses_invalid_or_taken_names()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "old")).Value!;
        await Store.CreateBlankAsync(Owner, "taken");

        var renamed = await Store.RenameAsync(Owner, lab.Id, "new");
        var invalid = await Store.RenameAsync(Owner, lab.Id, "has space");
        var taken = await Store.RenameAsync(Owner, lab.Id, "taken");

        Assert.Equal("new", renamed.Value!.Name);
        Assert.False(invalid.Succeeded);
        Assert.False(taken.Succeeded);
        Assert.Equal("new", (await Store.GetLabAsync(Owner, lab.Id))!.Name);
    }

    [Fact]
    public async Task Delete_removes_the_lab_and_its_revisions()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "doomed")).Value!;
        await Store.SaveRevisionAsync(Owner, lab.Id, "name: doomed\ndescription: two\n");

        Assert.True(await Store.DeleteAsync(Owner, lab.Id));

        Assert.Empty(await Store.ListLabsAsync(Owner));
        using var connection = _db.Database.Open();
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM lab_revisions"));
    }

    [Fact]
    public async Task Saved_revisions_are_numbered_listed_newest_first_and_readable()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "lab")).Value!;

        var second = await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\ndescription: two\n", "two");
        var third = await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\ndescription: three\n", "three");

        Assert.Equal(2, second.Value!.Number);
        Assert.Equal(3, third.Value!.Number);
        Assert.Equal([3, 2, 1], (await Store.ListRevisionsAsync(Owner, lab.Id)).Select(r => r.Number));
        Assert.Equal("two", (await Store.GetRevisionAsync(Owner, lab.Id, 2))!.Note);
        Assert.Equal(3, (await Store.GetLabAsync(Owner, lab.Id))!.CurrentRevision);
    }

    [Fact]
    public async Task Saving_invalid_YAML_is_refused_and_writes_nothing()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "lab")).Value!;
        var before = CountRows();

        var result = await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\nswitches: { sw1: { bogus: 1 } }\n");

        Assert.False(result.Succeeded);
        Assert.NotEmpty(result.Problems);
        Assert.Equal(before, CountRows());
    }

    [Fact]
    public async Task Undo_and_redo_move_the_current_revision_without_losing_history()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "lab")).Value!;
        await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\ndescription: two\n");

        Assert.Null(await Store.RedoAsync(Owner, lab.Id));
        Assert.Equal(1, (await Store.UndoAsync(Owner, lab.Id))!.Number);
        Assert.Null(await Store.UndoAsync(Owner, lab.Id));
        Assert.Equal(2, (await Store.RedoAsync(Owner, lab.Id))!.Number);

        // Saving after an undo branches from the revision shown; redo follows the newest branch.
        await Store.UndoAsync(Owner, lab.Id);
        var branch = await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\ndescription: branch\n");
        Assert.Equal(1, branch.Value!.Parent);
        Assert.False(await Store.CanRedoAsync(Owner, lab.Id));
        Assert.Equal(1, (await Store.UndoAsync(Owner, lab.Id))!.Number);
        Assert.Equal(3, (await Store.RedoAsync(Owner, lab.Id))!.Number);
        Assert.Equal(3, (await Store.ListRevisionsAsync(Owner, lab.Id)).Count);
    }

    [Fact]
    public async Task The_applied_revision_is_remembered_while_the_editor_moves_on()
    {
        var lab = (await Store.CreateBlankAsync(Owner, "lab")).Value!;
        Assert.Null(await Store.GetAppliedRevisionAsync(Owner, lab.Id));

        Assert.True(await Store.MarkAppliedAsync(Owner, lab.Id, 1));
        await Store.SaveRevisionAsync(Owner, lab.Id, "name: lab\ndescription: two\n");

        Assert.Equal(1, (await Store.GetAppliedRevisionAsync(Owner, lab.Id))!.Number);
        Assert.Equal(2, (await Store.GetLabAsync(Owner, lab.Id))!.CurrentRevision);
        Assert.False(await Store.MarkAppliedAsync(Owner, lab.Id, 99));
    }

    private (long Labs, long Revisions) CountRows()
    {
        using var connection = _db.Database.Open();
        return (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM labs"), connection.ExecuteScalar<long>("SELECT COUNT(*) FROM lab_revisions"));
    }
}
