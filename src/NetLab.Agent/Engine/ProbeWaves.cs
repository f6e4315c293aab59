namespace NetLab.Agent.Engine;

/// <summary>
/// One address family's share of a connectivity check: how many targets of that family every source pings, and how
/// many neighbour entries the check may create in that family's table (null: unknown, so no limit is assumed).
/// </summary>
internal readonly record struct FamilyLoad(int Targets, int? Budget);

/// <summary>
/// The arithmetic of probing a large lab in waves. The kernel's ARP and ND tables are shared by every namespace and
/// capped at gc_thresh3; entries younger than 5 s cannot be collected, so a check that creates more entries than there
/// is room for gets ENOBUFS. The check then lets its sources take turns, each wave sized to what the table can hold.
/// Pure functions: the /proc reading is <see cref="NetLab.Netlink.Probing.NeighborTableCapacity"/>.
/// </summary>
internal static class ProbeWaves
{
    /// <summary>
    /// Entries one (source, target) pair can create: one in the source's namespace (for the target or the next hop)
    /// and one in the target's (it learns the sender from the ARP request or neighbour solicitation).
    /// </summary>
    public const int EntriesPerPair = 2;

    /// <summary>The entries a check of <paramref name="sources"/> x <paramref name="targets"/> pairs can create.</summary>
    public static long EstimatedEntries(int sources, int targets) => (long)sources * targets * EntriesPerPair;

    /// <summary>
    /// What a check may use of a table: half of the room left below gc_thresh3, so that whatever else on the machine
    /// (other labs, other checks, the host) adds entries meanwhile still finds room.
    /// </summary>
    public static int BudgetOf(int threshold, int entries) => Math.Max(0, threshold - entries) / 2;

    /// <summary>
    /// How many sources probe at once: all of them when every family's estimate fits its budget (one shot), else as
    /// many as the tightest family's budget holds, and at least one (a single source beyond the budget still runs;
    /// the pairs the table cannot hold then report ENOBUFS as before).
    /// </summary>
    public static int WaveSize(int sources, IEnumerable<FamilyLoad> families)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sources);
        var size = sources;
        foreach (var family in families)
        {
            if (family is not { Targets: > 0, Budget: { } budget } || EstimatedEntries(sources, family.Targets) <= budget)
            {
                continue;
            }

            size = (int)Math.Min(size, Math.Max(1, budget / EstimatedEntries(1, family.Targets)));
        }

        return Math.Max(1, size);
    }

    /// <summary>The sources 0..<paramref name="sources"/>-1 cut into consecutive waves of at most <paramref name="waveSize"/>.</summary>
    public static IReadOnlyList<Range> Split(int sources, int waveSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(waveSize, 1);
        var waves = new List<Range>();
        for (var start = 0; start < sources; start += waveSize)
        {
            waves.Add(start..Math.Min(sources, start + waveSize));
        }

        return waves.Count == 0 ? [0..0] : waves;
    }
}
