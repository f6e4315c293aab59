namespace NetLab;

/// <summary>
/// Small labs that each put a connectivity rule in front of the predictor (Core's unit tests) and of the kernel
/// (the agent's prediction kernel tests): one text, so both judge the same lab.
/// </summary>
internal static class RuleLabs
{
    /// <summary>A passthru child on h1's eth0, which has an address of its own behind a hairpin port; h2 on the same switch.</summary>
    public const string PassthruParent = """
        name: passthru-parent
        switches:
          sw1:
            ports:
              p1: { hairpin: true }
              p2: {}
        hosts:
          h1:
            nics:
              eth0: { switch: sw1, port: p1, addresses: [100.0.0.1/24] }
          h2:
            loopback: up
            nics:
              eth0: { switch: sw1, port: p2, addresses: [100.0.0.9/24] }
        namespaces:
          ns2:
            interfaces:
              macvlan2: { kind: macvlan, parent: h1/eth0, mode: passthru, addresses: [100.0.0.2/24] }
        """;

    /// <summary>A veth pair whose end in b is down: a's end has no carrier.</summary>
    public const string Carrier = """
        name: carrier
        namespaces:
          a:
            interfaces:
              va: { kind: veth, peer: b/vb, addresses: [10.0.0.1/24] }
          b:
            interfaces:
              vb: { kind: veth, peer: a/va, up: false, master: br0 }
              br0: { kind: bridge, addresses: [10.0.0.2/24] }
        """;
}
