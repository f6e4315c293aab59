using System.Text.Json;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>plan/apply/destroy/state/events against a test agent (fake engine) through --socket: output and exit codes.</summary>
public sealed class LabCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Plan_prints_each_operation_numbered_with_its_iproute2_command_and_the_warnings()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["plan", CliRun.LabFile(agent, Labs.ValidYaml), "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        var lines = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Plan for lab demo: 3 operations.", lines[0]);
        Assert.Equal("  1. ip netns add nl-demo-h1", lines[1]);
        Assert.Equal("     (namespace-add for hosts.h1)", lines[2]);
        Assert.Equal("  3. ip -n nl-demo-h1 link set eth0 up", lines[5]);
        Assert.Equal("warning: namespaces.ns2.interfaces.v1: vlan: this kernel has no 8021q", lines[^1]);
    }

    [Fact]
    public async Task Plan_json_is_the_APIs_plan()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["--socket", agent.SocketPath, "plan", CliRun.LabFile(agent, Labs.ValidYaml), "--json"], cancellationToken: Cancel);

        var plan = JsonSerializer.Deserialize<PlanView>(run.Output, AgentJson.Options)!;
        Assert.Equal(3, plan.Operations.Count);
    }

    [Fact]
    public async Task Plan_of_an_invalid_lab_prints_the_problems_at_their_lines_and_exits_1()
    {
        await using var agent = await TestAgent.StartAsync();
        var file = CliRun.LabFile(agent, Labs.InvalidYaml);

        var run = await CliRun.RunAsync(["plan", file, "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Contains($"{file}:6:", run.Errors, StringComparison.Ordinal);
        Assert.Contains("    hint: ", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_prints_one_line_per_operation_with_its_time_then_the_outcome()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["apply", CliRun.LabFile(agent, Labs.ValidYaml), "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Equal(
            [
                "[1/3]     0.3 ms  ip netns add nl-demo-h1",
                "[2/3]     0.5 ms  ip -n nl-demo-h1 link add eth0 type veth peer name p1",
                "[3/3]     0.8 ms  ip -n nl-demo-h1 link set eth0 up",
                "Lab demo applied: 3 of 3 operations in 1.5 ms.",
            ],
            run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_failed_apply_names_the_operation_its_lab_element_the_kernels_words_and_the_rollback_and_exits_1()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.FailApply = true;

        var run = await CliRun.RunAsync(["apply", CliRun.LabFile(agent, Labs.ValidYaml), "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        var text = run.Output;
        Assert.Contains("[2/3]     FAILED  ip -n nl-demo-h1 link add eth0 type veth peer name p1", text, StringComparison.Ordinal);
        Assert.Contains("[1/3]     undone  ip netns add nl-demo-h1", text, StringComparison.Ordinal);
        Assert.Contains("Lab demo was not applied: 1 of 3 operations done before the failure.", text, StringComparison.Ordinal);
        Assert.Contains("  failed operation: ip -n nl-demo-h1 link add eth0 type veth peer name p1", text, StringComparison.Ordinal);
        Assert.Contains("  lab element:      hosts.h1.nics.eth0", text, StringComparison.Ordinal);
        Assert.Contains("  kernel says:      File exists (EEXIST)", text, StringComparison.Ordinal);
        Assert.Contains("  rolled back:      yes", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_json_is_ndjson_of_the_APIs_stream_items_ending_with_the_result()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["apply", CliRun.LabFile(agent, Labs.ValidYaml), "--socket", agent.SocketPath, "--json"], cancellationToken: Cancel);

        var items = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<ApplyStreamItem>(l, AgentJson.Options)!)
            .ToList();
        Assert.Equal(7, items.Count);
        Assert.All(items[..^1], i => Assert.NotNull(i.Progress));
        Assert.True(items[^1].Result!.Succeeded);
    }

    [Fact]
    public async Task Destroy_by_file_destroys_the_lab_named_in_it()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["destroy", CliRun.LabFile(agent, Labs.ValidYaml), "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Contains("destroy demo", agent.Engine.Calls);
        Assert.EndsWith($"Lab demo destroyed: 1 of 1 operation in 0.8 ms.{Environment.NewLine}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_prints_what_the_agent_left_alone()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.DestroyWarnings = ["namespace nl-demo.x exists and was not made by NetLab; remove it with `ip netns del nl-demo.x` or rename the lab; the destroy left it as it is."];

        var run = await CliRun.RunAsync(["destroy", "demo", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.EndsWith($"Lab demo destroyed: 1 of 1 operation in 0.8 ms.{Environment.NewLine}  warning: {agent.Engine.DestroyWarnings[0]}{Environment.NewLine}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_prints_a_table_per_namespace()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var run = await CliRun.RunAsync(["state", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        Assert.Equal(
            [
                "lab demo",
                "  h1 (namespace nl-demo-h1)",
                "    INTERFACE  KIND/MODE  PARENT  UP/OPER/CARRIER  MAC                ADDRESSES",
                "    lo         -          -       up/up/carrier    00:00:00:00:00:00  127.0.0.1/8",
                "    eth0       veth       -       up/up/carrier    02:00:00:00:00:01  10.0.0.1/24",
            ],
            run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task State_of_an_unknown_lab_says_how_to_list_labs_and_exits_1()
    {
        await using var agent = await TestAgent.StartAsync();

        var run = await CliRun.RunAsync(["state", "nope", "--socket", agent.SocketPath], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Contains("no lab named 'nope'", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_print_the_snapshot_and_each_change_until_cancelled_then_exit_0()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var output = new LockedStringWriter();

        var running = CliRun.RunAsync(["events", "demo", "--socket", agent.SocketPath], output: output, cancellationToken: ctrlC.Token);
        await agent.Engine.EventChanges.Writer.WriteAsync(
            new LabEvent(LabEventKind.AddressAdded, "demo", "h1", DateTimeOffset.UnixEpoch, InterfaceName: "eth0", Address: "10.0.0.2/24"), Cancel);
        while (!output.Text.Contains("address", StringComparison.Ordinal))
        {
            await Task.Delay(20, Cancel);
        }

        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal(ExitCodes.Ok, run.Exit);
        var lines = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}  h1  snapshot: lo up/up/carrier 127\.0\.0\.1/8, eth0 up/up/carrier 10\.0\.0\.1/24$", lines[0]);
        Assert.EndsWith("h1  eth0 address 10.0.0.2/24 added", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_agent_and_not_root_a_command_says_how_to_start_the_agent_and_exits_2()
    {
        var socket = Path.Combine(TestAgent.NewDirectory(), "agent.sock");
        try
        {
            var run = await CliRun.RunAsync(["state", "--socket", socket], cancellationToken: Cancel);

            Assert.Equal(ExitCodes.CannotRun, run.Exit);
            Assert.Equal($"netlab state: no NetLab agent at {socket}: start it with `sudo netlab agent --socket {socket}`{Environment.NewLine}", run.Errors);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(socket)!, recursive: true);
        }
    }

    [Fact]
    public async Task Without_an_agent_as_root_the_engine_runs_in_process_and_a_note_says_so()
    {
        var socket = Path.Combine(TestAgent.NewDirectory(), "agent.sock");
        var engine = new FakeLabEngine();
        engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        try
        {
            var run = await CliRun.RunAsync(["state", "demo", "--socket", socket], new CliServices(_ => engine, IsRoot: true), cancellationToken: Cancel);

            Assert.Equal(ExitCodes.Ok, run.Exit);
            Assert.Equal($"netlab state: no agent at {socket}; running the engine in this process{Environment.NewLine}", run.Errors);
            Assert.StartsWith("lab demo", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(socket)!, recursive: true);
        }
    }

    [Fact]
    public async Task In_process_apply_prints_the_same_lines_as_through_the_agent()
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var file = Path.Combine(directory, "lab.yaml");
            await File.WriteAllTextAsync(file, Labs.ValidYaml, Cancel);

            var run = await CliRun.RunAsync(["apply", file, "--socket", Path.Combine(directory, "agent.sock")], new CliServices(_ => new FakeLabEngine(), IsRoot: true), cancellationToken: Cancel);

            Assert.Equal(ExitCodes.Ok, run.Exit);
            Assert.EndsWith($"Lab demo applied: 3 of 3 operations in 1.5 ms.{Environment.NewLine}", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
