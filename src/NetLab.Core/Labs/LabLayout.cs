namespace NetLab.Core.Labs;

/// <summary>
/// Where a lab element is drawn on the topology canvas: the top-left corner of its box, in canvas units. Only the
/// editor reads it; validation and planning ignore it, so moving a box never changes the kernel.
/// </summary>
/// <param name="Element">A switch, host or namespace name; an interface as <c>ELEMENT/INTERFACE</c>.</param>
/// <param name="X">Left edge, growing to the right.</param>
/// <param name="Y">Top edge, growing downwards (as in SVG).</param>
public sealed record ElementPosition(string Element, double X, double Y);

/// <summary>Looking positions up and changing them in a lab's layout.</summary>
public static class LabLayout
{
    public static ElementPosition? PositionOf(this Lab lab, string element)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return lab.Layout.FirstOrDefault(p => p.Element == element);
    }

    /// <summary>The lab with <paramref name="element"/> at (x, y): its entry replaced in place, or added at the end.</summary>
    public static Lab WithPosition(this Lab lab, string element, double x, double y)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var position = new ElementPosition(element, x, y);
        var known = lab.Layout.Any(p => p.Element == element);
        return lab with
        {
            Layout = known
                ? lab.Layout.Select(p => p.Element == element ? position : p).ToValueList()
                : lab.Layout.Append(position).ToValueList(),
        };
    }

    /// <summary>The lab without positions of <paramref name="element"/> and of its interfaces (<c>ELEMENT/...</c>).</summary>
    public static Lab WithoutPosition(this Lab lab, string element)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var interfacePrefix = element + "/";
        return lab with
        {
            Layout = lab.Layout.Where(p => p.Element != element && !p.Element.StartsWith(interfacePrefix, StringComparison.Ordinal)).ToValueList(),
        };
    }
}
