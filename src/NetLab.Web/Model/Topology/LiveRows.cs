using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Model.Topology;

/// <summary>What the canvas shows of one row's kernel state: a state class for its colour and a line of text.</summary>
/// <param name="Id">The row's canvas id, <c>ELEMENT/NAME</c>.</param>
/// <param name="State">up, down, lowerlayerdown, nocarrier or unknown; null when the kernel no longer has the row.</param>
/// <param name="Text">MAC, addresses and rx/tx rates, cut with "…" to what fits the row's box.</param>
/// <param name="Title">The whole text when <paramref name="Text"/> had to be cut (the row's tooltip), else null.</param>
public sealed record LiveRow(string Id, string? State, string Text, string? Title = null);

/// <summary>
/// Turns the lab's live state into canvas rows and remembers what was last sent, so that only rows that changed go
/// to the browser: with 200 namespaces, a flapping link sends one row, not a thousand.
/// </summary>
public sealed class LiveRows(Func<InterfaceState, string> stateClass)
{
    private Dictionary<string, LiveRow> _sent = new(StringComparer.Ordinal);

    /// <summary>The rows that changed since the last call; each text fits its box in <paramref name="graph"/> (long IPv6 addresses).</summary>
    public IReadOnlyList<LiveRow> Changes(LiveLabState state, TopologyGraph? graph = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var widths = (graph ?? TopologyGraph.Empty).Nodes.SelectMany(n => n.Items.Select(i => (i.Id, n.Width))).ToDictionary(r => r.Id, r => r.Width, StringComparer.Ordinal);
        var now = new Dictionary<string, LiveRow>(StringComparer.Ordinal);
        foreach (var space in state.Namespaces)
        {
            foreach (var live in space.Interfaces)
            {
                var id = TopologyIds.Of(space.Element, live.State.Name);
                var text = TextOf(live);
                var capacity = AutoLayout.LiveCapacity(widths.GetValueOrDefault(id, AutoLayout.MinBoxWidth));
                now[id] = text.Length <= capacity
                    ? new LiveRow(id, stateClass(live.State), text)
                    : new LiveRow(id, stateClass(live.State), string.Concat(text.AsSpan(0, capacity - 1), "…"), text);
            }
        }

        var changes = now.Values.Where(row => !_sent.TryGetValue(row.Id, out var sent) || sent != row)
            .Concat(_sent.Keys.Where(id => !now.ContainsKey(id)).Select(id => new LiveRow(id, null, "")))
            .ToList();
        _sent = now;
        return changes;
    }

    /// <summary>A new drawing of the canvas forgets nothing (the module keeps rows' state), but a new module does.</summary>
    public void Forget() => _sent.Clear();

    private static string TextOf(LiveInterface live)
    {
        var parts = new List<string>();
        if (live.State.Mac is { } mac)
        {
            parts.Add(mac);
        }

        parts.AddRange(live.State.Addresses);
        parts.Add($"↓{RateText.Format(live.RxBytesPerSecond)} ↑{RateText.Format(live.TxBytesPerSecond)}");
        return string.Join(" · ", parts);
    }
}
