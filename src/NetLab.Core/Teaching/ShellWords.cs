namespace NetLab.Core.Teaching;

/// <summary>
/// Quotes words for a POSIX shell, because the teaching view's commands are pasted into a root shell: whatever a
/// name, address or other value holds, the shell must pass it to the program as one word and never expand it.
/// </summary>
public static class ShellWords
{
    /// <summary>
    /// Characters no POSIX shell treats specially inside a word (the set Python's shlex.quote leaves alone). Every
    /// other character - `$`, backticks, quotes, `;`, `&amp;`, `|`, globs, `~`, `#`, whitespace - makes the word quoted.
    /// </summary>
    public static bool IsLiteral(char c) => char.IsAsciiLetterOrDigit(c) || c is '@' or '%' or '+' or '=' or ':' or ',' or '.' or '/' or '_' or '-';

    /// <summary>The word as typed: unchanged when every character is literal, else in single quotes ('\'' for a quote inside).</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(IsLiteral) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>One command line: each word quoted as needed, separated by single spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
