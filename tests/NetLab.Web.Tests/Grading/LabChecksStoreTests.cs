using Dapper;
using Microsoft.Data.Sqlite;
using NetLab.Core.Grading;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Grading;

/// <summary>A lab's checks in the store: validated against the current revision, bounded, the owner's alone.</summary>
public sealed class LabChecksStoreTests : IDisposable
{
    private const string Checks = "checks:\n- { from: ns2, reaches: 100.0.0.3 }\n- { interface: ns2/macvlan2, kind: macvlan, mode: bridge }\n";

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private LabStore Store => _db.Store;

    private async Task<LabSummary> BridgeAsync() => (await Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;

    [Fact]
    public async Task A_new_lab_has_no_checks_and_saved_checks_read_back()
    {
        var lab = await BridgeAsync();
        var none = (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Equal(("", false, (DateTimeOffset?)null), (none.Text, none.Any, none.Updated));

        var saved = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, Checks);

        Assert.True(saved.Succeeded, string.Join("; ", saved.Problems));
        var read = (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Equal((Checks, true), (read.Text, read.Any));
        Assert.NotNull(read.Updated);
    }

    [Fact]
    public async Task Checks_naming_what_the_lab_lacks_are_refused_with_their_lines_and_nothing_is_written()
    {
        var lab = await BridgeAsync();
        await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, Checks);

        var refused = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, "checks:\n- { from: ns2, reaches: 100.0.0.3 }\n- { from: ns9, reaches: 100.0.0.9 }\n");

        Assert.False(refused.Succeeded);
        Assert.Equal(["checks[1].from", "checks[1].reaches"], refused.Problems.Select(p => p.Path));
        Assert.All(refused.Problems, p => Assert.Equal(3, p.Location?.Line));
        Assert.Contains("has no host or namespace 'ns9'", refused.Problems[0].Message, StringComparison.Ordinal);
        Assert.Equal(Checks, (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
    }

    [Fact]
    public async Task Text_that_does_not_read_as_checks_is_refused()
    {
        var lab = await BridgeAsync();

        var refused = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, "checks:\n- { from: ns2, reachs: 100.0.0.3 }\n");

        Assert.False(refused.Succeeded);
        Assert.Contains(refused.Problems, p => p.Path.StartsWith("checks[0]", StringComparison.Ordinal));
        Assert.Equal("", (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
    }

    [Fact]
    public async Task Checks_over_the_size_bound_are_refused_naming_it_before_they_are_read()
    {
        var lab = await BridgeAsync();
        // A comment is read by no one: only the size bound can refuse it.
        var text = Checks + "# " + new string('x', ChecksFormat.MaxDocumentBytes) + "\n";

        var refused = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, text);

        var problem = Assert.Single(refused.Problems);
        Assert.Equal("checks", problem.Path);
        Assert.Contains($"checks may be at most {ChecksFormat.MaxDocumentBytes} bytes", problem.Message, StringComparison.Ordinal);
        Assert.Equal("", (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
    }

    [Fact]
    public async Task The_database_itself_refuses_checks_over_the_bound()
    {
        var lab = await BridgeAsync();
        using var connection = _db.Database.Open();

        var error = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(
            "UPDATE labs SET checks = @text WHERE id = @id", new { text = new string('x', ChecksFormat.MaxDocumentBytes + 1), id = lab.Id }));

        Assert.Contains("CHECK constraint failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_text_removes_the_checks()
    {
        var lab = await BridgeAsync();
        await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, Checks);

        var cleared = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, "  \n");

        Assert.True(cleared.Succeeded);
        Assert.False((await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Any);
    }

    [Fact]
    public async Task Checks_are_validated_against_the_current_revision()
    {
        var lab = await BridgeAsync();
        // Revision 2 has no ns3: a check pinging its address no longer fits.
        var withoutNs3 = RepositoryFiles.Lab("macvlan-bridge.yaml");
        withoutNs3 = withoutNs3[..withoutNs3.IndexOf("  ns3:", StringComparison.Ordinal)];
        Assert.True((await Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, withoutNs3)).Succeeded);

        var refused = await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, Checks);

        Assert.Equal("checks[0].reaches", Assert.Single(refused.Problems).Path);
    }

    [Fact]
    public async Task Another_users_lab_has_no_checks_to_read_or_write()
    {
        var lab = await BridgeAsync();
        await Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, Checks);
        var other = await Store.EnsureUserAsync("student2");

        Assert.Null(await Store.GetChecksAsync(other, lab.Id));
        var refused = await Store.SaveChecksAsync(other, lab.Id, "");
        Assert.Equal("lab", Assert.Single(refused.Problems).Path);
        Assert.Equal(Checks, (await Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
    }
}
