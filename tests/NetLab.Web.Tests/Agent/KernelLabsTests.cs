using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Core.Labs;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Agent;

/// <summary>
/// Kernel names of their own (issue 13 section 2): every lab gets one when it is made, fixed, unique across users, and
/// every agent call for it acts for its owner; labs applied under the old naming (their YAML name) still reach it.
/// </summary>
public sealed class KernelLabsTests : IDisposable
{
    private static readonly string Template = RepositoryFiles.Lab("macvlan-bridge.yaml");

    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _agent = new();
    private readonly LiveLabs _live;
    private readonly LabApplication _application;

    public KernelLabsTests()
    {
        _live = new LiveLabs(_agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        _application = new LabApplication(_agent, _db.Store, _live);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private LabStore Store => _db.Store;

    public void Dispose()
    {
        _live.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Two_users_applying_one_template_get_disjoint_kernel_names_and_each_call_acts_for_its_owner()
    {
        var alice = await Store.EnsureUserAsync("alice");
        var bob = await Store.EnsureUserAsync("bob");
        var alices = (await Store.CreateAsync(alice, Template)).Value!;
        var bobs = (await Store.CreateAsync(bob, Template)).Value!;
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        Assert.True((await _application.ApplyAsync(alice, alices.Id, 1, Template, _ => { }, Cancel)).Recorded);
        Assert.True((await _application.ApplyAsync(bob, bobs.Id, 1, Template, _ => { }, Cancel)).Recorded);

        Assert.NotEqual(alices.KernelName, bobs.KernelName);
        Assert.All([alices.KernelName, bobs.KernelName], name => Assert.Matches("^macvlan-bridge-[0-9a-f]{5,}$", name));
        Assert.Equal(
            [("apply", alices.KernelName, OwnedKernelLab.ActingUserOf(alice)), ("apply", bobs.KernelName, OwnedKernelLab.ActingUserOf(bob))],
            _agent.Acting.Select(a => (a.Call, a.Lab.Name, a.Lab.ActingUser)));
        Assert.Equal(OwnedKernelLab.ActingUserOf(alice), _agent.KernelOwners[alices.KernelName]);
        Assert.Equal(OwnedKernelLab.ActingUserOf(bob), _agent.KernelOwners[bobs.KernelName]);

        // Bob cannot reach Alice's lab through the store (it is no lab of his), nor through the agent (it answers as if it did not exist).
        var refused = await _application.DestroyAsync(bob, alices.Id, _ => { }, Cancel);
        Assert.Contains($"There is no lab {alices.Id} of yours", refused.Agent.Error, StringComparison.Ordinal);
        Assert.Equal(AgentErrorCodes.NotFound, (await _agent.StateAsync(new OwnedKernelLab(alices.KernelName, bob), Cancel)).ErrorCode);
        Assert.DoesNotContain(_agent.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_YAML_name_or_store_name_does_not_change_the_kernel_name_so_the_next_apply_reaches_the_same_kernel_lab()
    {
        var lab = (await Store.CreateAsync(LabStore.LocalUserId, Template)).Value!;
        var renamed = Template.Replace("name: macvlan-bridge", "name: bridge-two", StringComparison.Ordinal);
        Assert.True((await Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, renamed)).Succeeded);
        Assert.True((await Store.RenameAsync(LabStore.LocalUserId, lab.Id, "bridge-three")).Succeeded);
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        await _application.ApplyAsync(LabStore.LocalUserId, lab.Id, 2, renamed, _ => { }, Cancel);
        await _application.DestroyAsync(LabStore.LocalUserId, lab.Id, _ => { }, Cancel);

        var now = (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Equal((lab.KernelName, "bridge-three"), (now.KernelName, now.Name));
        Assert.Equal([lab.KernelName, lab.KernelName], _agent.Acting.Select(a => a.Lab.Name));
    }

    [Theory]
    [InlineData("a", "^a-[0-9a-f]{5,}$")]
    [InlineData("a-very-long-lab-name-of-thirty-2", "^a-very-long-lab-[0-9a-f]{5,}$")]
    [InlineData("sixteen-chars-a-", "^sixteen-chars-a-[0-9a-f]{5,}$")]
    public async Task A_kernel_name_is_a_lab_name_short_enough_for_every_element_name_and_readable(string name, string pattern)
    {
        var lab = (await Store.CreateAsync(LabStore.LocalUserId, Template, name)).Value!;

        Assert.Matches(pattern, lab.KernelName);
        Assert.Null(LabName.Problem(lab.KernelName));
        // With the agent's default prefix, the longest element name (32) still fits the 64-byte namespace limit.
        Assert.Null(NetLab.Core.Planning.NamingScheme.Default.NamespaceLengthProblem(lab.KernelName, new string('e', LabName.MaxLength)));
    }

    [Fact]
    public async Task A_lab_applied_before_kernel_names_of_their_own_is_destroyed_under_its_old_name_as_the_administrator()
    {
        var lab = await LegacyLabAsync();
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        Assert.Equal(new OwnedKernelLab("macvlan-bridge", LabStore.LocalUserId, Legacy: true), await KernelLabs.OfAsync(Store, lab));
        var destroyed = await _application.DestroyAsync(LabStore.LocalUserId, lab.Id, _ => { }, Cancel);

        Assert.True(destroyed.Recorded);
        var (call, kernel) = Assert.Single(_agent.Acting);
        Assert.Equal(("destroy macvlan-bridge", null), (call, kernel.ActingUser));
        var now = (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Equal(((int?)null, false), (now.AppliedRevision, now.LegacyKernel));
        Assert.Equal(KernelLabs.Own(now), await KernelLabs.OfAsync(Store, now));
    }

    [Fact]
    public async Task Applying_a_legacy_lab_destroys_its_old_kernel_lab_first_then_applies_under_its_own_name()
    {
        var lab = await LegacyLabAsync();
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        var applied = await _application.ApplyAsync(LabStore.LocalUserId, lab.Id, 1, Template, _ => { }, Cancel);

        Assert.True(applied.Recorded);
        Assert.Equal(
            [("destroy macvlan-bridge", (string?)null), ("apply", OwnedKernelLab.ActingUserOf(LabStore.LocalUserId))],
            _agent.Acting.Select(a => (a.Call, a.Lab.ActingUser)));
        Assert.Equal(lab.KernelName, _agent.Acting.Last().Lab.Name);
        var now = (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Equal((1, false), (now.AppliedRevision, now.LegacyKernel));
    }

    [Fact]
    public async Task Migration_5_gives_every_existing_lab_a_kernel_name_of_its_own_and_marks_the_applied_ones_legacy()
    {
        var file = Path.Combine(_db.Folder, "old.db");
        var old = new SqliteDatabase(file, [.. Migrations.Embedded.Where(m => m.Version < 5)]);
        old.EnsureCreated();
        using (var connection = old.Open())
        {
            connection.Execute(
                "INSERT INTO labs (id, owner_id, name, created_ms, updated_ms, current_revision, applied_revision, applied_ms) VALUES " +
                "(1, 1, 'macvlan-bridge', 0, 0, 1, 1, 5), (2, 1, 'a-very-long-lab-name-of-thirty-2', 0, 0, 1, NULL, NULL), (300, 1, 'copy', 0, 0, 1, NULL, NULL)");
            connection.Execute(
                "INSERT INTO lab_revisions (lab_id, number, yaml, created_ms) VALUES (1, 1, @Template, 0), (2, 1, @Template, 0), (300, 1, @Template, 0)",
                new { Template });
        }

        SqliteConnection.ClearAllPools();
        var store = new LabStore(new SqliteDatabase(file), TimeProvider.System);
        var labs = await store.ListLabsAsync(LabStore.LocalUserId);

        var names = labs.ToDictionary(l => l.Id, l => l.KernelName);
        Assert.Matches("^macvlan-bridge-[0-9a-f]{4}1$", names[1]);
        Assert.Matches("^a-very-long-lab-[0-9a-f]{4}2$", names[2]);
        Assert.Matches("^copy-[0-9a-f]{4}12c$", names[300]);
        Assert.All(names.Values, name => Assert.Null(LabName.Problem(name)));
        Assert.Equal([true, false, false], labs.OrderBy(l => l.Id).Select(l => l.LegacyKernel));
        // The applied one is still reached under the name the kernel holds it by.
        var applied = labs.Single(l => l.Id == 1);
        Assert.Equal(new OwnedKernelLab("macvlan-bridge", LabStore.LocalUserId, Legacy: true), await KernelLabs.OfAsync(store, applied));
        // A lab made now gets a name no migrated lab has.
        var created = (await store.CreateAsync(LabStore.LocalUserId, Template, "fresh")).Value!;
        Assert.DoesNotContain(created.KernelName, names.Values);
    }

    /// <summary>A lab applied (revision 1) before kernel names of their own, as migration 005 leaves it.</summary>
    private async Task<LabSummary> LegacyLabAsync()
    {
        var lab = (await Store.CreateAsync(LabStore.LocalUserId, Template, "old-bridge")).Value!;
        Assert.True(await Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1));
        _db.MakeLegacy(lab.Id);
        var legacy = (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.True(legacy.LegacyKernel);
        return legacy;
    }
}
