using System.Globalization;

namespace NetLab.Web.Model;

/// <summary>Rates as people read them: bytes per second in decimal units, three significant digits at most.</summary>
public static class RateText
{
    private static readonly string[] Units = ["B/s", "kB/s", "MB/s", "GB/s"];

    public static string Format(double bytesPerSecond)
    {
        var value = Math.Max(0, bytesPerSecond);
        var unit = 0;
        while (value >= 1000 && unit < Units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        var digits = unit == 0 || value >= 100 ? "0" : value >= 10 ? "0.#" : "0.##";
        return value.ToString(digits, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>SVG polyline points for <paramref name="values"/> in a box, highest value at the top.</summary>
    public static string SparklinePoints(IReadOnlyList<double> values, double width, double height)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return "";
        }

        // A flat line at the bottom for an idle link, rather than a division by zero.
        var max = Math.Max(values.Max(), 1);
        var step = values.Count == 1 ? 0 : width / (values.Count - 1);
        return string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{i * step:0.#},{height - (Math.Max(0, v) / max * height):0.#}")));
    }
}
