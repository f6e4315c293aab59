namespace NetLab.Netlink.Benchmarks;

/// <summary>One side's figures for one round.</summary>
internal sealed record RoundTimes(TimeSpan Create, TimeSpan Delete, TimeSpan Teardown);

/// <summary>Everything measured for one side over all rounds.</summary>
internal sealed class SideResult(string name)
{
    public string Name { get; } = name;

    public List<RoundTimes> Rounds { get; } = [];

    public StepTimes CreateSteps { get; } = new();

    public StepTimes DeleteSteps { get; } = new();

    public TimeSpan Create => Median(Rounds.Select(round => round.Create));

    public TimeSpan Delete => Median(Rounds.Select(round => round.Delete));

    public TimeSpan Teardown => Median(Rounds.Select(round => round.Teardown));

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

internal sealed record BenchmarkResult(BenchmarkOptions Options, SideResult Netlink, SideResult Iproute, bool LibraryOptimized)
{
    public const double TargetRatio = 15;

    /// <summary>Printed with the figures, so that nobody has to guess what "delete" timed.</summary>
    public const string DeleteMeaning =
        "delete = remove each namespace's name, as `ip netns del NS` does and NetworkNamespace.Delete(NS) does (unmount + unlink), "
        + "nothing else on either side; the kernel then destroys the namespace and its macvlan in the background. "
        + "That teardown is waited for outside the timed region before the next phase starts, and is shown separately.";

    public double CreateRatio => Iproute.Create / Netlink.Create;

    public double DeleteRatio => Iproute.Delete / Netlink.Delete;

    public bool CreateTargetMet => CreateRatio >= TargetRatio;

    public bool DeleteTargetMet => DeleteRatio >= TargetRatio;
}
