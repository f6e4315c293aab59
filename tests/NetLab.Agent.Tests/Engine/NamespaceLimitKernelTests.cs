using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// The agent's limit on the namespaces it holds for all labs together (<see cref="AgentOptions.MaxNamespaces"/>), on the
/// real kernel with a small limit: an apply that would pass it is refused before anything changes, naming the limit;
/// an apply that creates nothing, or fits, goes on.
/// </summary>
public sealed class NamespaceLimitKernelTests
{
    [Fact]
    public void The_documented_limits_are_the_defaults()
    {
        var options = new AgentOptions();

        Assert.Equal(
            (4096, 16, 4, 64, 64L * 1024 * 1024),
            (options.MaxNamespaces, options.MaxCaptures, options.MaxCapturesPerLab, options.MaxEventStreams, options.CaptureQueueBytes));
    }

    [Fact]
    public async Task An_apply_over_the_agents_namespace_limit_is_refused_before_any_kernel_change()
    {
        using var lab = new EngineLab(options => options with { MaxNamespaces = 5 });
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        Assert.Equal(4, lab.Namespaces().Count);

        var refused = await Assert.ThrowsAsync<AgentBusyException>(() => lab.Engine.ApplyAsync(ParseLab("""
            name: two
            namespaces:
              a: {}
              b: {}
            """)));

        Assert.Equal("Cannot apply lab two: it would create 2 namespaces, and the agent holds 4 of at most 5 for all labs together. Nothing was changed. Destroy labs that are no longer needed (`netlab state` lists them) and apply again.", refused.Message);
        Assert.Equal(4, lab.Namespaces().Count);
        Assert.DoesNotContain(Directory.GetFiles(lab.Options.NamespaceRecordDirectory), f => Path.GetFileName(f).Contains("two.", StringComparison.Ordinal));

        // Re-applying a lab the agent holds creates nothing, and a lab that fits is applied.
        AssertSucceeded(await lab.Engine.ApplyAsync(LoadLab("macvlan-bridge.yaml")));
        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab("""
            name: one
            namespaces:
              a: {}
            """)));
        Assert.Equal(5, lab.Namespaces().Count);
    }
}
