using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Store;
using NetLab.Web.Tests.Live;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Runs;

/// <summary>The hub's RunHistory stream as another client sees it: the whole app in-process, its own database.</summary>
public sealed class RunHistoryHubTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly WebApplicationFactory<Program> _app;

    public RunHistoryHubTests()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "hub.db"));
            web.ConfigureTestServices(services => services.AddSingleton<NetLab.Web.Agent.IAgentGateway>(new NetLab.Web.Tests.Agent.FakeAgentGateway()));
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    private SqliteDatabase Database => _app.Services.GetRequiredService<SqliteDatabase>();

    [Fact]
    public async Task A_finished_runs_history_streams_every_entry_in_order_then_ends()
    {
        var id = await RunFixtures.RecordAsync(_app.Services.GetRequiredService<LabStore>(), Database);
        var stored = await _app.Services.GetRequiredService<RunStore>().GetEntriesAsync(LabStore.LocalUserId, id);
        await using var connection = await HubClient.ConnectAsync(_app.Server, await Accounts.TestSignIn.CookieAsync(_app));

        var streamed = new List<RunEntry>();
        await foreach (var entry in connection.StreamAsync<RunEntry>("RunHistory", id, TestContext.Current.CancellationToken))
        {
            streamed.Add(entry);
        }

        Assert.Equal(stored.Select(RunJson.Serialize), streamed.Select(RunJson.Serialize));
        Assert.Equal("macvlan2", streamed.Single(e => e.Event?.Kind == NetLab.Agent.Client.Contracts.LabEventKind.Snapshot && e.Event.Element == "ns2").Event!.Snapshot!.Interfaces[1].Name);
    }

    [Fact]
    public async Task A_run_still_going_on_streams_new_entries_as_they_are_committed_until_it_finishes()
    {
        var labs = _app.Services.GetRequiredService<LabStore>();
        var runs = _app.Services.GetRequiredService<RunStore>();
        var lab = (await labs.CreateBlankAsync(LabStore.LocalUserId, "live")).Value!;
        var run = await runs.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: live\n", "live", "", "");
        await using var recorder = runs.OpenRecorder(run.Id);
        await recorder.AppendAsync(RunEntryKind.Status, message: "Run started", status: RunStatus.Running);
        await using var connection = await HubClient.ConnectAsync(_app.Server, await Accounts.TestSignIn.CookieAsync(_app));
        await using var stream = connection.StreamAsync<RunEntry>("RunHistory", run.Id, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("Run started", stream.Current.Message);

        await recorder.AppendAsync(RunEntryKind.Event, labEvent: Changed("ns2", Interface("macvlan2", 2, "down")));
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("down", stream.Current.Event!.Interface!.OperState);

        await recorder.FinishAsync(RunStatus.Succeeded, "done");
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal((2L + 1, RunStatus.Succeeded), (stream.Current.Sequence, stream.Current.Status!.Value));
        Assert.False(await stream.MoveNextAsync());
    }

    [Fact]
    public async Task An_unknown_run_is_refused_with_where_to_find_runs()
    {
        await using var connection = await HubClient.ConnectAsync(_app.Server, await Accounts.TestSignIn.CookieAsync(_app));

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<RunEntry>("RunHistory", 4242L, TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Contains("There is no run 4242", error.Message, StringComparison.Ordinal);
    }
}
