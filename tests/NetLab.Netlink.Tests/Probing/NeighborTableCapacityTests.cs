using System.Net.Sockets;
using NetLab.Netlink.Probing;

namespace NetLab.Netlink.Tests.Probing;

/// <summary>How full the machine's neighbour tables are, read from /proc: the parser on real file contents, and the live files.</summary>
public sealed class NeighborTableCapacityTests
{
    // /proc/net/stat/arp_cache as Linux 6.18 printed it on a 2-CPU machine (entries repeat on every CPU's line).
    private const string ArpCache = """
        entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls
        000003fe 00002518 00002e98 00000003   0002b47c 00014e4d 0000011f   00000000         00000000         00000000         0000163b       00000000            00001635
        000003fe 000031e9 00002867 00000006   000418f1 00021183 00000117   00000000         00000000         0000066e         000016d6       00000000            000016cd

        """;

    [Fact]
    public void Entries_is_the_first_hex_column_of_the_first_cpu_line() =>
        Assert.Equal(0x3fe, NeighborTableCapacity.ParseEntries(ArpCache, "arp_cache"));

    [Theory]
    [InlineData("")]
    [InlineData("entries allocs\n")]
    [InlineData("allocs entries\n00000001 00000002\n")]
    [InlineData("entries allocs\nzz 00000002\n")]
    public void A_file_without_an_entries_count_is_an_io_error_naming_the_file(string text)
    {
        var error = Assert.Throws<IOException>(() => NeighborTableCapacity.ParseEntries(text, "/proc/net/stat/arp_cache"));
        Assert.Contains("/proc/net/stat/arp_cache", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork, "ipv4", "arp_cache")]
    [InlineData(AddressFamily.InterNetworkV6, "ipv6", "ndisc_cache")]
    public void The_live_tables_read_as_proc_shows_them(AddressFamily family, string version, string statistics)
    {
        var thresholdPath = $"/proc/sys/net/{version}/neigh/default/gc_thresh3";
        if (!File.Exists(thresholdPath) || !File.Exists($"/proc/net/stat/{statistics}"))
        {
            Assert.Skip($"This kernel has no {thresholdPath} or /proc/net/stat/{statistics} (not Linux, or {version} compiled out).");
        }

        var capacity = NeighborTableCapacity.Read(family);

        Assert.Equal(family, capacity.Family);
        Assert.Equal(int.Parse(File.ReadAllText(thresholdPath).Trim(), System.Globalization.CultureInfo.InvariantCulture), capacity.Threshold);
        Assert.InRange(capacity.Entries, 0, 1 << 24);
    }
}
