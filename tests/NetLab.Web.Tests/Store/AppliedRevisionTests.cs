using NetLab.Web.Store;

namespace NetLab.Web.Tests.Store;

public sealed class AppliedRevisionTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private LabStore Store => _db.Store;

    [Fact]
    public async Task Reset_to_applied_makes_the_applied_revision_current_and_keeps_the_later_ones()
    {
        var lab = (await Store.CreateBlankAsync(LabStore.LocalUserId, "reset")).Value!;
        await Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        await Store.SaveRevisionAsync(LabStore.LocalUserId, lab.Id, "name: reset\ndescription: edited\n", "edited");

        var current = await Store.ResetToAppliedAsync(LabStore.LocalUserId, lab.Id);

        Assert.Equal(1, current!.Number);
        Assert.Equal(1, (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.CurrentRevision);
        Assert.Equal([2, 1], (await Store.ListRevisionsAsync(LabStore.LocalUserId, lab.Id)).Select(r => r.Number));
    }

    [Fact]
    public async Task Reset_to_applied_of_a_lab_never_applied_changes_nothing()
    {
        var lab = (await Store.CreateBlankAsync(LabStore.LocalUserId, "never")).Value!;

        Assert.Null(await Store.ResetToAppliedAsync(LabStore.LocalUserId, lab.Id));
        Assert.Null(await Store.ResetToAppliedAsync(LabStore.LocalUserId + 1, lab.Id));
    }

    [Fact]
    public async Task Clear_applied_forgets_the_applied_revision_of_the_owners_lab_only()
    {
        var lab = (await Store.CreateBlankAsync(LabStore.LocalUserId, "destroyed")).Value!;
        await Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);

        Assert.False(await Store.ClearAppliedAsync(LabStore.LocalUserId + 1, lab.Id));
        Assert.True(await Store.ClearAppliedAsync(LabStore.LocalUserId, lab.Id));

        var summary = (await Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.Null(summary.AppliedRevision);
        Assert.Null(summary.Applied);
    }
}
