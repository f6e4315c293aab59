using System.Globalization;
using System.Text;

namespace NetLab.Web.BrowserBenchmarks;

/// <summary>What the browser benchmark and the class-start benchmark share: the scale lab and a percentile.</summary>
internal static class BenchLab
{
    /// <summary>
    /// A switch, a host whose eth0 is plugged into it, and <paramref name="count"/> namespaces each with a bridge-mode
    /// macvlan on h1/eth0 and an address; with <paramref name="loopbackUp"/> each namespace's lo is up too (so a
    /// namespace reaches its own address, as the class's generated checks expect).
    /// </summary>
    public static string ScaleLabYaml(string name, int count, bool loopbackUp = false)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine(CultureInfo.InvariantCulture, $"name: {name}");
        yaml.AppendLine("switches:\n  sw1: { ports: { p1: { hairpin: false } } }");
        yaml.AppendLine("hosts:\n  h1: { nics: { eth0: { switch: sw1, port: p1 } } }");
        yaml.AppendLine("namespaces:");
        var loopback = loopbackUp ? "loopback: up, " : "";
        for (var i = 1; i <= count; i++)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture,
                $"  ns{i}: {{ {loopback}interfaces: {{ mv{i}: {{ kind: macvlan, parent: h1/eth0, mode: bridge, addresses: [10.{i / 250}.{i % 250}.1/8] }} }} }}");
        }

        return yaml.ToString();
    }

    /// <summary>The nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
