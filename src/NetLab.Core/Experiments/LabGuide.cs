using NetLab.Core.Links;

namespace NetLab.Core.Experiments;

/// <summary>One row of a guide's expected results: a ping and what it does.</summary>
public sealed record ExpectedPing(string From, string Address, bool Reachable, string RuleId, string Why);

/// <summary>
/// The instructions that come with a template lab: <c>labs/NAME.md</c> beside <c>labs/NAME.yaml</c>. Markdown, so it
/// reads well as a file; its parts are found by their headings (docs/lab-format.md, "Guides"):
/// <c># Title</c>, an optional <c>Requires: vlan</c> line, <c>## Instructions</c> (English), <c>## 原文</c> (the seed's
/// Chinese original) and <c>## Expected results</c>, a table <c>| from | to | outcome | rule | why |</c> followed by notes.
/// </summary>
public sealed record LabGuide(string Title, string Instructions, string Original, IReadOnlyList<LinkKind> Requires, IReadOnlyList<ExpectedPing> Expected, string ExpectedNotes)
{
    public const string InstructionsHeading = "Instructions";
    public const string OriginalHeading = "原文";
    public const string ExpectedHeading = "Expected results";
    private const string RequiresPrefix = "Requires:";

    /// <summary>Reads a guide; a malformed expected-results row is reported, since tests compare the rows with the predictor.</summary>
    public static LabGuide Parse(string markdown)
    {
        var title = "";
        var requires = new List<LinkKind>();
        var sections = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var rawLine in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = rawLine.TrimEnd();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = sections[line[3..].Trim()] = [];
            }
            else if (current is null && line.StartsWith("# ", StringComparison.Ordinal))
            {
                title = line[2..].Trim();
            }
            else if (current is null && line.StartsWith(RequiresPrefix, StringComparison.Ordinal))
            {
                foreach (var word in line[RequiresPrefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    requires.Add(LinkKindNames.FromKernelName(word) ?? throw new FormatException($"'{word}' in '{line}' is not a link kind; write kinds as the kernel names them (vlan, macvtap, ...)"));
                }
            }
            else
            {
                current?.Add(line);
            }
        }

        string Section(string heading) => sections.TryGetValue(heading, out var lines) ? string.Join('\n', lines).Trim() : "";
        var expectedLines = sections.GetValueOrDefault(ExpectedHeading) ?? [];
        var tableLines = expectedLines.Where(l => l.StartsWith('|')).ToList();
        var expected = tableLines.Skip(2).Select(ParseRow).ToList();
        var notes = string.Join('\n', expectedLines.Where(l => !l.StartsWith('|'))).Trim();
        return new LabGuide(title, Section(InstructionsHeading), Section(OriginalHeading), requires, expected, notes);
    }

    private static ExpectedPing ParseRow(string row)
    {
        var cells = row.Trim('|').Split('|').Select(c => c.Trim().Trim('`')).ToArray();
        if (cells.Length != 5 || cells[2] is not ("reachable" or "fails"))
        {
            throw new FormatException($"'{row}' is not a row of five cells | from | to | reachable or fails | rule | why |");
        }

        return new ExpectedPing(cells[0], cells[1], cells[2] == "reachable", cells[3], cells[4]);
    }
}
