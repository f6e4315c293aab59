using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

/// <summary>
/// What the bounded readers say about one kind of document (a lab file, a checks file): its size limit and the words
/// of the problems that refuse a text before it is read into a tree. The limits and the order of the refusals are the
/// same for every kind; only the names and the examples differ, so a student is told about the file they gave.
/// </summary>
/// <param name="FileNoun">"a lab file", "a checks file".</param>
/// <param name="MaxBytes">The largest text read, in UTF-8 bytes.</param>
/// <param name="MaxBytesInWords">The limit as a reader says it, e.g. "1 MiB".</param>
/// <param name="NestingNeeded">How deep the kind nests when written as documented, e.g. "a lab needs 6".</param>
/// <param name="YamlStart">The hint for an empty YAML text.</param>
/// <param name="JsonStart">The hint for an empty JSON text.</param>
/// <param name="TooLargeHint">How to make a text that is too large fit.</param>
/// <param name="WhatOne">What one file holds, as in "Keep one lab per file".</param>
/// <param name="ReferencePage">The page that documents the format.</param>
internal sealed record DocumentKind(
    string FileNoun,
    int MaxBytes,
    string MaxBytesInWords,
    string NestingNeeded,
    string YamlStart,
    string JsonStart,
    string TooLargeHint,
    string WhatOne,
    string ReferencePage)
{
    public static DocumentKind Lab { get; } = new(
        "a lab file",
        LabFormat.MaxDocumentBytes,
        "1 MiB",
        "a lab needs 6",
        "Start with `name: my-lab`",
        "Start with { \"name\": \"my-lab\" }",
        "A lab of a few thousand interfaces fits easily: remove what does not belong to the lab (long comments, pasted output) or split it into several labs",
        "lab",
        "docs/lab-format.md");

    /// <summary>The problem of a list or mapping nested deeper than <see cref="LabFormat.MaxNestingDepth"/>, at its place.</summary>
    public Problem TooDeep(SourceLocation? location) => new(
        "",
        $"lists and mappings are nested more than {LabFormat.MaxNestingDepth} deep here; {FileNoun} may nest at most {LabFormat.MaxNestingDepth} levels ({NestingNeeded})",
        $"Check for unclosed [ or {{ brackets, and write the {WhatOne} as in {ReferencePage}")
    {
        Location = location,
    };
}

/// <summary>
/// A text to a document tree, bounded: a text over the kind's size, or holding half a surrogate pair, is refused as a
/// problem before any parser runs, and nesting beyond <see cref="LabFormat.MaxNestingDepth"/> before the (recursive)
/// tree readers descend into it.
/// </summary>
internal static class DocumentText
{
    public static DocumentNode? Read(string text, LabFileFormat format, DocumentKind kind, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TooLarge(text, kind) is { } tooLarge)
        {
            problems.Add(tooLarge);
            return null;
        }

        if (UnpairedSurrogate(text, kind) is { } notText)
        {
            problems.Add(notText);
            return null;
        }

        return format == LabFileFormat.Json ? JsonText.Read(text, problems, kind) : YamlText.Read(text, problems, kind);
    }

    /// <summary>The problem of a text over the kind's <see cref="DocumentKind.MaxBytes"/>; null when it is not.</summary>
    private static Problem? TooLarge(string text, DocumentKind kind)
    {
        // Every char is at least one UTF-8 byte: most texts are decided without counting.
        if (text.Length <= kind.MaxBytes / 3)
        {
            return null;
        }

        var bytes = text.Length > kind.MaxBytes ? text.Length : System.Text.Encoding.UTF8.GetByteCount(text);
        return bytes <= kind.MaxBytes ? null : new Problem(
            "",
            $"the file is {(text.Length > kind.MaxBytes ? "more than " : "")}{bytes} bytes; {kind.FileNoun} may be at most {kind.MaxBytes} bytes ({kind.MaxBytesInWords})",
            kind.TooLargeHint);
    }

    /// <summary>
    /// The problem of a text holding half of a UTF-16 surrogate pair, which no UTF-8 file can (a file's invalid bytes
    /// are read as U+FFFD), but a JSON request body ("\uDC00") or a browser's text can. Such a text was accepted, and the
    /// YAML written back from its lab (an edit on the canvas) did not read back: YamlDotNet refuses the escape it writes.
    /// Found by the hostile-input suite's fuzzer. Null when every surrogate is paired.
    /// </summary>
    private static Problem? UnpairedSurrogate(string text, DocumentKind kind)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            var line = 1;
            var lineStart = 0;
            for (var j = 0; j < i; j++)
            {
                if (text[j] == '\n')
                {
                    line++;
                    lineStart = j + 1;
                }
            }

            return new Problem(
                "",
                $"the text holds half of a UTF-16 surrogate pair (\\u{(int)text[i]:X4}), which is not a character; {kind.FileNoun} is UTF-8 text",
                "Remove that character, or send the whole character it was part of")
            {
                Location = new SourceLocation(line, i - lineStart + 1),
            };
        }

        return null;
    }
}
