using NetLab.Core.Labs;

namespace NetLab.Web.Model.Topology;

/// <summary>The kinds of text a box and a line carry, each with its font in wwwroot/css/app.css (<c>.topo-*</c>).</summary>
public enum TopologyText
{
    /// <summary>A box's title: 600 13px sans-serif.</summary>
    Title,

    /// <summary>A box's subtitle: 11px sans-serif.</summary>
    Subtitle,

    /// <summary>A row's name: 12px monospace.</summary>
    Name,

    /// <summary>A row's kind label, right-aligned: 11px sans-serif.</summary>
    Label,

    /// <summary>A row's live line (MAC, addresses, rates): 10px monospace.</summary>
    Live,

    /// <summary>A line's label, centred on it: 11px sans-serif.</summary>
    EdgeLabel,
}

/// <summary>
/// The canvas's geometry, shared with wwwroot/js/topology.js (which draws by the same numbers): box sizes from their
/// texts, and positions for the boxes the lab's layout does not place: switches in the top row, hosts below,
/// namespaces in rows under them, each row as tall as its tallest box. Deterministic, so a lab without layout looks the
/// same on every load; a box gets a saved position only when the student moves it.
/// </summary>
public static class AutoLayout
{
    /// <summary>The narrowest box; a box with longer texts is as wide as they need.</summary>
    public const double MinBoxWidth = 230;
    public const double HeaderHeight = 38;
    public const double ItemHeight = 36;
    public const double Gap = 60;
    public const int Columns = 6;

    /// <summary>Where a row's name starts (after the state dot), and the padding at a box's or row's right end.</summary>
    public const double NameLeft = 24;
    public const double TextLeft = 10;
    public const double RightPadding = 10;

    /// <summary>The least room between a row's name and its right-aligned label.</summary>
    public const double NameLabelGap = 12;

    /// <summary>
    /// Widths per character of each text, in pixels at zoom 1: measured on DejaVu (Debian's default fonts) and rounded
    /// up, so that an estimate is never shorter than the drawn text. Names in a lab are ASCII (the validator's rule).
    /// </summary>
    public static double CharWidth(TopologyText text) => text switch
    {
        TopologyText.Title => 8.6,
        TopologyText.Name => 7.3,
        TopologyText.Live => 6.1,
        _ => 6.7,
    };

    /// <summary>The estimated drawn width of <paramref name="content"/>.</summary>
    public static double TextWidth(string content, TopologyText text) => content.Length * CharWidth(text);

    /// <summary>A box's height with <paramref name="items"/> rows (an empty box keeps room for one).</summary>
    public static double BoxHeight(int items) => HeaderHeight + (ItemHeight * Math.Max(1, items)) + 8;

    /// <summary>The width a box needs for its title, subtitle and every row's name and label side by side.</summary>
    public static double BoxWidth(string title, string subtitle, IEnumerable<TopologyItem> items)
    {
        var needed = Math.Max(TextLeft + TextWidth(title, TopologyText.Title), TextLeft + TextWidth(subtitle, TopologyText.Subtitle)) + RightPadding;
        foreach (var item in items)
        {
            needed = Math.Max(needed, NameLeft + TextWidth(item.Name, TopologyText.Name) + NameLabelGap + TextWidth(item.Label, TopologyText.Label) + RightPadding);
        }

        // In steps of 10 px, so that boxes of similar content line up.
        return Math.Max(MinBoxWidth, Math.Ceiling(needed / 10) * 10);
    }

    /// <summary>How many characters of a live line fit a row of a box <paramref name="boxWidth"/> wide.</summary>
    public static int LiveCapacity(double boxWidth) => (int)Math.Floor((boxWidth - NameLeft - RightPadding) / CharWidth(TopologyText.Live));

    /// <summary>
    /// Positions of every switch, host and namespace of <paramref name="lab"/>: saved ones as saved, the others in rows
    /// by kind, each box <paramref name="sizes"/> big.
    /// </summary>
    public static IReadOnlyDictionary<string, (double X, double Y)> Positions(Lab lab, IReadOnlyDictionary<string, (double Width, double Height)> sizes)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(sizes);
        var positions = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        var top = Gap / 2;
        var rows = new[]
        {
            lab.Switches.Select(s => s.Name).ToList(),
            lab.Hosts.Select(h => h.Name).ToList(),
            lab.Namespaces.Select(n => n.Name).ToList(),
        };
        foreach (var group in rows)
        {
            for (var start = 0; start < group.Count; start += Columns)
            {
                var row = group.Skip(start).Take(Columns).ToList();
                var left = Gap / 2;
                foreach (var name in row)
                {
                    positions[name] = (left, top);
                    left += sizes[name].Width + Gap;
                }

                top += row.Max(name => sizes[name].Height) + Gap;
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
