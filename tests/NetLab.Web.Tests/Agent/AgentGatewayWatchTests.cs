using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Core.Labs;
using NetLab.Web.Agent;
using static NetLab.Web.Tests.Live.LiveEvents;

namespace NetLab.Web.Tests.Agent;

/// <summary>The gateway's event stream and state over a real agent host (a fake engine behind it) on a temp socket, stopped and restarted.</summary>
public sealed class AgentGatewayWatchTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Short: a Unix socket path has at most 107 bytes.
    private readonly string _folder = Directory.CreateTempSubdirectory("nlweb-").FullName;
    private readonly StateEngine _engine = new();
    private AgentHost? _agent;

    private string SocketPath => Path.Combine(_folder, "agent.sock");


    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_lab_not_applied_yet_is_reported_once_then_watched_when_it_appears()
    {
        await StartAgentAsync();
        using var client = new AgentClient(SocketPath);
        var source = new AgentGateway(client, TimeProvider.System, NullLogger<AgentGateway>.Instance);
        await using var events = source.WatchAsync(Demo, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);

        var outage = await NextAsync(events);
        Assert.Equal((LabEventKind.Resync, ""), (outage.Kind, outage.Element));
        Assert.Contains("apply it", outage.Message, StringComparison.Ordinal);

        _engine.Labs = [new LabState(DemoLab, [new NamespaceState("ns2", "nl-demo-ns2", [Interface("macvlan2", 2)])])];

        var snapshot = await NextAsync(events);
        Assert.Equal((LabEventKind.Snapshot, "ns2"), (snapshot.Kind, snapshot.Element));
        Assert.Equal(AgentErrorCodes.NotFound, (await source.StateAsync(Demo with { Name = "missing" }, TestContext.Current.CancellationToken)).ErrorCode);
        Assert.Equal(DemoLab, (await source.StateAsync(Demo, TestContext.Current.CancellationToken)).Value!.Lab);
    }

    [Fact]
    public async Task An_agent_restart_breaks_the_stream_and_fresh_snapshots_follow()
    {
        _engine.Labs = [new LabState(DemoLab, [new NamespaceState("ns2", "nl-demo-ns2", [Interface("macvlan2", 2)])])];
        await StartAgentAsync();
        using var client = new AgentClient(SocketPath);
        var source = new AgentGateway(client, TimeProvider.System, NullLogger<AgentGateway>.Instance);
        await using var events = source.WatchAsync(Demo, TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.Equal(LabEventKind.Snapshot, (await NextAsync(events)).Kind);
        _engine.Changes.Writer.TryWrite(Changed("ns2", Interface("macvlan2", 2, operState: "down")));
        Assert.Equal(LabEventKind.InterfaceChanged, (await NextAsync(events)).Kind);

        await _agent!.DisposeAsync();
        _agent = null;
        var outage = await NextAsync(events);
        Assert.Equal((LabEventKind.Resync, ""), (outage.Kind, outage.Element));

        _engine.Labs = [new LabState(DemoLab, [new NamespaceState("ns2", "nl-demo-ns2", [Interface("macvlan2", 2, operState: "down")])])];
        await StartAgentAsync();
        var fresh = await NextAsync(events);
        Assert.Equal(LabEventKind.Snapshot, fresh.Kind);
        Assert.Equal("down", fresh.Snapshot!.Interfaces.Single().OperState);
    }

    private static async Task<LabEvent> NextAsync(IAsyncEnumerator<LabEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken));
        return events.Current;
    }

    private async Task StartAgentAsync()
    {
        // The agent's owner records, as a user's first apply of the lab would have left them (the engine here applies nothing).
        var owners = Path.Combine(_folder, "owners");
        if (OperatingSystem.IsLinux())
        {
            Directory.CreateDirectory(owners, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(Path.Combine(owners, DemoLab), OwnedKernelLab.ActingUserOf(Demo.OwnerId) + "\n");
        _agent = AgentHost.Create(new AgentOptions { SocketPath = SocketPath, LabOwnerDirectory = owners }, _engine);
        await _agent.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Only what the event and state routes ask of an engine.</summary>
    private sealed class StateEngine : ILabEngine
    {
        public IReadOnlyList<LabState> Labs { get; set; } = [];

        public Channel<LabEvent> Changes { get; } = Channel.CreateUnbounded<LabEvent>();

        public Task<PlanView> PlanAsync(Lab lab, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApplyResult> ApplyAsync(Lab lab, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ApplyResult> DestroyAsync(string labName, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<NetLab.Core.Grading.GradeReport> GradeAsync(Lab lab, IReadOnlyList<NetLab.Core.Grading.LabCheck> checks, ProbeRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<LabState>> StateAsync(string? labName = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<LabState>>([.. Labs.Where(l => labName is null || l.Lab == labName)]);

        public async IAsyncEnumerable<LabEvent> EventsAsync(string labName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var space in Labs.Single(l => l.Lab == labName).Namespaces)
            {
                yield return new LabEvent(LabEventKind.Snapshot, labName, space.Element, At, Snapshot: space);
            }

            await foreach (var change in Changes.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
    }
}
