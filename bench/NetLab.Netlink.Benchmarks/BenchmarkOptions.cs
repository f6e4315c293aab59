using System.Globalization;

namespace NetLab.Netlink.Benchmarks;

/// <summary>What the command line asked for.</summary>
internal sealed record BenchmarkOptions(int Count, int WarmupCount, int Rounds, bool Json)
{
    public const int DefaultCount = 200;
    public const int DefaultWarmupCount = 5;

    /// <summary>Addresses are 10.0.0.0/16 plus the namespace number; 65535 would be the subnet's broadcast address.</summary>
    public const int MaxCount = 65534;

    public const string Usage = """
        usage: netlab-netlink-bench [-n N] [--warmup W] [--rounds R] [--json]

        Creates N lab namespaces (bridge-mode macvlan on a lab veth, IPv4 address, link and lo up), then
        deletes them, once with NetLab.Netlink and once with one `ip` process per step, and compares.
        Must run as root. Everything it makes is named nlbench-<pid>-* and removed at the end.

          -n N          namespaces per side and round (default 200, at most 65534)
          --warmup W    namespaces per side created and deleted first, not counted (default 5; 0 for none)
          --rounds R    repeat both sides R times, alternating which goes first; medians are reported (default 1)
          --json        print one JSON object on stdout instead of the table
          -h, --help    this text

        Exit status: 0 done (whether or not the 15x target is met), 1 the benchmark failed,
        2 usage error or not root, 130 interrupted.
        """;

    /// <summary>Parses the arguments; returns null when help was asked for.</summary>
    public static BenchmarkOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions(DefaultCount, DefaultWarmupCount, 1, Json: false);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    return null;
                case "--json":
                    options = options with { Json = true };
                    break;
                case "-n":
                    options = options with { Count = Number(args, ++i, "-n", 1, MaxCount) };
                    break;
                case "--warmup":
                    options = options with { WarmupCount = Number(args, ++i, "--warmup", 0, 1000) };
                    break;
                case "--rounds":
                    options = options with { Rounds = Number(args, ++i, "--rounds", 1, 100) };
                    break;
                default:
                    throw new UsageException($"unknown argument '{args[i]}'");
            }
        }

        return options;
    }

    private static int Number(IReadOnlyList<string> args, int index, string option, int min, int max)
    {
        if (index >= args.Count)
        {
            throw new UsageException($"{option} needs a number");
        }

        if (!int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{option} takes a whole number from {min} to {max}, not '{args[index]}'");
        }

        return value;
    }
}

internal sealed class UsageException(string message) : Exception(message);
