using System.Text;
using System.Text.RegularExpressions;

namespace NetLab.Core.Tests.Documentation;

/// <summary>
/// A Markdown file of the repository as the documentation tests read it: its prose (fenced code blocks and inline code
/// left out, so an example never counts as a link), its links, and its headings' anchors as GitHub makes them.
/// </summary>
internal sealed partial class MarkdownFile
{
    private MarkdownFile(string path, string text)
    {
        Path = path;
        Text = text;
        Prose = WithoutCode(text);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The path from the repository's root, with '/' separators.</summary>
    public string RepositoryPath => System.IO.Path.GetRelativePath(RepositoryFiles.Root, Path).Replace('\\', '/');

    public string Text { get; }

    public string Prose { get; }

    public string[] Lines => Text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    public static MarkdownFile Read(string path) => new(path, File.ReadAllText(path));

    /// <summary>Every Markdown file of the checkout, except build output, git's own files and benchmark results.</summary>
    public static IEnumerable<MarkdownFile> AllInRepository()
    {
        var skipped = new HashSet<string>(StringComparer.Ordinal) { ".git", "bin", "obj", "artifacts", "node_modules", "TestResults" };
        var folders = new Stack<string>([RepositoryFiles.Root]);
        while (folders.Count > 0)
        {
            var folder = folders.Pop();
            foreach (var child in Directory.GetDirectories(folder))
            {
                var name = System.IO.Path.GetFileName(child);
                var fromRoot = System.IO.Path.GetRelativePath(RepositoryFiles.Root, child).Replace('\\', '/');
                if (!skipped.Contains(name) && fromRoot != "bench/results")
                {
                    folders.Push(child);
                }
            }

            foreach (var file in Directory.GetFiles(folder, "*.md").Order(StringComparer.Ordinal))
            {
                yield return Read(file);
            }
        }
    }

    /// <summary>The targets of the file's inline links and images, e.g. "docs/cli.md#exit-codes" or "https://...".</summary>
    public IReadOnlyList<string> LinkTargets() =>
        [.. InlineLink().Matches(Prose).Select(m => m.Groups["target"].Value.Trim('<', '>'))];

    /// <summary>The anchors of the file's headings, as GitHub names them ("## A five-minute tour" is "a-five-minute-tour").</summary>
    public IReadOnlySet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(Prose))
        {
            var slug = Slug(heading.Groups["title"].Value);
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation dropped (inline code's text kept), spaces as hyphens.</summary>
    public static string Slug(string title)
    {
        var slug = new StringBuilder();
        foreach (var c in title.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>Fenced code blocks become empty lines (line numbers stay); inline code spans lose their text.</summary>
    private static string WithoutCode(string text)
    {
        var prose = new StringBuilder();
        var inFence = false;
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                prose.Append('\n');
                continue;
            }

            prose.Append(inFence ? "" : InlineCode().Replace(line, m => Heading().IsMatch(line) ? m.Value.Trim('`') : "``")).Append('\n');
        }

        return prose.ToString();
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();
}
