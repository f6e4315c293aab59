using System.Globalization;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// The options both benchmarks take: -n NAMESPACES, --json, --netlab PATH (a published `netlab`, as users run it;
/// else `dotnet netlab.dll` from this build), --rounds N (measurements repeated, the median quoted), and the probe benchmark's --sample PAIRS.
/// </summary>
internal sealed record BenchArguments(int Count, bool Json, string? NetlabExecutable, int Sample, int Rounds = 1)
{
    /// <summary>The parsed options, or null when they are not understood (the caller prints its usage).</summary>
    public static BenchArguments? Parse(string[] args, int defaultCount, bool acceptSample)
    {
        var parsed = new BenchArguments(defaultCount, false, null, 50);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-n" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1000:
                    parsed = parsed with { Count = n };
                    i++;
                    break;
                case "--sample" when acceptSample && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0:
                    parsed = parsed with { Sample = s };
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var r) && r > 0:
                    parsed = parsed with { Rounds = r };
                    i++;
                    break;
                case "--json":
                    parsed = parsed with { Json = true };
                    break;
                case "--netlab" when i + 1 < args.Length:
                    parsed = parsed with { NetlabExecutable = args[++i] };
                    break;
                default:
                    return null;
            }
        }

        return parsed;
    }

    /// <summary>The command line of one `netlab` process.</summary>
    public string[] Netlab(params string[] arguments) => NetlabExecutable is not null
        ? [NetlabExecutable, .. arguments]
        : ["dotnet", Path.Combine(AppContext.BaseDirectory, "netlab.dll"), .. arguments];
}
