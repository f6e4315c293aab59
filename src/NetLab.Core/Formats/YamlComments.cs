using System.Text;
using System.Text.RegularExpressions;

namespace NetLab.Core.Formats;

/// <summary>
/// Carries the comments of a lab's YAML over to the YAML written anew from its edited model. The model has no place
/// for comments, and the seed labs and instructors' labs explain themselves in them, so an edit on the canvas must not
/// wipe them. A comment belongs to the mapping key it stands above (or ends the line of), found by its path of keys
/// (`namespaces/ns2/interfaces/macvlan2`); the comments above the first key are the file's header and those after the
/// last key its footer. A comment whose key the edit removed (or renamed) goes with it.
/// </summary>
public static partial class YamlComments
{
    /// <param name="previous">The text as it was, with its comments.</param>
    /// <param name="rewritten">The text written anew from the edited model.</param>
    /// <param name="moved">Where a key path of the previous text is in the new one, when the edit renamed it
    /// (<see cref="Renamed"/>); null when no key moved.</param>
    public static string Carry(string previous, string rewritten, Func<string, string>? moved = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(rewritten);
        var source = Read(previous, moved ?? (path => path));
        if (source.IsEmpty)
        {
            return rewritten;
        }

        var output = new StringBuilder();
        foreach (var comment in source.Header)
        {
            output.Append(comment).Append('\n');
        }

        var path = new KeyPath();
        foreach (var line in Lines(rewritten))
        {
            var key = KeyOf(line);
            if (key is null)
            {
                output.Append(line).Append('\n');
                continue;
            }

            var at = path.Enter(key.Value.Indent, key.Value.Name);
            if (source.Above.Remove(at, out var above))
            {
                var indent = new string(' ', key.Value.Indent);
                foreach (var comment in above)
                {
                    output.Append(indent).Append(comment).Append('\n');
                }
            }

            output.Append(line);
            if (source.EndOfLine.Remove(at, out var trailing) && CommentStart(line) < 0)
            {
                output.Append("  ").Append(trailing);
            }

            output.Append('\n');
        }

        foreach (var comment in source.Footer)
        {
            output.Append(comment).Append('\n');
        }

        return rewritten.EndsWith('\n') ? output.ToString() : output.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// The key paths a rename moves: renaming element <paramref name="element"/> (a switch, host or namespace) to
    /// <paramref name="newName"/>, or, with <paramref name="row"/>, that element's interface, NIC or port.
    /// </summary>
    public static Func<string, string> Renamed(string element, string? row, string newName) => path =>
    {
        var keys = path.Split('/');
        var isElement = keys.Length >= 2 && keys[0] is "namespaces" or "hosts" or "switches" && keys[1] == element;
        if (isElement && row is null)
        {
            keys[1] = newName;
        }
        else if (isElement && keys.Length >= 4 && keys[2] is "interfaces" or "nics" or "ports" && keys[3] == row)
        {
            keys[3] = newName;
        }

        return string.Join('/', keys);
    };

    private static Comments Read(string text, Func<string, string> moved)
    {
        var comments = new Comments();
        var pending = new List<string>();
        var path = new KeyPath();
        var seenKey = false;
        foreach (var line in Lines(text))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#'))
            {
                pending.Add(trimmed);
                continue;
            }

            if (KeyOf(line) is not { } key)
            {
                continue;
            }

            var at = moved(path.Enter(key.Indent, key.Name));
            if (pending.Count > 0)
            {
                if (seenKey)
                {
                    comments.Above[at] = [.. pending];
                }
                else
                {
                    comments.Header.AddRange(pending);
                }

                pending.Clear();
            }

            seenKey = true;
            var start = CommentStart(line);
            if (start >= 0)
            {
                comments.EndOfLine[at] = line[start..].TrimEnd();
            }
        }

        comments.Footer.AddRange(pending);
        return comments;
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');

    /// <summary>A block mapping key: its column and name (`  macvlan2: {...}` gives 2 and macvlan2).</summary>
    private static (int Indent, string Name)? KeyOf(string line)
    {
        var match = BlockKey().Match(line);
        return match.Success ? (match.Groups["key"].Index, match.Groups["key"].Value.Trim('"', '\'')) : null;
    }

    /// <summary>Where an end-of-line comment starts: a '#' after a blank and outside quotes; -1 when there is none.</summary>
    private static int CommentStart(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex("""^ *(?:- +)?(?<key>"[^"]*"|'[^']*'|[^\s#:'"\-][^:#]*?) *:(?:\s|$)""", RegexOptions.NonBacktracking)]
    private static partial Regex BlockKey();

    /// <summary>The keys enclosing the current line, by indentation.</summary>
    private sealed class KeyPath
    {
        private readonly List<(int Indent, string Name)> _keys = [];

        public string Enter(int indent, string name)
        {
            _keys.RemoveAll(k => k.Indent >= indent);
            _keys.Add((indent, name));
            return string.Join('/', _keys.Select(k => k.Name));
        }
    }

    private sealed class Comments
    {
        public List<string> Header { get; } = [];

        public Dictionary<string, string[]> Above { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> EndOfLine { get; } = new(StringComparer.Ordinal);

        public List<string> Footer { get; } = [];

        public bool IsEmpty => Header.Count == 0 && Above.Count == 0 && EndOfLine.Count == 0 && Footer.Count == 0;
    }
}
