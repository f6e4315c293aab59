using System.Globalization;
using System.Net.Sockets;

namespace NetLab.Netlink.Probing;

/// <summary>
/// How full the kernel's neighbour table of one family is. The table (ARP for IPv4, ND for IPv6) is shared by every
/// namespace of the machine: past <paramref name="Threshold"/> (net.ipv4/ipv6.neigh.default.gc_thresh3) the kernel
/// refuses new entries, and a send that needs one fails with ENOBUFS.
/// </summary>
/// <param name="Family">InterNetwork (ARP) or InterNetworkV6 (ND).</param>
/// <param name="Threshold">gc_thresh3: the hard cap on entries.</param>
/// <param name="Entries">Entries the table holds now, in all namespaces together.</param>
public sealed record NeighborTableCapacity(AddressFamily Family, int Threshold, int Entries)
{
    /// <summary>Reads gc_thresh3 and the current entry count of <paramref name="family"/>'s table from /proc.</summary>
    /// <exception cref="IOException">/proc does not have the files (not Linux, or the family is compiled out).</exception>
    public static NeighborTableCapacity Read(AddressFamily family)
    {
        var (version, statistics) = family switch
        {
            AddressFamily.InterNetwork => ("ipv4", "arp_cache"),
            AddressFamily.InterNetworkV6 => ("ipv6", "ndisc_cache"),
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "neighbour tables exist for IPv4 and IPv6 only"),
        };
        var thresholdPath = $"/proc/sys/net/{version}/neigh/default/gc_thresh3";
        var statisticsPath = $"/proc/net/stat/{statistics}";
        var threshold = int.Parse(File.ReadAllText(thresholdPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        return new NeighborTableCapacity(family, threshold, ParseEntries(File.ReadAllText(statisticsPath), statisticsPath));
    }

    /// <summary>
    /// The "entries" column of /proc/net/stat/arp_cache or ndisc_cache: a header line, then one line of hex counters
    /// per CPU; entries is the table's total, so every CPU's line repeats it.
    /// </summary>
    internal static int ParseEntries(string statistics, string source)
    {
        var lines = statistics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) is not ["entries", ..])
        {
            throw new IOException($"{source} does not start with an \"entries\" column; cannot tell how full the neighbour table is.");
        }

        var first = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return int.TryParse(first, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var entries)
            ? entries
            : throw new IOException($"{source}: \"{first}\" is not a hex entry count.");
    }
}
