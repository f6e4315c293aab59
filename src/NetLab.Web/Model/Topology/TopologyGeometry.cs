namespace NetLab.Web.Model.Topology;

/// <summary>A rectangle of the canvas, in canvas units (pixels at zoom 1).</summary>
public readonly record struct ViewBox(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;

    public bool Contains(ViewBox other) => other.X >= X && other.Y >= Y && other.Right <= Right && other.Bottom <= Bottom;

    public static ViewBox Around(double left, double top, double right, double bottom) => new(left, top, right - left, bottom - top);
}

/// <summary>One line as the canvas draws it: a cubic curve from row to row, and its label's box at the curve's middle.</summary>
public sealed record EdgeShape(TopologyEdge Edge, (double X, double Y)[] Curve, ViewBox Label)
{
    /// <summary>
    /// A cubic curve lies inside the hull of its four points, so their bounding box holds the whole drawn line.
    /// </summary>
    public ViewBox Bounds => ViewBox.Around(Curve.Min(p => p.X), Curve.Min(p => p.Y), Curve.Max(p => p.X), Curve.Max(p => p.Y));
}

/// <summary>
/// Where the canvas draws lines and their labels, by the same rules as wwwroot/js/topology.js (<c>anchor</c>,
/// <c>placeEdge</c>): a line leaves a row at the side of its box that faces the other box (the left side when both
/// boxes are one), and bends out at least <see cref="MinBend"/>. From these the view box that holds everything.
/// </summary>
public static class TopologyGeometry
{
    public const double MinBend = 40;

    /// <summary>Room around the drawing inside the view box.</summary>
    public const double Margin = 24;

    /// <summary>
    /// The smallest view box: a lab of one or two boxes is shown at about its natural size rather than blown up to
    /// fill the surface.
    /// </summary>
    public const double MinViewWidth = 640;
    public const double MinViewHeight = 400;

    /// <summary>A label's height above its baseline and below it (descenders, the halo stroke).</summary>
    private const double LabelAscent = 12;
    private const double LabelDescent = 4;

    /// <summary>The canvas draws a label 4 px above the curve's middle.</summary>
    private const double LabelLift = 4;

    public static IEnumerable<EdgeShape> ShapesOf(IReadOnlyList<TopologyNode> nodes, IReadOnlyList<TopologyEdge> edges)
    {
        var rows = new Dictionary<string, (TopologyNode Node, int Index)>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            for (var i = 0; i < node.Items.Count; i++)
            {
                rows[node.Items[i].Id] = (node, i);
            }
        }

        foreach (var edge in edges)
        {
            // As the canvas, which draws no line to a row it does not have.
            if (rows.TryGetValue(edge.From, out var from) && rows.TryGetValue(edge.To, out var to))
            {
                yield return Shape(edge, from, to);
            }
        }
    }

    public static ViewBox ViewBoxOf(IReadOnlyList<TopologyNode> nodes, IReadOnlyList<TopologyEdge> edges)
    {
        var boxes = nodes.Select(n => new ViewBox(n.X, n.Y, n.Width, n.Height))
            .Concat(ShapesOf(nodes, edges).SelectMany(s => new[] { s.Bounds, s.Label }))
            .ToList();
        if (boxes.Count == 0)
        {
            return new ViewBox(0, 0, MinViewWidth, MinViewHeight);
        }

        var drawn = ViewBox.Around(boxes.Min(b => b.X) - Margin, boxes.Min(b => b.Y) - Margin, boxes.Max(b => b.Right) + Margin, boxes.Max(b => b.Bottom) + Margin);
        var width = Math.Max(drawn.Width, MinViewWidth);
        var height = Math.Max(drawn.Height, MinViewHeight);
        return new ViewBox(drawn.X - ((width - drawn.Width) / 2), drawn.Y - ((height - drawn.Height) / 2), width, height);
    }

    private static EdgeShape Shape(TopologyEdge edge, (TopologyNode Node, int Index) from, (TopologyNode Node, int Index) to)
    {
        var same = ReferenceEquals(from.Node, to.Node);
        var a = Anchor(from, same ? null : Center(to.Node));
        var b = Anchor(to, same ? null : Center(from.Node));
        var bend = same ? MinBend : Math.Max(MinBend, Math.Abs(b.X - a.X) / 2);
        var c1 = (X: a.X + (a.Dx * bend), a.Y);
        var c2 = (X: b.X + (b.Dx * bend), b.Y);

        // The curve's middle (t = 1/2), where the label sits, centred.
        var middleX = (a.X + (3 * c1.X) + (3 * c2.X) + b.X) / 8;
        var baseline = ((a.Y + (3 * c1.Y) + (3 * c2.Y) + b.Y) / 8) - LabelLift;
        var labelWidth = AutoLayout.TextWidth(edge.Label, TopologyText.EdgeLabel);
        var label = new ViewBox(middleX - (labelWidth / 2), baseline - LabelAscent, labelWidth, LabelAscent + LabelDescent);
        return new EdgeShape(edge, [(a.X, a.Y), c1, c2, (b.X, b.Y)], label);
    }

    private static double Center(TopologyNode node) => node.X + (node.Width / 2);

    private static (double X, double Y, int Dx) Anchor((TopologyNode Node, int Index) row, double? towards)
    {
        var node = row.Node;
        var y = node.Y + AutoLayout.HeaderHeight + (row.Index * AutoLayout.ItemHeight) + (AutoLayout.ItemHeight / 2);
        var right = towards is { } x && x > Center(node);
        return (right ? node.X + node.Width : node.X, y, right ? 1 : -1);
    }
}
