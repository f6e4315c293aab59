using System.Globalization;
using System.Text;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// The benchmark's lab: one switch, one host whose eth0 is plugged into it, and N namespaces each holding a
/// bridge-mode macvlan made on h1/eth0, with an IPv4 address and lo up (the seed's macvlan experiment, N times).
/// </summary>
internal static class ScaleLab
{
    public static string Yaml(string name, int count)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        yaml.AppendLine("switches:");
        yaml.AppendLine("  sw1: { ports: { p1: { hairpin: false } } }");
        yaml.AppendLine("hosts:");
        yaml.AppendLine("  h1: { nics: { eth0: { switch: sw1, port: p1 } } }");
        yaml.AppendLine("namespaces:");
        for (var i = 1; i <= count; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  ns{i}:");
            yaml.AppendLine("    loopback: up");
            yaml.AppendLine("    interfaces:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      mv{i}: {{ kind: macvlan, parent: h1/eth0, mode: bridge, addresses: [10.{i / 250}.{i % 250}.1/8] }}");
        }

        return yaml.ToString();
    }
}
