using System.Diagnostics;

namespace NetLab.Netlink.Benchmarks;

/// <summary>Time spent per step (e.g. "add address") summed over namespaces, to show where a phase's time goes.</summary>
internal sealed class StepTimes
{
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);

    // Steps are reported in the order they first ran, which is the order of the recipe.
    private readonly List<string> _order = [];

    /// <summary>Charges the time since <paramref name="startedAt"/> to <paramref name="step"/>; returns now, the next step's start.</summary>
    public long Record(string step, long startedAt)
    {
        var now = Stopwatch.GetTimestamp();
        Add(step, now - startedAt);
        return now;
    }

    public void AddAll(StepTimes other)
    {
        foreach (var step in other._order)
        {
            Add(step, other._ticks[step]);
        }
    }

    public IEnumerable<(string Step, TimeSpan Total)> Totals =>
        _order.Select(step => (step, TimeSpan.FromSeconds(_ticks[step] / (double)Stopwatch.Frequency)));

    private void Add(string step, long ticks)
    {
        if (_ticks.TryGetValue(step, out var sum))
        {
            _ticks[step] = sum + ticks;
        }
        else
        {
            _ticks[step] = ticks;
            _order.Add(step);
        }
    }
}
