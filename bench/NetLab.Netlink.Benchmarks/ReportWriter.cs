using System.Globalization;
using System.Text.Json;

namespace NetLab.Netlink.Benchmarks;

/// <summary>Prints a <see cref="BenchmarkResult"/> as a table for people or as one JSON object for scripts.</summary>
internal static class ReportWriter
{
    public static void WriteText(BenchmarkResult result, TextWriter output)
    {
        var n = result.Options.Count;
        output.WriteLine(Invariant($"NetLab.Netlink vs iproute2, N = {n} namespaces per side (rounds: {result.Options.Rounds}, median; warm-up: {result.Options.WarmupCount} per side, not counted)"));
        output.WriteLine("each namespace: bridge-mode macvlan on the lab host's veth eth0, an IPv4 /16 on it, macvlan up, lo up");
        output.WriteLine(BenchmarkResult.DeleteMeaning);
        if (!result.LibraryOptimized)
        {
            output.WriteLine("WARNING: NetLab.Netlink is a Debug build; build with -c Release for meaningful figures");
        }

        output.WriteLine();
        output.WriteLine(Invariant($"{"",-16} {"create s",10} {"ms/ns",8}   {"delete s",10} {"ms/ns",8}   {"teardown done s",15}"));
        foreach (var side in new[] { result.Netlink, result.Iproute })
        {
            output.WriteLine(Invariant($"{side.Name,-16} {side.Create.TotalSeconds,10:0.000} {PerNamespace(side.Create, n),8:0.000}   {side.Delete.TotalSeconds,10:0.000} {PerNamespace(side.Delete, n),8:0.000}   {side.Teardown.TotalSeconds,15:0.000}"));
        }

        output.WriteLine("(teardown done: seconds from the start of delete until the kernel had destroyed the last macvlan; not in the ratio)");
        output.WriteLine();
        output.WriteLine(Invariant($"ratio iproute2 / NetLab.Netlink: create {result.CreateRatio:0.0}x, delete {result.DeleteRatio:0.0}x"));
        output.WriteLine(Invariant($"target (NetLab.Netlink at least {BenchmarkResult.TargetRatio:0}x faster for create and for delete): {Verdict(result.CreateTargetMet && result.DeleteTargetMet)} (create {Verdict(result.CreateTargetMet)}, delete {Verdict(result.DeleteTargetMet)})"));

        output.WriteLine();
        output.WriteLine("where the time goes (mean ms per namespace, over all rounds):");
        foreach (var side in new[] { result.Netlink, result.Iproute })
        {
            var count = n * side.Rounds.Count;
            foreach (var (phase, steps) in new[] { ("create", side.CreateSteps), ("delete", side.DeleteSteps) })
            {
                output.WriteLine($"  {side.Name} {phase}:");
                foreach (var (step, total) in steps.Totals)
                {
                    output.WriteLine(Invariant($"    {PerNamespace(total, count),8:0.000}  {step}"));
                }
            }
        }
    }

    public static void WriteJson(BenchmarkResult result, Stream output)
    {
        var n = result.Options.Count;
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("n", n);
        json.WriteNumber("rounds", result.Options.Rounds);
        json.WriteNumber("warmup", result.Options.WarmupCount);
        json.WriteString("deleteMeans", BenchmarkResult.DeleteMeaning);
        json.WriteBoolean("libraryOptimized", result.LibraryOptimized);
        WriteSide(json, "netlab", result.Netlink, n);
        WriteSide(json, "iproute2", result.Iproute, n);
        json.WriteStartObject("ratio");
        json.WriteNumber("create", Round(result.CreateRatio));
        json.WriteNumber("delete", Round(result.DeleteRatio));
        json.WriteEndObject();
        json.WriteStartObject("target");
        json.WriteNumber("ratio", BenchmarkResult.TargetRatio);
        json.WriteBoolean("createMet", result.CreateTargetMet);
        json.WriteBoolean("deleteMet", result.DeleteTargetMet);
        json.WriteBoolean("met", result.CreateTargetMet && result.DeleteTargetMet);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteSide(Utf8JsonWriter json, string property, SideResult side, int n)
    {
        json.WriteStartObject(property);
        json.WriteNumber("createSeconds", Round(side.Create.TotalSeconds));
        json.WriteNumber("createMsPerNamespace", Round(PerNamespace(side.Create, n)));
        json.WriteNumber("deleteSeconds", Round(side.Delete.TotalSeconds));
        json.WriteNumber("deleteMsPerNamespace", Round(PerNamespace(side.Delete, n)));
        json.WriteNumber("teardownDoneSeconds", Round(side.Teardown.TotalSeconds));
        json.WriteStartArray("roundsSeconds");
        foreach (var round in side.Rounds)
        {
            json.WriteStartObject();
            json.WriteNumber("create", Round(round.Create.TotalSeconds));
            json.WriteNumber("delete", Round(round.Delete.TotalSeconds));
            json.WriteNumber("teardownDone", Round(round.Teardown.TotalSeconds));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var count = n * side.Rounds.Count;
        foreach (var (name, steps) in new[] { ("createStepsMsPerNamespace", side.CreateSteps), ("deleteStepsMsPerNamespace", side.DeleteSteps) })
        {
            json.WriteStartObject(name);
            foreach (var (step, total) in steps.Totals)
            {
                json.WriteNumber(step, Round(PerNamespace(total, count)));
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static double PerNamespace(TimeSpan total, int count) => total.TotalMilliseconds / count;

    private static double Round(double value) => Math.Round(value, 4);

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
