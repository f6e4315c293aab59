using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Netlink.Namespaces;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Namespaces under a lab's kernel names that NetLab did not make (`ip netns add nl-foo.bar` by hand or by another
/// tool) are never deleted, used or shown: destroy leaves them and says so, apply refuses to take one over, state and
/// events list only NetLab's. Before the agent recorded what it made, a destroy deleted them.
/// </summary>
public sealed class ForeignNamespaceKernelTests
{
    [Fact]
    public async Task Destroy_leaves_a_namespace_NetLab_did_not_make_and_says_so()
    {
        using var lab = new EngineLab();
        using var foreign = lab.AddForeign("foo", "bar");

        var result = await lab.Engine.DestroyAsync("foo");

        Assert.True(NetworkNamespace.Exists(foreign.Name), $"{foreign.Name} was made with `ip netns add`, not by NetLab, and must survive a destroy");
        Assert.True(result.Succeeded);
        Assert.Equal(0, result.Total);
        var warning = Assert.Single(result.Warnings ?? []);
        Assert.Contains($"namespace {foreign.Name} exists and was not made by NetLab; remove it with `ip netns del {foreign.Name}`", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lab_NetLab_made_is_destroyed_as_before_and_a_foreign_namespace_beside_it_is_neither_shown_nor_deleted()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-bridge.yaml");
        AssertSucceeded(await lab.Engine.ApplyAsync(definition));
        using var foreign = lab.AddForeign("macvlan-bridge", "extra");

        var state = Assert.Single(await lab.Engine.StateAsync("macvlan-bridge"));
        var elements = await SnapshotElements(lab, "macvlan-bridge", TimeSpan.FromSeconds(1.5));
        var plan = await lab.Engine.PlanAsync(definition);
        var destroyed = await lab.Engine.DestroyAsync("macvlan-bridge");

        Assert.Equal(["h1", "ns2", "ns3", "sw1"], state.Namespaces.Select(n => n.Element).Order());
        Assert.Equal(["h1", "ns2", "ns3", "sw1"], elements.Order());
        Assert.Empty(plan.Operations);
        AssertSucceeded(destroyed);
        Assert.Equal(4, destroyed.Total);
        Assert.Contains(foreign.Name, Assert.Single(destroyed.Warnings ?? []), StringComparison.Ordinal);
        Assert.Equal([foreign.Name], lab.Namespaces());
    }

    [Fact]
    public async Task Apply_refuses_to_use_a_namespace_it_needs_that_NetLab_did_not_make_and_changes_nothing()
    {
        using var lab = new EngineLab();
        using var foreign = lab.AddForeign("macvlan-bridge", "ns2");

        var refused = await Assert.ThrowsAsync<AgentRefusalException>(() => lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));

        Assert.Contains($"namespace {foreign.Name} exists and was not made by NetLab; remove it with `ip netns del {foreign.Name}` or rename the lab", refused.Message, StringComparison.Ordinal);
        Assert.Equal([foreign.Name], lab.Namespaces());
        Assert.Empty(await lab.Engine.StateAsync());
        await Assert.ThrowsAsync<AgentRefusalException>(() => lab.Engine.PlanAsync(LoadLab("macvlan-bridge.yaml")));
    }

    [Fact]
    public async Task A_namespace_of_a_lab_deleted_and_made_again_by_hand_is_no_longer_NetLabs_even_with_the_same_inode_number()
    {
        using var lab = new EngineLab();
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        var name = lab.Kernel("macvlan-bridge", "ns3");

        // An agent restart drops the handles that kept the old namespace alive; then someone replaces ns3 by hand.
        var engine = lab.Restart();
        Assert.Equal(0, Run("ip", "netns", "del", name));
        using var foreign = lab.AddForeign("macvlan-bridge", "ns3");

        var state = Assert.Single(await engine.StateAsync("macvlan-bridge"));
        var destroyed = await engine.DestroyAsync("macvlan-bridge");

        Assert.DoesNotContain(state.Namespaces, n => n.Element == "ns3");
        AssertSucceeded(destroyed);
        Assert.Contains(name, Assert.Single(destroyed.Warnings ?? []), StringComparison.Ordinal);
        Assert.Equal([name], lab.Namespaces());
    }

    [Fact]
    public async Task A_restarted_agent_still_knows_its_namespaces_and_applies_and_destroys_them()
    {
        using var lab = new EngineLab();
        var definition = LoadLab("macvlan-vepa.yaml");
        AssertSucceeded(await lab.Engine.ApplyAsync(definition));

        var engine = lab.Restart();

        Assert.Empty((await engine.PlanAsync(definition)).Operations);
        AssertSucceeded(await engine.ApplyAsync(definition));
        var destroyed = await engine.DestroyAsync("macvlan-vepa");
        AssertSucceeded(destroyed);
        Assert.Null(destroyed.Warnings);
        Assert.Empty(lab.Namespaces());
    }

    /// <summary>The elements the event stream sends a snapshot of within <paramref name="wait"/>.</summary>
    private static async Task<List<string>> SnapshotElements(EngineLab lab, string labName, TimeSpan wait)
    {
        var elements = new List<string>();
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await foreach (var item in lab.Engine.EventsAsync(labName, timeout.Token))
            {
                if (item.Kind == LabEventKind.Snapshot)
                {
                    elements.Add(item.Element);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return elements;
    }
}
