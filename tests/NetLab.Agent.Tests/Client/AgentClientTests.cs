using System.Net;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Netlink;

namespace NetLab.Agent.Tests.Client;

/// <summary>The whole API through AgentClient against a host with a fake engine: transport, streaming, errors.</summary>
public sealed class AgentClientTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Validate_returns_no_problems_for_a_valid_lab()
    {
        await using var agent = await TestAgent.StartAsync();

        var problems = await agent.Client.ValidateAsync(Labs.Valid, Cancel);

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Validate_returns_the_problems_with_their_lines_for_an_invalid_lab()
    {
        await using var agent = await TestAgent.StartAsync();

        var problems = await agent.Client.ValidateAsync(Labs.Invalid, Cancel);

        var problem = Assert.Single(problems);
        Assert.StartsWith("namespaces.ns2.interfaces.mv0", problem.Path, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.Hint));
        Assert.Equal(6, problem.Location?.Line);
    }

    [Fact]
    public async Task Plan_of_an_invalid_lab_is_a_422_invalid_lab_error_with_problems_and_the_engine_is_not_called()
    {
        await using var agent = await TestAgent.StartAsync();

        var error = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.PlanAsync(Labs.Invalid, Cancel));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal(AgentErrorCodes.InvalidLab, error.Error.Code);
        Assert.NotEmpty(error.Error.Problems!);
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public async Task Plan_returns_the_engines_plan()
    {
        await using var agent = await TestAgent.StartAsync();

        var plan = await agent.Client.PlanAsync(Labs.Valid, Cancel);

        Assert.Equal("demo", plan.Lab);
        Assert.Equal(FakeLabEngine.OperationsOf("demo"), plan.Operations);
        Assert.Equal("vlan", Assert.Single(plan.Unsupported).Kind);
        Assert.Equal(["plan demo"], agent.Engine.Calls);
    }

    [Fact]
    public async Task Apply_streams_progress_before_the_engine_has_finished_and_ends_with_the_result()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.HoldAfterFirstOperation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var items = agent.Client.ApplyAsync(Labs.Valid, Cancel).GetAsyncEnumerator(Cancel);
        var seen = new List<ApplyStreamItem>();
        // The engine is held after its first operation: these two lines can only come if they are streamed.
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await items.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancel));
            seen.Add(items.Current);
        }

        Assert.Equal([OperationStatus.Started, OperationStatus.Done], seen.Select(s => s.Progress!.Status));
        agent.Engine.HoldAfterFirstOperation.SetResult();
        while (await items.MoveNextAsync())
        {
            seen.Add(items.Current);
        }

        await items.DisposeAsync();
        Assert.All(seen[..^1], s => Assert.NotNull(s.Progress));
        Assert.Equal([0, 0, 1, 1, 2, 2], seen[..^1].Select(s => s.Progress!.Index));
        var result = Assert.IsType<ApplyResult>(seen[^1].Result);
        Assert.True(result.Succeeded);
        Assert.Equal(3, result.Applied);
    }

    [Fact]
    public async Task Failed_apply_streams_the_failure_and_rollback_then_a_result_saying_so()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.FailApply = true;

        var items = await agent.Client.ApplyAsync(Labs.Valid, Cancel).ToListAsync(Cancel);

        Assert.Contains(items, i => i.Progress?.Status == OperationStatus.Failed && i.Progress.Error == "File exists");
        Assert.Contains(items, i => i.Progress?.Status == OperationStatus.RolledBack);
        var result = items[^1].Result!;
        Assert.False(result.Succeeded);
        Assert.True(result.RolledBack);
        Assert.Equal("EEXIST", result.Failure!.Errno);
    }

    [Fact]
    public async Task Apply_whose_engine_throws_a_kernel_error_at_once_is_a_kernel_error_answer()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.ApplyThrows = new NetlinkException(1, "create namespace nl-demo-h1", explanation: "Run the agent as root.");

        var error = await Assert.ThrowsAsync<AgentClientException>(async () => await agent.Client.ApplyAsync(Labs.Valid, Cancel).ToListAsync(Cancel));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(AgentErrorCodes.KernelError, error.Error.Code);
        Assert.Contains("create namespace nl-demo-h1", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_whose_engine_finds_the_lab_invalid_is_a_422()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.ApplyThrows = new InvalidLabException([new Problem("hosts.h1", "engine says no", "fix it")]);

        var error = await Assert.ThrowsAsync<AgentClientException>(async () => await agent.Client.ApplyAsync(Labs.Valid, Cancel).ToListAsync(Cancel));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("engine says no", Assert.Single(error.Error.Problems!).Message);
    }

    [Fact]
    public async Task Destroy_streams_progress_then_the_result()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var items = await agent.Client.DestroyAsync("demo", Cancel).ToListAsync(Cancel);

        Assert.Equal(OperationStatus.Done, items[0].Progress!.Status);
        Assert.True(items[^1].Result!.Succeeded);
        Assert.Contains("destroy demo", agent.Engine.Calls);
        Assert.Empty(agent.Engine.Labs);
    }

    [Fact]
    public async Task State_of_all_labs_and_of_one_lab_round_trip_every_field()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("a"));
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("b"));

        var all = await agent.Client.GetLabsAsync(Cancel);
        var one = await agent.Client.GetLabAsync("b", Cancel);

        Assert.Equal(["a", "b"], all.Select(l => l.Lab));
        AssertSameJson(FakeLabEngine.StateOf("b"), one);
    }

    [Fact]
    public async Task State_of_an_unknown_lab_is_a_404_not_found_error_saying_how_to_list_labs()
    {
        await using var agent = await TestAgent.StartAsync();

        var error = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.GetLabAsync("nope", Cancel));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(AgentErrorCodes.NotFound, error.Error.Code);
        Assert.Contains("netlab state", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_send_the_snapshot_then_changes_and_cancelling_ends_the_engines_stream()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var events = agent.Client.EventsAsync("demo", watching.Token).GetAsyncEnumerator(watching.Token);
        Assert.True(await events.MoveNextAsync());
        var snapshot = events.Current;
        var change = new LabEvent(LabEventKind.InterfaceChanged, "demo", "h1", DateTimeOffset.UnixEpoch, Interface: FakeLabEngine.Interface("eth0", 2, up: false));
        await agent.Engine.EventChanges.Writer.WriteAsync(change, Cancel);
        Assert.True(await events.MoveNextAsync());
        var changed = events.Current;
        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await events.MoveNextAsync());
        await events.DisposeAsync();

        Assert.Equal(LabEventKind.Snapshot, snapshot.Kind);
        AssertSameJson(FakeLabEngine.StateOf("demo").Namespaces[0], snapshot.Snapshot);
        Assert.Equal(LabEventKind.InterfaceChanged, changed.Kind);
        Assert.Equal("down", changed.Interface!.OperState);
        Assert.True(await agent.Engine.EventStreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel), "the engine's stream should end by cancellation");
    }

    [Fact]
    public async Task Stopping_the_agent_ends_an_event_stream_promptly()
    {
        var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        var events = agent.Client.EventsAsync("demo", Cancel).GetAsyncEnumerator(Cancel);
        Assert.True(await events.MoveNextAsync());
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await agent.DisposeAsync();
        var more = await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        await events.DisposeAsync();

        Assert.False(more);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
    }

    [Fact]
    public async Task Events_of_an_unknown_lab_are_a_404()
    {
        await using var agent = await TestAgent.StartAsync();

        var error = await Assert.ThrowsAsync<AgentClientException>(async () => await agent.Client.EventsAsync("nope", Cancel).ToListAsync(Cancel));

        Assert.Equal(AgentErrorCodes.NotFound, error.Error.Code);
    }

    /// <summary>Records with lists compare lists by reference; their JSON compares what went over the wire.</summary>
    private static void AssertSameJson<T>(T expected, T actual) =>
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected, AgentJson.Options), System.Text.Json.JsonSerializer.Serialize(actual, AgentJson.Options));

    [Fact]
    public async Task A_missing_socket_is_an_AgentUnavailableException_that_says_how_to_start_the_agent()
    {
        using var client = new AgentClient("/tmp/nlagent-missing/agent.sock");

        var error = await Assert.ThrowsAsync<AgentUnavailableException>(() => client.GetLabsAsync(Cancel));

        Assert.Equal("no NetLab agent at /tmp/nlagent-missing/agent.sock: start it with `sudo netlab agent --socket /tmp/nlagent-missing/agent.sock`", error.Message);
    }

    [Fact]
    public async Task A_stale_socket_nobody_listens_on_is_an_AgentUnavailableException()
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var path = Path.Combine(directory, "agent.sock");
            using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            }

            using var client = new AgentClient(path);
            var error = await Assert.ThrowsAsync<AgentUnavailableException>(() => client.GetLabsAsync(Cancel));
            Assert.StartsWith($"no NetLab agent at {path}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_429_without_an_error_body_is_a_busy_error_saying_so()
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var path = Path.Combine(directory, "agent.sock");
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            listener.Listen();
            var serve = Task.Run(
                async () =>
                {
                    using var peer = await listener.AcceptAsync(Cancel);
                    await peer.ReceiveAsync(new byte[8192], Cancel);
                    await peer.SendAsync("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), Cancel);
                    peer.Shutdown(System.Net.Sockets.SocketShutdown.Both);
                },
                Cancel);

            using var client = new AgentClient(path);
            var error = await Assert.ThrowsAsync<AgentClientException>(() => client.GetLabsAsync(Cancel));
            await serve;

            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, error.StatusCode);
            Assert.Equal(AgentErrorCodes.Busy, error.Error.Code);
            Assert.Contains("The agent is busy (429 Too Many Requests)", error.Error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
