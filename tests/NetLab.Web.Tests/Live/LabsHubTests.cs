using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Tests.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Live;

/// <summary>The public hub as another client sees it: the whole web app in-process, the agent replaced by the fake.</summary>
public sealed class LabsHubTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly FakeAgentGateway _source = new() { SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1), Interface("macvlan2", 2))] };
    private readonly WebApplicationFactory<Program> _app;

    public LabsHubTests()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Web:DataFolder", _db.Folder);
            web.UseSetting("Web:DatabaseFile", Path.Combine(_db.Folder, "hub.db"));
            web.ConfigureTestServices(services =>
            {
                services.AddSingleton<IAgentGateway>(_source);
                // A lab's stream stops as its last watcher goes: the reconnect test waits for that.
                services.AddSingleton(sp => new LiveLabs(_source, TimeProvider.System, NullLogger<LiveLabs>.Instance) { Grace = TimeSpan.Zero });
            });
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task A_client_gets_the_snapshot_then_the_changes_in_order()
    {
        await using var connection = await ConnectAsync();
        await using var events = connection.StreamAsync<LabEvent>("Watch", await DemoKernelNameAsync(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(LabEventKind.Snapshot, events.Current.Kind);
        Assert.Equal(["lo", "macvlan2"], events.Current.Snapshot!.Interfaces.Select(i => i.Name));

        await _source.WaitForWatchersAsync(1);
        _source.Publish(Changed("ns2", Interface("macvlan2", 2, operState: "down")), AddressAdded("ns2", "macvlan2", "10.0.0.2/24"));

        Assert.True(await events.MoveNextAsync());
        Assert.Equal((LabEventKind.InterfaceChanged, "down"), (events.Current.Kind, events.Current.Interface!.OperState));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((LabEventKind.AddressAdded, "10.0.0.2/24"), (events.Current.Kind, events.Current.Address));
    }

    [Fact]
    public async Task Many_clients_of_one_lab_share_one_agent_stream()
    {
        var connections = new List<HubConnection>();
        var streams = new List<IAsyncEnumerator<LabEvent>>();
        for (var i = 0; i < 5; i++)
        {
            var connection = await ConnectAsync();
            connections.Add(connection);
            var events = connection.StreamAsync<LabEvent>("Watch", await DemoKernelNameAsync(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
            streams.Add(events);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(LabEventKind.Snapshot, events.Current.Kind);
        }

        Assert.Equal((1, 1), (_source.WatchCalls, _source.ActiveWatchers));
        _source.Publish(Changed("ns2", Interface("macvlan2", 2, operState: "down")));
        foreach (var events in streams)
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(LabEventKind.InterfaceChanged, events.Current.Kind);
            await events.DisposeAsync();
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await _source.WaitForWatchersAsync(0);
    }

    [Fact]
    public async Task A_client_that_reconnects_starts_from_a_fresh_snapshot()
    {
        await using (var first = await ConnectAsync())
        {
            await using var events = first.StreamAsync<LabEvent>("Watch", await DemoKernelNameAsync(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
            Assert.True(await events.MoveNextAsync());
        }

        await _source.WaitForWatchersAsync(0);
        _source.SnapshotOf = _ => [Snapshot("ns2", Interface("lo", 1))];

        await using var second = await ConnectAsync();
        await using var again = second.StreamAsync<LabEvent>("Watch", await DemoKernelNameAsync(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await again.MoveNextAsync());
        Assert.Equal(LabEventKind.Snapshot, again.Current.Kind);
        Assert.Equal(["lo"], again.Current.Snapshot!.Interfaces.Select(i => i.Name));
    }

    [Fact]
    public async Task An_invalid_lab_name_is_refused_with_the_reason()
    {
        await using var connection = await ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<LabEvent>("Watch", "../etc", TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Contains(NetLab.Core.Labs.LabName.Problem("../etc")!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_kernel_lab_is_refused_as_if_no_lab_had_that_name_and_the_agent_is_not_asked()
    {
        await using var connection = await ConnectAsync();
        var alices = await DemoKernelNameAsync("alice");

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<LabEvent>("Watch", alices, TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Contains($"You have no lab the kernel knows as {alices}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _source.WatchCalls);
    }

    /// <summary>The kernel name of a lab of <paramref name="user"/>'s (made, with the account, when missing), whose watch the fake answers.</summary>
    private async Task<string> DemoKernelNameAsync(string user = "tester")
    {
        _ = await Accounts.TestSignIn.CookieAsync(_app, user);
        var account = (await _app.Services.GetRequiredService<NetLab.Web.Store.UserStore>().FindAsync(user))!;
        var labs = _app.Services.GetRequiredService<NetLab.Web.Store.LabStore>();
        var lab = (await labs.ListLabsAsync(account.Id)).FirstOrDefault(l => l.Name == DemoLab)
            ?? (await labs.CreateAsync(account.Id, $"name: {DemoLab}\n")).Value!;
        return lab.KernelName;
    }

    private async Task<HubConnection> ConnectAsync() => await HubClient.ConnectAsync(_app.Server, await Accounts.TestSignIn.CookieAsync(_app));
}
