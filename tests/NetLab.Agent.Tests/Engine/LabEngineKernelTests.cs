using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Planning;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>The engine on the real kernel: the seed's labs applied from their YAML files give the seed's outcomes.</summary>
public sealed class LabEngineKernelTests
{
    [Fact]
    public async Task Macvlan_bridge_lab_connects_children_and_shows_the_lo_lesson_then_destroys_cleanly()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-bridge.yaml");
        var progress = new List<OperationProgress>();

        var result = await lab.Engine.ApplyAsync(definition, new SynchronousProgress(progress.Add));

        AssertSucceeded(result);
        Assert.Equal(result.Total, progress.Count(p => p.Status == OperationStatus.Done));
        Assert.Equal(Enumerable.Range(0, result.Total), progress.Select(p => p.Index));
        Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.3"), "bridge mode: ns2 should reach macvlan3");
        Assert.False(lab.Ping("macvlan-bridge", "ns2", "100.0.0.2"), "own address with lo down should fail");

        var destroyed = await lab.Engine.DestroyAsync("macvlan-bridge");
        AssertSucceeded(destroyed);
        Assert.Empty(lab.Namespaces());
    }

    [Theory]
    [InlineData("macvlan-vepa.yaml", "macvlan-vepa", "ns2", "100.0.0.3", false)]
    [InlineData("macvlan-vepa-hairpin.yaml", "macvlan-vepa-hairpin", "ns2", "100.0.0.3", true)]
    [InlineData("macvlan-private.yaml", "macvlan-private", "ns2", "100.0.0.3", false)]
    [InlineData("macvlan-passthru.yaml", "macvlan-passthru", "ns2", "100.0.0.9", true)]
    [InlineData("macvtap.yaml", "macvtap", "vm1", "100.0.0.12", true)]
    [InlineData("macvtap.yaml", "macvtap", "vm1", "100.0.0.11", true)]
    [InlineData("bridge-vxlan.yaml", "bridge-vxlan", "ns-a", "192.168.42.2", true)]
    public async Task Seed_labs_give_the_seeds_outcomes(string file, string name, string from, string target, bool reachable)
    {
        using var lab = new EngineLab();

        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab(file)));

        // An apply returns once the kernel can send on every link it brought up, so the ping's first ARP is not dropped.
        Assert.Empty(lab.UnsettledLinks());
        Assert.Equal(reachable, lab.Ping(name, from, target));
        AssertSucceeded(await lab.Engine.DestroyAsync(name));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task Vlan_888_lab_pings_across_or_skips_where_the_kernel_lacks_8021q()
    {
        using var lab = new EngineLab();

        var result = await lab.Engine.ApplyAsync(LoadLab("vlan-888.yaml"));
        if (!result.Succeeded && result.Failure?.Errno == "EOPNOTSUPP")
        {
            Assert.True(result.RolledBack);
            Assert.Empty(lab.Namespaces());
            Assert.Skip($"This kernel lacks 802.1Q vlan ({result.Failure.Message}); the second-kernel run covers it.");
        }

        AssertSucceeded(result);
        Assert.True(lab.Ping("vlan-888", "ns1", "88.8.8.88"), "vlan 888 on both ends should be reachable");
        AssertSucceeded(await lab.Engine.DestroyAsync("vlan-888"));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task Applying_a_lab_twice_plans_nothing_the_second_time()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-vepa-hairpin.yaml");
        AssertSucceeded(await lab.Engine.ApplyAsync(definition));

        var again = await lab.Engine.PlanAsync(definition);
        var second = await lab.Engine.ApplyAsync(definition);

        Assert.Empty(again.Operations);
        AssertSucceeded(second);
        Assert.Equal(0, second.Total);
    }

    [Fact]
    public async Task A_mode_change_recreates_only_that_link_and_an_address_change_is_address_operations_only()
    {
        using var lab = new EngineLab();
        var bridge = LoadLab("macvlan-bridge.yaml");
        AssertSucceeded(await lab.Engine.ApplyAsync(bridge));
        var vepaYaml = RepositoryFiles.Lab("macvlan-bridge.yaml")
            .Replace("macvlan3: { kind: macvlan, parent: h1/eth0, mode: bridge", "macvlan3: { kind: macvlan, parent: h1/eth0, mode: vepa", StringComparison.Ordinal);

        var modePlan = await lab.Engine.PlanAsync(ParseLab(vepaYaml));
        Assert.All(modePlan.Operations, o => Assert.Contains("macvlan3", o.Source, StringComparison.Ordinal));
        Assert.Contains(modePlan.Operations, o => o.Kind == nameof(DeleteLink));
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab(vepaYaml)));
        Assert.Empty((await lab.Engine.PlanAsync(ParseLab(vepaYaml))).Operations);

        var readdressed = ParseLab(vepaYaml.Replace("100.0.0.3/24", "100.0.0.30/24", StringComparison.Ordinal));
        var addressPlan = await lab.Engine.PlanAsync(readdressed);
        Assert.Equal([nameof(AddAddress), nameof(DeleteAddress)], addressPlan.Operations.Select(o => o.Kind).Order());
        AssertSucceeded(await lab.Engine.ApplyAsync(readdressed));
        Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.30") == false, "vepa without hairpin: still isolated");
    }

    [Fact]
    public async Task A_failing_operation_rolls_back_everything_the_apply_made_and_names_the_cause()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-bridge.yaml");

        // The kernel refuses the last address (injected: the validator leaves no real kernel error to provoke).
        lab.Engine.InjectFailure = operation => operation is AddAddress { Name: "macvlan3" }
            ? new NetLab.Netlink.NetlinkException(NetLab.Netlink.Interop.Errno.EADDRNOTAVAIL, "add address 100.0.0.3/24 (injected)", "injected by the test")
            : null;
        var progress = new List<OperationProgress>();

        var result = await lab.Engine.ApplyAsync(definition, new SynchronousProgress(progress.Add));

        Assert.False(result.Succeeded);
        Assert.True(result.RolledBack);
        Assert.NotNull(result.Failure);
        Assert.Equal("namespaces.ns3.interfaces.macvlan3", result.Failure.Operation.Source);
        Assert.Equal("EADDRNOTAVAIL", result.Failure.Errno);
        Assert.Equal("injected by the test", result.Failure.KernelMessage);
        Assert.Contains("addr add 100.0.0.3/24 dev macvlan3", result.Failure.Operation.Command, StringComparison.Ordinal);
        Assert.True(result.Applied > 5, $"the failure should come after earlier operations ran, not at {result.Applied}");
        Assert.Contains(progress, p => p.Status == OperationStatus.RolledBack);
        Assert.Empty(lab.Namespaces());
        Assert.Empty(await lab.Engine.StateAsync("macvlan-bridge"));
    }

    [Fact]
    public async Task Destroy_deletes_namespaces_together_reports_them_in_plan_order_and_names_the_one_that_failed()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvtap.yaml")));
        var before = lab.Namespaces();
        var refused = before[before.Count / 2];
        lab.Engine.InjectFailure = operation => operation is DeleteNamespace delete && delete.Name == refused
            ? new NetLab.Netlink.NetlinkException(NetLab.Netlink.Interop.Errno.EBUSY, $"unmount {refused} (injected)", "injected by the test")
            : null;
        var progress = new List<OperationProgress>();

        var failed = await lab.Engine.DestroyAsync("macvtap", new SynchronousProgress(progress.Add));

        Assert.True(before.Count > 2, "the lab should have enough namespaces for deletions to run together");
        Assert.False(failed.Succeeded);
        Assert.Equal(before.Count - 1, failed.Applied);
        Assert.Equal("EBUSY", failed.Failure?.Errno);
        Assert.Contains(refused, failed.Failure?.Operation.Command, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, failed.Total), progress.Select(p => p.Index));
        Assert.Equal(OperationStatus.Failed, Assert.Single(progress, p => p.Status != OperationStatus.Done).Status);
        Assert.Equal([refused], lab.Namespaces());

        lab.Engine.InjectFailure = null;
        AssertSucceeded(await lab.Engine.DestroyAsync("macvtap"));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_kernel_refusal_midway_rolls_back_too()
    {
        using var lab = new EngineLab();
        var hostNamespace = lab.Kernel("macvlan-bridge", "h1");

        // Someone deletes the host NIC behind NetLab's back right after the first macvlan is made on it: the kernel
        // deletes that macvlan with its parent, so the next step on it fails (ENODEV), and the apply rolls back.
        var progress = new SynchronousProgress(p =>
        {
            if (p.Status == OperationStatus.Done && p.Operation.Kind == nameof(CreateLink) && p.Operation.Source.EndsWith("macvlan2", StringComparison.Ordinal))
            {
                Assert.Equal(0, EngineLab.Run("ip", "-n", hostNamespace, "link", "del", "eth0"));
            }
        });

        var result = await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml"), progress);

        Assert.False(result.Succeeded);
        Assert.True(result.RolledBack);
        Assert.Equal("namespaces.ns2.interfaces.macvlan2", result.Failure!.Operation.Source);
        Assert.Equal("ENODEV", result.Failure.Errno);
        Assert.Contains("macvlan2", result.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task A_restarted_agent_finds_its_labs_and_converges_after_a_crash_mid_apply()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-bridge.yaml");

        // A crash mid-apply: the first half of the plan carried out, no rollback (kill -9 leaves no chance).
        var full = Planner.Plan(ObservedState.Empty, definition, new NamingScheme(lab.Prefix));
        var lastNamespace = full.Operations.Select((o, i) => (o, i)).Last(x => x.o is CreateNamespace);
        var half = full with { Operations = [.. full.Operations.Take(lastNamespace.i)] };
        using (var namespaces = new KernelNamespaces(lab.Prefix, lab.Options.NamespaceRecordDirectory))
        {
            AssertSucceeded(new PlanExecutor(namespaces, LabEngine.AliasFor("macvlan-bridge")).Run(half, ObservedState.Empty, null, CancellationToken.None));
        }

        // And a namespace name left half-made: the agent recorded that it was making it, the file exists, no namespace
        // is mounted on it (killed between `ip netns add`'s two steps).
        new NamespaceRecords(lab.Options.NamespaceRecordDirectory).WritePending(((CreateNamespace)lastNamespace.o).Name);
        File.WriteAllBytes($"/run/netns/{((CreateNamespace)lastNamespace.o).Name}", []);

        var engine = lab.Restart();
        var state = Assert.Single(await engine.StateAsync());
        Assert.Equal("macvlan-bridge", state.Lab);
        AssertSucceeded(await engine.ApplyAsync(definition));
        Assert.Empty((await engine.PlanAsync(definition)).Operations);
        Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.3"));

        AssertSucceeded(await lab.Restart().DestroyAsync("macvlan-bridge"));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public void A_half_made_name_that_another_read_removed_first_is_skipped_not_an_error()
    {
        using var lab = new EngineLab();
        using var namespaces = new KernelNamespaces(lab.Prefix, lab.Options.NamespaceRecordDirectory);
        var name = lab.Kernel("macvlan-bridge", "ns2");
        // Reads share a lab: two of them saw the same half-made name (record, no namespace), and the other one removed
        // it between this one's listing and its look inside. Found by the fault tests: the web's reads and a plan
        // after an agent's restart met like this, and the plan failed with ENOENT.
        new NamespaceRecords(lab.Options.NamespaceRecordDirectory).WritePending(name);

        var observed = new KernelObserver(namespaces).Observe([name]);

        Assert.Empty(observed);
        Assert.False(File.Exists(Path.Combine(lab.Options.NamespaceRecordDirectory, name)));
    }

    [Fact]
    public async Task Two_labs_applied_at_once_do_not_interfere()
    {
        using var lab = new EngineLab();

        var results = await Task.WhenAll(
            lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")),
            lab.Engine.ApplyAsync(LoadLab("macvlan-vepa.yaml")));

        Assert.All(results, AssertSucceeded);
        Assert.True(lab.Ping("macvlan-bridge", "ns2", "100.0.0.3"));
        Assert.False(lab.Ping("macvlan-vepa", "ns2", "100.0.0.3"));
        var states = await lab.Engine.StateAsync();
        Assert.Equal(["macvlan-bridge", "macvlan-vepa"], states.Select(s => s.Lab));
        await Task.WhenAll(lab.Engine.DestroyAsync("macvlan-bridge"), lab.Engine.DestroyAsync("macvlan-vepa"));
        Assert.Empty(lab.Namespaces());
    }

    [Fact]
    public async Task State_reports_interfaces_with_kind_mode_parent_addresses_and_tags()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));

        var state = Assert.Single(await lab.Engine.StateAsync("macvlan-bridge"));

        var ns2 = state.Namespaces.Single(n => n.Element == "ns2");
        var macvlan = ns2.Interfaces.Single(i => i.Name == "macvlan2");
        Assert.Equal(lab.Kernel("macvlan-bridge", "ns2"), ns2.KernelName);
        Assert.Equal("macvlan", macvlan.Kind);
        Assert.Equal("bridge", macvlan.Mode);
        Assert.Equal("h1/eth0", macvlan.Parent);
        Assert.Contains("100.0.0.2/24", macvlan.Addresses);
        Assert.True(macvlan.Up);
        // Kernels before 6.x report a macvlan's operstate as "unknown" (the seed's own `ip a` shows it).
        Assert.Contains(macvlan.OperState, new[] { "up", "unknown" });
        Assert.True(macvlan.Carrier);
        Assert.Equal("sw1/p1", state.Namespaces.Single(n => n.Element == "h1").Interfaces.Single(i => i.Name == "eth0").Parent);
        Assert.True(state.Namespaces.Single(n => n.Element == "sw1").Interfaces.Single(i => i.Name == "p1").Master == "br0");
        Assert.Equal(0, EngineLab.Run("sh", "-c", $"ip -n {lab.Kernel("macvlan-bridge", "ns2")} -d link show macvlan2 | grep -q 'alias netlab:macvlan-bridge'"));
    }

    [Fact]
    public async Task Events_name_parents_and_peers_in_other_namespaces_as_the_state_does()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // What a run records is only these events: its replay knows a parent only if an event names it.
        var snapshots = new Dictionary<string, NamespaceState>();
        InterfaceState? changed = null;
        await foreach (var item in lab.Engine.EventsAsync("macvlan-bridge", timeout.Token))
        {
            if (item is { Kind: LabEventKind.Snapshot, Snapshot: { } snapshot })
            {
                snapshots[item.Element] = snapshot;
                if (snapshots.Count == 4)
                {
                    Assert.Equal(0, Run("ip", "-n", lab.Kernel("macvlan-bridge", "ns2"), "link", "set", "macvlan2", "down"));
                }
            }
            else if (item is { Kind: LabEventKind.InterfaceChanged, Element: "ns2", Interface: { Name: "macvlan2", Up: false } link })
            {
                changed = link;
                break;
            }
        }

        Assert.Equal("h1/eth0", snapshots["ns2"].Interfaces.Single(i => i.Name == "macvlan2").Parent);
        Assert.Equal("h1/eth0", snapshots["ns3"].Interfaces.Single(i => i.Name == "macvlan3").Parent);
        Assert.Equal("sw1/p1", snapshots["h1"].Interfaces.Single(i => i.Name == "eth0").Parent);
        Assert.Equal("h1/eth0", snapshots["sw1"].Interfaces.Single(i => i.Name == "p1").Parent);
        Assert.Equal("br0", snapshots["sw1"].Interfaces.Single(i => i.Name == "p1").Master);
        Assert.NotNull(changed);
        Assert.Equal("h1/eth0", changed.Parent);
        await lab.Engine.DestroyAsync("macvlan-bridge");
    }

    [Fact]
    public async Task Operations_outside_the_agents_namespaces_are_refused_and_change_nothing()
    {
        using var lab = new EngineLab();
        var plan = new Plan([new CreateNamespace("victim") { Source = "namespaces.victim" }], "x", new NamingScheme(lab.Prefix));

        using var namespaces = new KernelNamespaces(lab.Prefix, lab.Options.NamespaceRecordDirectory);
        var result = new PlanExecutor(namespaces, "netlab:x").Run(plan, ObservedState.Empty, null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("only namespaces it created", result.Failure!.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("/run/netns/victim"));
    }

    [Fact]
    public async Task Plan_warns_before_applying_when_the_kernel_lacks_a_kind_the_lab_uses()
    {
        using var lab = new EngineLab();

        var plan = await lab.Engine.PlanAsync(LoadLab("vlan-888.yaml"));

        var vlanSupported = lab.KernelCanCreateVlan();
        if (vlanSupported)
        {
            Assert.Empty(plan.Unsupported);
        }
        else
        {
            Assert.Contains(plan.Unsupported, w => w.Kind == "vlan" && w.Source.EndsWith("eth0.888", StringComparison.Ordinal));
            Assert.Contains("cannot create vlan", plan.Unsupported[0].Message, StringComparison.Ordinal);
        }
    }

    private sealed class SynchronousProgress(Action<OperationProgress> report) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) => report(value);
    }
}
