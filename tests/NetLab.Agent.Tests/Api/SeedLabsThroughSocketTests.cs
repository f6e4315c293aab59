using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Agent.Tests.Engine;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// The real engine behind the real socket: the seed's labs sent as YAML through <see cref="AgentClient"/> give the
/// seed's ping outcomes, are destroyed without leftovers, and a restarted agent finds an applied lab again.
/// </summary>
public sealed class SeedLabsThroughSocketTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("macvlan-bridge.yaml", "macvlan-bridge", "ns2", "100.0.0.3", true)]
    [InlineData("macvlan-bridge.yaml", "macvlan-bridge", "ns2", "100.0.0.2", false)]
    [InlineData("macvlan-vepa.yaml", "macvlan-vepa", "ns2", "100.0.0.3", false)]
    [InlineData("macvlan-vepa-hairpin.yaml", "macvlan-vepa-hairpin", "ns2", "100.0.0.3", true)]
    [InlineData("macvlan-private.yaml", "macvlan-private", "ns2", "100.0.0.3", false)]
    [InlineData("macvlan-passthru.yaml", "macvlan-passthru", "ns2", "100.0.0.9", true)]
    [InlineData("macvtap.yaml", "macvtap", "vm1", "100.0.0.12", true)]
    public async Task A_seed_lab_applied_through_the_socket_gives_the_seeds_outcome(string file, string name, string from, string target, bool reachable)
    {
        using var lab = new EngineLab();
        await using var agent = await RealAgent.StartAsync(lab);

        var items = await Collect(agent.Client.ApplyAsync(Document(file), Cancel));

        var result = Assert.Single(items, i => i.Result is not null).Result!;
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(result.Total, items.Count(i => i.Progress?.Status == OperationStatus.Done));
        Assert.Same(items[^1].Result, result);
        Assert.Equal(reachable, lab.Ping(name, from, target));

        var destroyed = (await Collect(agent.Client.DestroyAsync(name, Cancel)))[^1].Result!;
        Assert.True(destroyed.Succeeded, destroyed.Failure?.Message);
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_restarted_agent_reports_and_destroys_a_lab_applied_before()
    {
        using var lab = new EngineLab();
        await using (var first = await RealAgent.StartAsync(lab))
        {
            Assert.True((await Collect(first.Client.ApplyAsync(Document("macvlan-vepa-hairpin.yaml"), Cancel)))[^1].Result!.Succeeded);
        }

        await using var second = await RealAgent.StartAsync(lab);
        var state = await second.Client.GetLabAsync("macvlan-vepa-hairpin", Cancel);
        Assert.Contains(state.Namespaces, n => n.Element == "ns2" && n.Interfaces.Any(i => i.Name == "macvlan2" && i.Parent == "h1/eth0"));
        Assert.Empty((await second.Client.PlanAsync(Document("macvlan-vepa-hairpin.yaml"), Cancel)).Operations);

        Assert.True((await Collect(second.Client.DestroyAsync("macvlan-vepa-hairpin", Cancel)))[^1].Result!.Succeeded);
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task Events_through_the_socket_start_with_snapshots_and_show_changes_made_with_ip_with_interface_names()
    {
        using var lab = new EngineLab();
        await using var agent = await RealAgent.StartAsync(lab);
        Assert.True((await Collect(agent.Client.ApplyAsync(Document("macvlan-bridge.yaml"), Cancel)))[^1].Result!.Succeeded);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));

        var snapshots = new HashSet<string>();
        var changeMade = false;
        var addressAdded = false;
        int? macvlan2Index = null;
        await foreach (var item in agent.Client.EventsAsync("macvlan-bridge", timeout.Token))
        {
            if (item.Kind == LabEventKind.Snapshot)
            {
                snapshots.Add(item.Element);
                macvlan2Index ??= item.Snapshot?.Interfaces.FirstOrDefault(i => item.Element == "ns2" && i.Name == "macvlan2")?.Index;
            }

            if (!changeMade && snapshots.SetEquals(["sw1", "h1", "ns2", "ns3"]))
            {
                changeMade = true;
                Assert.Equal(0, EngineLab.Run("ip", "-n", lab.Kernel("macvlan-bridge", "ns2"), "link", "set", "macvlan2", "down"));
            }

            if (!addressAdded && item is { Kind: LabEventKind.InterfaceChanged, Element: "ns2", Interface: { Name: "macvlan2", Up: false } })
            {
                Assert.True(changeMade, "the change must follow the snapshots");
                addressAdded = true;
                Assert.Equal(0, EngineLab.Run("ip", "-n", lab.Kernel("macvlan-bridge", "ns2"), "addr", "add", "100.0.0.22/24", "dev", "macvlan2"));
            }

            if (item is { Kind: LabEventKind.AddressAdded, Element: "ns2", Address: "100.0.0.22/24" })
            {
                Assert.Equal("macvlan2", item.InterfaceName);
                // The index is a field, not text to parse back: it is what an RTM_NEWADDR itself names.
                Assert.NotNull(macvlan2Index);
                Assert.Equal(macvlan2Index, item.InterfaceIndex);
                Assert.Null(item.Message);
                return;
            }
        }

        Assert.Fail($"no events showed macvlan2 down and its new address; snapshots seen: {string.Join(", ", snapshots)}");
    }

    [Fact]
    public async Task A_probe_through_the_socket_reports_the_bridge_labs_matrix_and_404_for_a_lab_not_applied()
    {
        using var lab = new EngineLab();
        await using var agent = await RealAgent.StartAsync(lab);
        Assert.True((await Collect(agent.Client.ApplyAsync(Document("macvlan-bridge.yaml"), Cancel)))[^1].Result!.Succeeded);

        var report = await agent.Client.ProbeAsync("macvlan-bridge", new ProbeRequest(1000), Cancel);
        var missing = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.ProbeAsync("macvlan-vepa", new ProbeRequest(), Cancel));

        Assert.Equal(6, report.Results.Count);
        var across = Assert.Single(report.Results, r => r.From == "ns2" && r.Address == "100.0.0.3");
        Assert.True(across.Replied);
        Assert.Equal(NeighborOutcome.Answered, across.Neighbor);
        Assert.False(Assert.Single(report.Results, r => r.From == "ns2" && r.Address == "100.0.0.2").Replied);
        Assert.Equal(AgentErrorCodes.NotFound, missing.Error.Code);
    }

    private static LabDocument Document(string file) => new(RepositoryFiles.Lab(file));

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> stream)
    {
        var items = new List<T>();
        await foreach (var item in stream)
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>An agent with the real engine on a fresh socket, using the test lab's namespace prefix.</summary>
    internal sealed class RealAgent : IAsyncDisposable
    {
        private readonly string _directory;
        private readonly AgentHost _host;
        private readonly LabEngine _engine;

        private RealAgent(string directory, AgentHost host, LabEngine engine)
        {
            _directory = directory;
            _host = host;
            _engine = engine;
            Client = new AgentClient(host.Options.SocketPath);
        }

        public AgentClient Client { get; }

        public string SocketPath => _host.Options.SocketPath;

        public static async Task<RealAgent> StartAsync(EngineLab lab)
        {
            var directory = TestAgent.NewDirectory();
            var options = lab.Options with { SocketPath = Path.Combine(directory, "agent.sock") };
            var engine = new LabEngine(options);
            var host = AgentHost.Create(options, engine);
            await host.StartAsync(Cancel);
            return new RealAgent(directory, host, engine);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _host.DisposeAsync();
            _engine.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
