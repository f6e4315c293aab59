using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Store;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// A run still "running" in the store when the web starts was cut short by the previous process (a crash, kill -9, a
/// stop mid-run): the web's start marks it interrupted, ending at its last entry, before anything is served.
/// </summary>
public sealed class InterruptedRunsAtStartTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private WebApplicationFactory<Program>? _app;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _db.Dispose();
    }

    [Fact]
    public async Task A_run_left_running_by_a_previous_process_is_marked_interrupted_when_the_web_starts()
    {
        var file = Path.Combine(_db.Folder, "start.db");
        var previous = new SqliteDatabase(file);
        var runs = new RunStore(previous, TimeProvider.System);
        var lab = (await new LabStore(previous, TimeProvider.System).CreateBlankAsync(LabStore.LocalUserId, "cut")).Value!;
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: cut\n", "cut", "", "");
        var finished = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: cut\n", "cut", "", "");
        // The previous process recorded an entry, then died without finishing the run (its recorder is never closed).
        var recorder = runs.OpenRecorder(run.Id);
        await recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("eth0", 1)));
        await using (var done = runs.OpenRecorder(finished.Id))
        {
            await done.FinishAsync(RunStatus.Succeeded, "done");
        }

        Assert.Equal(RunStatus.Running, (await runs.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary.Status);
        var lastEntry = (await runs.GetEntriesAsync(LabStore.LocalUserId, run.Id))[^1].At;

        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", file);
            web.ConfigureTestServices(services => services.AddSingleton<NetLab.Web.Agent.IAgentGateway>(new NetLab.Web.Tests.Agent.FakeAgentGateway()));
        });
        using var client = _app.CreateClient();

        var started = _app.Services.GetRequiredService<RunStore>();
        var after = (await started.GetRunAsync(LabStore.LocalUserId, run.Id))!.Summary;
        Assert.Equal(RunStatus.Interrupted, after.Status);
        Assert.Equal(lastEntry.ToUnixTimeMilliseconds(), after.Ended!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(RunStatus.Succeeded, (await started.GetRunAsync(LabStore.LocalUserId, finished.Id))!.Summary.Status);
        await recorder.DisposeAsync();
    }
}
