using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Store;

/// <summary>
/// The store on a file system with no room left (a tmpfs the test fills): every write says the store is full, where, and
/// what to do (instead of SQLite's bare "database or disk is full" breaking the page's circuit), nothing already stored is
/// lost or corrupted, and once room is freed the same writes go through. A run whose recorder meets a full disk ends
/// failed with that message, also in memory, where its dialog reads it.
/// </summary>
[Collection(nameof(SqlitePoolsCollection))]
public sealed class FullDiskStoreTests
{
    private const long Owner = LabStore.LocalUserId;
    private const string Yaml = "name: full\n";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_lab_write_on_a_full_disk_says_where_and_what_to_do_and_nothing_stored_is_lost()
    {
        using var disk = new FullDisk();
        var lab = (await disk.Store.CreateAsync(Owner, Yaml, "full")).Value!;
        _ = await disk.Store.SaveRevisionAsync(Owner, lab.Id, "name: full\ndescription: second\n");
        Assert.True(await disk.Store.MarkAppliedAsync(Owner, lab.Id, 2));
        var before = await disk.Store.ListRevisionsAsync(Owner, lab.Id);

        disk.Fill();

        var writes = new (string What, Func<Task> Write)[]
        {
            ("save a revision", () => disk.Store.SaveRevisionAsync(Owner, lab.Id, "name: full\ndescription: third\n")),
            ("create a lab", () => disk.Store.CreateAsync(Owner, "name: other\n")),
            ("rename a lab", () => disk.Store.RenameAsync(Owner, lab.Id, "renamed")),
            ("undo", () => disk.Store.UndoAsync(Owner, lab.Id)),
            ("record an apply", () => disk.Store.MarkAppliedAsync(Owner, lab.Id, 1)),
            ("record a destroy", () => disk.Store.ClearAppliedAsync(Owner, lab.Id)),
            ("start a run", () => disk.Runs.CreateRunAsync(Owner, lab.Id, 2, Yaml, "full", "", "")),
        };
        foreach (var (what, write) in writes)
        {
            var full = await Assert.ThrowsAsync<StoreFullException>(write);
            Assert.True(full.Message.StartsWith($"The store is full: the web could not save this in {disk.Database.DatabaseFile}, because the file system holding {disk.Folder} has no space left (", StringComparison.Ordinal), $"{what}: {full.Message}");
            Assert.Contains("Nothing of it was saved; everything saved before is kept.", full.Message, StringComparison.Ordinal);
            Assert.Contains($"`df -h {disk.Folder}`", full.Message, StringComparison.Ordinal);
            Assert.Contains("netlab up --data", full.Message, StringComparison.Ordinal);
        }

        Assert.Equal("ok", disk.IntegrityCheck());
        Assert.Equal(before, await disk.Store.ListRevisionsAsync(Owner, lab.Id));
        var now = (await disk.Store.GetLabAsync(Owner, lab.Id))!;
        Assert.Equal(("full", 2, 2), (now.Name, now.CurrentRevision, now.AppliedRevision));

        disk.Free();
        Assert.True((await disk.Store.SaveRevisionAsync(Owner, lab.Id, "name: full\ndescription: third\n")).Succeeded);
        Assert.Equal("ok", disk.IntegrityCheck());
    }

    [Fact]
    public async Task An_apply_whose_record_meets_a_full_disk_says_the_kernel_changed_and_the_store_could_not_record_it()
    {
        using var disk = new FullDisk();
        var lab = (await disk.Store.CreateAsync(Owner, Yaml, "full")).Value!;
        var agent = new FakeAgentGateway();
        using var live = new LiveLabs(agent, TimeProvider.System, NullLogger<LiveLabs>.Instance);
        var application = new LabApplication(agent, disk.Store, live);
        disk.Fill();

        agent.Outcome.SetResult(FakeAgentGateway.Succeeded());
        var outcome = await application.ApplyAsync(Owner, lab.Id, 1, Yaml, _ => { }, Cancel);

        Assert.True(outcome.Result!.Succeeded);
        Assert.False(outcome.Recorded);
        Assert.StartsWith("The kernel changed as shown, but the store could not record it. The store is full: ", outcome.StoreError, StringComparison.Ordinal);
        Assert.Null((await disk.Store.GetLabAsync(Owner, lab.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task A_recorder_that_meets_a_full_disk_gives_up_saying_so_and_marks_its_run_failed_once_room_is_freed()
    {
        using var disk = new FullDisk();
        var lab = (await disk.Store.CreateAsync(Owner, Yaml, "full")).Value!;
        var run = await disk.Runs.CreateRunAsync(Owner, lab.Id, 1, Yaml, "full", "", "");
        await using (var recorder = disk.Runs.OpenRecorder(run.Id))
        {
            await recorder.AppendAsync(RunEntryKind.Status, message: "started", status: RunStatus.Running);
            disk.Fill();

            var failed = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2, "up"))));
            Assert.StartsWith("The store is full: ", recorder.FailureReason, StringComparison.Ordinal);
            Assert.Contains(recorder.FailureReason!, failed.Message, StringComparison.Ordinal);

            // The recorder keeps trying to mark its run failed (a small write) while the disk is full: room freed lets it through.
            disk.Free();
        }

        var stored = await WaitForStatusAsync(disk.Runs, run.Id, RunStatus.Failed);
        Assert.Equal(RunStatus.Failed, stored.Summary.Status);
        var entries = await disk.Runs.GetEntriesAsync(Owner, run.Id);
        Assert.Equal("started", entries[0].Message);
        Assert.StartsWith("Recording stopped: The store is full: ", entries[^1].Message, StringComparison.Ordinal);
        Assert.Equal("ok", disk.IntegrityCheck());
    }

    [Fact]
    public async Task A_run_whose_disk_fills_up_fails_in_its_dialog_at_once_and_in_the_store_once_room_is_freed()
    {
        using var disk = new FullDisk();
        var lab = (await disk.Store.CreateAsync(Owner, Yaml, "full")).Value!;
        var agent = new FakeAgentGateway();
        using var live = new LiveLabs(agent, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero };
        var runner = new ExperimentRunner(
            disk.Runs, new LabApplication(agent, disk.Store, live), live, agent, TimeProvider.System, NullLogger<ExperimentRunner>.Instance);
        var revision = (await disk.Store.GetCurrentRevisionAsync(Owner, lab.Id))!;

        var run = await runner.StartAsync(Owner, lab, revision, new ExperimentOptions("filled up"));
        await WaitUntilAsync(() => run.Messages.Any(m => m.StartsWith("Run started", StringComparison.Ordinal)));
        disk.Fill(); // while the agent applies
        agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        // The dialog shows the failure and why at once, while the recorder still tries to mark the run (RetryFor, 2 min).
        await WaitUntilAsync(() => run.Status == RunStatus.Failed);
        Assert.Contains(run.Messages, m => m.StartsWith("Recording stopped: The store is full: ", StringComparison.Ordinal));
        Assert.False(run.Completion.IsCompleted);
        Assert.Equal(RunStatus.Running, (await disk.Runs.GetRunAsync(Owner, run.Run.Id))!.Summary.Status);

        disk.Free();
        var ended = await run.Completion.WaitAsync(TimeSpan.FromSeconds(20), Cancel);

        Assert.Equal(RunStatus.Failed, ended.Status);
        var stored = await disk.Runs.GetEntriesAsync(Owner, run.Run.Id);
        Assert.Equal("Run started: revision 1 of full", stored[0].Message);
        Assert.StartsWith("Recording stopped: The store is full: ", stored[^1].Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, (await disk.Runs.GetRunAsync(Owner, run.Run.Id))!.Summary.Status);
        Assert.Equal("ok", disk.IntegrityCheck());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static async Task<RunDetails> WaitForStatusAsync(RunStore runs, long runId, RunStatus status)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var details = (await runs.GetRunAsync(Owner, runId))!;
            if (details.Summary.Status == status)
            {
                return details;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
