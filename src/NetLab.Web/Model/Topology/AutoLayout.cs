using NetLab.Core.Labs;

namespace NetLab.Web.Model.Topology;

/// <summary>
/// Positions for the boxes the lab's layout does not place: switches in the top row, hosts below, namespaces in
/// rows under them, each row as tall as its tallest box. Deterministic, so a lab without layout looks the same on
/// every load; a box gets a saved position only when the student moves it.
/// </summary>
public static class AutoLayout
{
    public const double BoxWidth = 230;
    public const double HeaderHeight = 38;
    public const double ItemHeight = 36;
    public const double Gap = 60;
    public const int Columns = 6;

    /// <summary>A box's height with <paramref name="items"/> rows (an empty box keeps room for one).</summary>
    public static double BoxHeight(int items) => HeaderHeight + (ItemHeight * Math.Max(1, items)) + 8;

    public static IReadOnlyDictionary<string, (double X, double Y)> Positions(Lab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var positions = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        var top = Gap / 2;
        var rows = new[]
        {
            lab.Switches.Select(s => (s.Name, Items: s.Ports.Count)).ToList(),
            lab.Hosts.Select(h => (h.Name, Items: h.Nics.Count + h.Interfaces.Count)).ToList(),
            lab.Namespaces.Select(n => (n.Name, Items: n.Interfaces.Count)).ToList(),
        };
        foreach (var group in rows)
        {
            for (var start = 0; start < group.Count; start += Columns)
            {
                var row = group.Skip(start).Take(Columns).ToList();
                for (var column = 0; column < row.Count; column++)
                {
                    positions[row[column].Name] = (Gap / 2 + (column * (BoxWidth + Gap)), top);
                }

                top += row.Max(r => BoxHeight(r.Items)) + Gap;
            }
        }

        foreach (var saved in lab.Layout)
        {
            if (positions.ContainsKey(saved.Element))
            {
                positions[saved.Element] = (saved.X, saved.Y);
            }
        }

        return positions;
    }
}
