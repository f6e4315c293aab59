using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests;

/// <summary>Lab documents the tests send.</summary>
public static class Labs
{
    public const string ValidYaml = """
        name: demo
        switches:
          sw1:
            ports:
              p1: { hairpin: false }
        hosts:
          h1:
            loopback: up
            nics:
              eth0: { switch: sw1, port: p1 }
        """;

    /// <summary>A macvlan without a parent: a validation problem on line 6.</summary>
    public const string InvalidYaml = """
        name: broken
        namespaces:
          ns2:
            loopback: down
            interfaces:
              mv0: { kind: macvlan, mode: bridge }
        """;

    public static LabDocument Valid => new(ValidYaml);

    public static LabDocument Invalid => new(InvalidYaml);
}
