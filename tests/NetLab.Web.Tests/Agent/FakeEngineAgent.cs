using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Core.Labs;
using NetLab.Web.Agent;

namespace NetLab.Web.Tests.Agent;

/// <summary>
/// The real agent host on a socket in a fresh /tmp folder, with an engine that never touches the kernel (a trimmed
/// copy of the agent tests' FakeLabEngine: test projects do not reference each other).
/// </summary>
public sealed class FakeEngineAgent : IAsyncDisposable
{
    private FakeEngineAgent(string folder, AgentHost host, FakeEngine engine)
    {
        Folder = folder;
        Host = host;
        Engine = engine;
        Client = new AgentClient(host.Options.SocketPath);
        Gateway = new AgentGateway(Client, TimeProvider.System, NullLogger<AgentGateway>.Instance);
    }

    public string Folder { get; }

    /// <summary>Where the agent records which user owns which lab (one file per kernel lab name, holding the user).</summary>
    public string OwnerDirectory => Path.Combine(Folder, "owners");

    public AgentHost Host { get; }

    public FakeEngine Engine { get; }

    public AgentClient Client { get; }

    /// <summary>The web's gateway over <see cref="Client"/>, as the app makes it.</summary>
    public AgentGateway Gateway { get; }

    public static async Task<FakeEngineAgent> StartAsync()
    {
        // Short: a Unix socket path has at most 107 bytes.
        var folder = Path.Combine("/tmp", $"nlweb-{Guid.NewGuid():N}"[..14]);
        Directory.CreateDirectory(folder);
        var engine = new FakeEngine();
        // The lab owners of this agent alone: the web's calls act for users, whose first apply of a name records them.
        var host = AgentHost.Create(new AgentOptions { SocketPath = Path.Combine(folder, "agent.sock"), LabOwnerDirectory = Path.Combine(folder, "owners") }, engine);
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            Directory.Delete(folder, recursive: true);
            throw;
        }

        return new FakeEngineAgent(folder, host, engine);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public sealed class FakeEngine : ILabEngine
    {
        /// <summary>When true, apply fails at its second operation and rolls back the first.</summary>
        public bool FailApply { get; set; }

        public static IReadOnlyList<PlannedOperation> OperationsOf(string lab) =>
        [
            new(0, "namespace-add", "hosts.h1", $"nl-{lab}-h1", $"ip netns add nl-{lab}-h1"),
            new(1, "link-add", "hosts.h1.nics.eth0", $"nl-{lab}-h1", $"ip -n nl-{lab}-h1 link add eth0 type veth peer name p1"),
        ];

        /// <summary>"apply LAB" and "destroy LAB" in order, as the agent asked the engine.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        /// <summary>The labs applied and not destroyed since (state answers them, with no namespaces).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Applied { get; } = new();

        public Task<PlanView> PlanAsync(Lab lab, CancellationToken cancellationToken = default) =>
            Task.FromResult(new PlanView(lab.Name, OperationsOf(lab.Name), [new KindWarning("namespaces.ns2.interfaces.v1", "vlan", "this kernel has no 8021q")]));

        public Task<ApplyResult> ApplyAsync(Lab lab, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue($"apply {lab.Name}");
            var operations = OperationsOf(lab.Name);
            for (var i = 0; i < operations.Count; i++)
            {
                progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Started, 0));
                if (FailApply && i == 1)
                {
                    progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Failed, 0.5, "File exists"));
                    progress?.Report(new OperationProgress(0, operations.Count, operations[0], OperationStatus.RolledBack, 0.2));
                    return Task.FromResult(new ApplyResult(
                        lab.Name, false, 1, operations.Count, 1.5, new ApplyFailure(operations[i], "File exists", "EEXIST", "File exists"), RolledBack: true));
                }

                progress?.Report(new OperationProgress(i, operations.Count, operations[i], OperationStatus.Done, 0.25));
            }

            Applied[lab.Name] = true;
            return Task.FromResult(new ApplyResult(lab.Name, true, operations.Count, operations.Count, 1.5));
        }

        public Task<ApplyResult> DestroyAsync(string labName, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue($"destroy {labName}");
            Applied.TryRemove(labName, out _);
            var operation = new PlannedOperation(0, "namespace-delete", "hosts.h1", $"nl-{labName}-h1", $"ip netns delete nl-{labName}-h1");
            progress?.Report(new OperationProgress(0, 1, operation, OperationStatus.Done, 0.75));
            return Task.FromResult(new ApplyResult(labName, true, 1, 1, 0.75));
        }

        public Task<IReadOnlyList<LabState>> StateAsync(string? labName = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<LabState>>([.. Applied.Keys.Where(name => labName is null || name == labName).Order(StringComparer.Ordinal).Select(name => new LabState(name, []))]);

        public async IAsyncEnumerable<LabEvent> EventsAsync(string labName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        /// <summary>Started, then the frames a test writes, as the agent streams them.</summary>
        public System.Threading.Channels.Channel<CapturedFrame> CaptureFrames { get; } = System.Threading.Channels.Channel.CreateUnbounded<CapturedFrame>();

        public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return new CaptureStreamItem(Started: request);
            await foreach (var frame in CaptureFrames.Reader.ReadAllAsync(cancellationToken))
            {
                yield return new CaptureStreamItem(Frame: frame);
            }
        }
        // A probe meets what the real engine answers for a lab it does not hold.
        public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default) =>
            throw new LabNotFoundException(labName);

        /// <summary>
        /// When set, a grade is Core's grade of what this kernel-less engine can show: no ping probed, and this state;
        /// else a grade meets what the real engine answers for a lab it does not hold.
        /// </summary>
        public NetLab.Core.Planning.ObservedState? GradeState { get; set; }

        public Task<NetLab.Core.Grading.GradeReport> GradeAsync(Lab lab, IReadOnlyList<NetLab.Core.Grading.LabCheck> checks, ProbeRequest request, CancellationToken cancellationToken = default) =>
            GradeState is { } state
                ? Task.FromResult(NetLab.Core.Grading.Grader.Grade(lab, checks, null, state))
                : throw new LabNotFoundException(lab.Name);
    }
}
