using NetLab.Agent.Client.Contracts;
using NetLab.Core.Experiments;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// IPv6 checked at once after an apply, as "Run experiment" does (apply, then the agent's connectivity check with the
/// web's default timeout of one second). A freshly added IPv6 address is tentative until duplicate address detection
/// ends (1-2 s): the kernel neither sends from it nor answers for it, so before the fix every IPv6 pair failed here
/// although the kernel answered a second later.
/// </summary>
public sealed class Ipv6RightAfterApplyKernelTests
{
    private const string Lab = """
        name: v6-now
        switches:
          sw1:
            ports:
              p1: {}
              p2: {}
        hosts:
          h1:
            loopback: up
            nics:
              eth0: { switch: sw1, port: p1, addresses: ["fd00:1::1/64"] }
          h2:
            loopback: up
            nics:
              eth0: { switch: sw1, port: p2, addresses: ["fd00:1::2/64"] }
        namespaces:
          ns1:
            loopback: up
            interfaces:
              v1: { kind: veth, peer: ns2/v2, addresses: ["fd00::1/64"] }
          ns2:
            loopback: up
            interfaces:
              v2: { kind: veth, peer: ns1/v1, addresses: ["fd00::2/64"] }
        """;

    [Fact]
    public async Task Every_ipv6_pair_predicted_reachable_replies_to_a_check_made_right_after_the_apply()
    {
        using var lab = new EngineLab();
        var definition = ParseLab(Lab);
        var predictions = ConnectivityPredictor.Predict(definition);
        var reachable = predictions.Where(p => p.Reachable).ToList();

        AssertSucceeded(await lab.Engine.ApplyAsync(definition));
        var report = await lab.Engine.ProbeAsync(definition.Name, new ProbeRequest(TimeoutMilliseconds: 1000), TestContext.Current.CancellationToken);

        var observed = report.Results.ToDictionary(r => (r.From, r.Address));
        var failed = reachable
            .Where(p => !observed.TryGetValue((p.From, p.Address), out var result) || !result.Replied)
            .Select(p => $"{p.From} -> {p.Address}: {(observed.TryGetValue((p.From, p.Address), out var r) ? $"no reply, neighbour {r.Neighbor} {r.Error}" : "not checked")}")
            .ToList();
        Assert.True(reachable.Count >= 8, $"the lab should predict IPv6 pairs reachable in both halves, found {reachable.Count}");
        Assert.True(failed.Count == 0, $"{failed.Count} of {reachable.Count} IPv6 pairs predicted reachable failed right after the apply:{Environment.NewLine}{string.Join(Environment.NewLine, failed)}");
        AssertSucceeded(await lab.Engine.DestroyAsync(definition.Name));
        Assert.Empty(lab.Namespaces());
    }
}
