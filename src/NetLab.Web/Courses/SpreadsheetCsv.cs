using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace NetLab.Web.Courses;

/// <summary>
/// CSV an instructor opens in a spreadsheet (a roster's one-time passwords, a course's grades): CsvHelper's quoting, and
/// every cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) escaped,
/// since user and display names and titles come from students' and instructors' typing.
/// </summary>
public static class SpreadsheetCsv
{
    /// <summary>The header, then one line per row, each cell as given (null as empty).</summary>
    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = new CsvWriter(text, new CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape }))
        {
            foreach (var name in header)
            {
                writer.WriteField(name);
            }

            writer.NextRecord();
            foreach (var row in rows)
            {
                foreach (var cell in row)
                {
                    writer.WriteField(cell ?? string.Empty);
                }

                writer.NextRecord();
            }
        }

        return text.ToString();
    }
}
