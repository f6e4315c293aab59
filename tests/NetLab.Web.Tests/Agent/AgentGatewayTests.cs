using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;

namespace NetLab.Web.Tests.Agent;

/// <summary>The gateway over a real agent host (a fake engine behind it): answers, and failures in words.</summary>
public sealed class AgentGatewayTests
{
    private static readonly string Yaml = RepositoryFiles.Lab("macvlan-bridge.yaml");

    /// <summary>A stored lab of the template under its own kernel name, owned by store user 7.</summary>
    private static readonly OwnedKernelLab Alices = new("macvlan-bridge-a1", 7);

    private static readonly OwnedKernelLab Bobs = new("macvlan-bridge-b2", 8);

    [Fact]
    public async Task Plan_returns_the_operations_with_their_commands_and_the_kinds_the_kernel_lacks()
    {
        await using var agent = await FakeEngineAgent.StartAsync();

        var outcome = await agent.Gateway.PlanAsync(Alices, Yaml, TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(FakeEngineAgent.FakeEngine.OperationsOf("macvlan-bridge-a1"), outcome.Value!.Operations);
        Assert.Equal("vlan", Assert.Single(outcome.Value.Unsupported).Kind);
    }

    [Fact]
    public async Task Apply_reports_each_operations_progress_then_returns_the_result()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        var progress = new List<OperationProgress>();

        var outcome = await agent.Gateway.ApplyAsync(Alices, Yaml, progress.Add, TestContext.Current.CancellationToken);

        Assert.True(outcome.Value!.Succeeded);
        Assert.Equal("macvlan-bridge-a1", outcome.Value.Lab);
        Assert.Equal(2, outcome.Value.Applied);
        Assert.Equal(
            [(0, OperationStatus.Started), (0, OperationStatus.Done), (1, OperationStatus.Started), (1, OperationStatus.Done)],
            progress.Select(p => (p.Index, p.Status)));
    }

    [Fact]
    public async Task A_failed_apply_returns_the_failing_operation_the_kernels_message_and_the_rollback()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        agent.Engine.FailApply = true;
        var progress = new List<OperationProgress>();

        var outcome = await agent.Gateway.ApplyAsync(Alices, Yaml, progress.Add, TestContext.Current.CancellationToken);

        var result = outcome.Value!;
        Assert.False(result.Succeeded);
        Assert.True(result.RolledBack);
        Assert.Equal("hosts.h1.nics.eth0", result.Failure!.Operation.Source);
        Assert.Equal(("EEXIST", "File exists"), (result.Failure.Errno, result.Failure.KernelMessage));
        Assert.Equal(OperationStatus.RolledBack, progress[^1].Status);
    }

    [Fact]
    public async Task Destroy_streams_its_progress_and_result()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        await agent.Gateway.ApplyAsync(Alices, Yaml, _ => { }, TestContext.Current.CancellationToken);
        var progress = new List<OperationProgress>();

        var outcome = await agent.Gateway.DestroyAsync(Alices, progress.Add, TestContext.Current.CancellationToken);

        Assert.True(outcome.Value!.Succeeded);
        Assert.Equal("ip netns delete nl-macvlan-bridge-a1-h1", Assert.Single(progress).Operation.Command);
    }

    [Fact]
    public async Task Two_users_applying_one_template_act_for_themselves_and_neither_reaches_the_others_lab()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        var cancel = TestContext.Current.CancellationToken;

        Assert.True((await agent.Gateway.ApplyAsync(Alices, Yaml, _ => { }, cancel)).Value!.Succeeded);
        Assert.True((await agent.Gateway.ApplyAsync(Bobs, Yaml, _ => { }, cancel)).Value!.Succeeded);

        // The gateway sent each owner as the acting user: the agent recorded them as the labs' owners.
        Assert.Equal("7\n", File.ReadAllText(Path.Combine(agent.OwnerDirectory, "macvlan-bridge-a1")));
        Assert.Equal("8\n", File.ReadAllText(Path.Combine(agent.OwnerDirectory, "macvlan-bridge-b2")));
        Assert.Equal(["apply macvlan-bridge-a1", "apply macvlan-bridge-b2"], agent.Engine.Calls.Where(c => c.StartsWith("apply", StringComparison.Ordinal)));

        // Bob's calls naming Alice's kernel lab answer as if it did not exist, and the engine destroys nothing.
        var alicesAsBob = Alices with { OwnerId = Bobs.OwnerId };
        Assert.Equal(AgentErrorCodes.NotFound, (await agent.Gateway.StateAsync(alicesAsBob, cancel)).ErrorCode);
        Assert.Equal(AgentErrorCodes.NotFound, (await agent.Gateway.DestroyAsync(alicesAsBob, _ => { }, cancel)).ErrorCode);
        Assert.Equal(AgentErrorCodes.NotFound, (await agent.Gateway.ProbeAsync(alicesAsBob, new ProbeRequest(), cancel)).ErrorCode);
        Assert.Equal(AgentErrorCodes.LabTaken, (await agent.Gateway.ApplyAsync(alicesAsBob, Yaml, _ => { }, cancel)).ErrorCode);
        Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
        Assert.Equal("macvlan-bridge-a1", (await agent.Gateway.StateAsync(Alices, cancel)).Value!.Lab);
    }

    [Fact]
    public async Task A_legacy_kernel_lab_is_asked_about_as_the_administrator_which_reaches_a_lab_with_no_owner()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        var cancel = TestContext.Current.CancellationToken;
        // Applied before the web named users: no owner recorded.
        await agent.Client.ApplyAsync(new LabDocument(Yaml), cancel).LastAsync(cancel);

        Assert.Equal(AgentErrorCodes.NotFound, (await agent.Gateway.DestroyAsync(new OwnedKernelLab("macvlan-bridge", 7), _ => { }, cancel)).ErrorCode);
        Assert.True((await agent.Gateway.DestroyAsync(new OwnedKernelLab("macvlan-bridge", 7, Legacy: true), _ => { }, cancel)).Value!.Succeeded);
        Assert.Contains("destroy macvlan-bridge", agent.Engine.Calls);
    }

    [Fact]
    public async Task An_invalid_lab_comes_back_as_the_agents_problems()
    {
        await using var agent = await FakeEngineAgent.StartAsync();

        var outcome = await agent.Gateway.PlanAsync(Alices, RepositoryFiles.Lab("invalid/macvlan-passthru-two-children.yaml"), TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Contains("not valid", outcome.Error, StringComparison.Ordinal);
        Assert.Contains(outcome.Problems, p => p.Path == "namespaces.ns3.interfaces.macvlan3.parent");
    }

    [Fact]
    public async Task No_agent_on_the_socket_says_it_is_not_running_and_how_to_start_it()
    {
        var socket = Path.Combine("/tmp", $"nlweb-none-{Guid.NewGuid():N}"[..20], "agent.sock");
        using var client = new AgentClient(socket);

        var gateway = new AgentGateway(client, TimeProvider.System, NullLogger<AgentGateway>.Instance);
        var outcome = await gateway.ApplyAsync(Alices, Yaml, _ => Assert.Fail("no progress expected"), TestContext.Current.CancellationToken);

        Assert.Equal($"The NetLab agent is not running at {socket}: start it with `sudo netlab agent --socket {socket}`", outcome.Error);
    }

    [Fact]
    public void The_default_socket_needs_no_socket_option_in_the_advice()
    {
        var message = AgentGateway.UnavailableMessage("/run/netlab/agent.sock", new AgentUnavailableException("/run/netlab/agent.sock", "no agent"));

        Assert.Equal("The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`", message);
    }

    [Fact]
    public async Task Without_an_agent_a_capture_ends_with_an_error_item_and_a_watch_with_a_resync_saying_so()
    {
        var socket = Path.Combine("/tmp", $"nlweb-none-{Guid.NewGuid():N}"[..20], "agent.sock");
        using var client = new AgentClient(socket);
        var gateway = new AgentGateway(client, TimeProvider.System, NullLogger<AgentGateway>.Instance);

        var items = await gateway.CaptureAsync(Alices, new CaptureRequest("h1", "eth0"), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("The NetLab agent is not running at", Assert.Single(items).Error!.Message, StringComparison.Ordinal);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var events = gateway.WatchAsync(Alices, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((LabEventKind.Resync, ""), (events.Current.Kind, events.Current.Element));
        Assert.StartsWith("The NetLab agent is not running at", events.Current.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Grade_returns_every_checks_result_from_the_agent()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        // The fake engine holds no kernel: no ping is probed and no namespace exists, so pings are not checked and
        // state checks fail, each with NetLab's explanation.
        agent.Engine.GradeState = NetLab.Core.Planning.ObservedState.Empty;
        // Generated checks name the lab by its file's name; the web grades it under the lab's own kernel name.
        var checks = "lab: macvlan-bridge\nchecks:\n- { from: ns2, reaches: 100.0.0.3 }\n- { interface: ns2/macvlan2, kind: macvlan, mode: bridge }\n";

        await agent.Gateway.ApplyAsync(Alices, Yaml, _ => { }, TestContext.Current.CancellationToken);

        var outcome = await agent.Gateway.GradeAsync(Alices, new GradeRequest(new LabDocument(Yaml), new LabDocument(checks)), TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.Error);
        var grade = outcome.Value!;
        Assert.Equal((Alices.Name, "0 of 2 checks passed (1 failed, 1 not checked)"), (grade.Lab, grade.Summary));
        Assert.Equal(["reach/ns2/100.0.0.3", "kind/ns2/macvlan2"], grade.Checks.Select(c => c.Id));
        Assert.Equal(NetLab.Core.Grading.CheckOutcome.NotChecked, grade.Checks[0].Outcome);
        Assert.Equal(NetLab.Core.Grading.CheckOutcome.Failed, grade.Checks[1].Outcome);
        Assert.Contains("does not exist in the kernel", grade.Checks[1].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checks_that_do_not_fit_the_lab_come_back_as_the_agents_problems()
    {
        await using var agent = await FakeEngineAgent.StartAsync();
        agent.Engine.GradeState = NetLab.Core.Planning.ObservedState.Empty;

        await agent.Gateway.ApplyAsync(Alices, Yaml, _ => { }, TestContext.Current.CancellationToken);

        var outcome = await agent.Gateway.GradeAsync(Alices,
            new GradeRequest(new LabDocument(Yaml), new LabDocument("checks:\n- { from: ns9, reaches: 100.0.0.3 }\n")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Equal(AgentErrorCodes.InvalidChecks, outcome.ErrorCode);
        Assert.StartsWith("The agent refused the checks", outcome.Error, StringComparison.Ordinal);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal(("checks[0].from", 2), (problem.Path, problem.Location?.Line));
    }

    [Fact]
    public void One_rule_explains_every_agent_failure_and_refuses_anything_else()
    {
        var invalid = AgentGateway.Explain(new AgentClientException(System.Net.HttpStatusCode.UnprocessableEntity, new AgentError(AgentErrorCodes.InvalidLab, "2 problems", [new("a.b", "bad", "fix")])), "/s");
        Assert.Equal(("The agent refused the lab: it is not valid. Nothing was changed.", AgentErrorCodes.InvalidLab, 1), (invalid.Message, invalid.Code, invalid.Problems.Count));
        var checks = AgentGateway.Explain(new AgentClientException(System.Net.HttpStatusCode.UnprocessableEntity, new AgentError(AgentErrorCodes.InvalidChecks, "The checks have 1 problem", [new("checks[0].from", "no such host", "use one of ns2, ns3")])), "/s");
        Assert.Equal(("The agent refused the checks: they do not read, or do not fit the lab as it is applied. Nothing was probed.", AgentErrorCodes.InvalidChecks),
            (checks.Message, checks.Code));
        Assert.Equal("checks[0].from", Assert.Single(checks.Problems).Path);
        Assert.Equal(AgentErrorCodes.ConnectionLost, AgentGateway.Explain(new IOException("reset"), "/s").Code);
        Assert.Equal(AgentGateway.Unavailable, AgentGateway.Explain(new AgentUnavailableException("/s", "no agent"), "/s").Code);
        Assert.False(AgentGateway.IsAgentFailure(new InvalidOperationException()));
        Assert.Throws<ArgumentException>(() => AgentGateway.Explain(new InvalidOperationException(), "/s"));
    }
}
