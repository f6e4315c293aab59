using NetLab.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NetLab.Core.Formats;

/// <summary>YAML text to and from <see cref="DocumentNode"/>, event by event, so every node keeps its line and column.</summary>
internal static class YamlText
{
    public static DocumentNode? Read(string text, List<Problem> problems, DocumentKind kind)
    {
        var parser = new MarkedParser(new Parser(new StringReader(text)));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                problems.Add(new Problem("", "the file is empty", kind.YamlStart));
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, depth: 1);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                problems.Add(new Problem("", "the file holds more than one YAML document", $"Keep one {kind.WhatOne} per file; remove the second `---`")
                {
                    Location = At(second.Start),
                });
                return null;
            }

            return root;
        }
        catch (NestingTooDeepException e)
        {
            problems.Add(kind.TooDeep(e.Location));
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some unfinished texts (": {\nt" - a flow
            // mapping that ends in a plain word at the end of the text). It is still a bad file, never the reader's failure.
            problems.Add(new Problem("", $"this is not valid YAML: the text ends before what it opened is closed ({e.Message})",
                "Check for an unclosed [ or { and that every `key: value` has a space after the colon")
            {
                Location = End(text),
            });
            return null;
        }
        catch (ArgumentException e)
        {
            // And this one on an escape that makes no character ("\uD800\u0000" in a double-quoted scalar: a high
            // surrogate with no low one after it). Found by the hostile-input suite's fuzzer, like the one above.
            problems.Add(new Problem("", $"this is not valid YAML: an escape in a quoted text makes no character ({e.Message.Split(" (Parameter", 2)[0]})",
                "Check the \\u and \\x escapes of the quoted text after this place: a \\uD800-\\uDFFF escape is only half a character")
            {
                Location = parser.LastRead is { } mark ? At(mark) : null,
            });
            return null;
        }
        catch (YamlException e)
        {
            problems.Add(new Problem("", $"this is not valid YAML: {e.InnerException?.Message ?? e.Message}",
                "Check the indentation (spaces only) and that every `key: value` has a space after the colon")
            {
                Location = At(e.Start),
            });
            return null;
        }
    }

    /// <summary>One node and its children; <paramref name="depth"/> is the node's nesting level (the root's is 1).</summary>
    private static DocumentNode ReadNode(IParser parser, int depth)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
            return new ScalarNode(isNull ? null : scalar.Value, isNull ? ScalarKind.Null : ScalarKind.Text) { Location = At(scalar.Start) };
        }

        // Checked before descending: YamlDotNet's parser does not recurse, this reader does (see LabFormat.MaxNestingDepth).
        if (depth > LabFormat.MaxNestingDepth && parser.Current is SequenceStart or MappingStart)
        {
            throw new NestingTooDeepException(At(parser.Current.Start));
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<DocumentNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, depth + 1));
            }

            return new SequenceNode(items) { Location = At(sequenceStart.Start) };
        }

        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<KeyValuePair<ScalarNode, DocumentNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, depth + 1);
                var key = keyNode as ScalarNode ?? throw new YamlException(parser.Current!.Start, parser.Current.End, "a key must be a plain word");
                entries.Add(new(key, ReadNode(parser, depth + 1)));
            }

            return new MappingNode(entries) { Location = At(mappingStart.Start) };
        }

        var unexpected = parser.Current!;
        throw new YamlException(unexpected.Start, unexpected.End, unexpected is AnchorAlias
            ? "anchors and aliases (&name, *name) are not supported in NetLab's files"
            : $"unexpected {unexpected.GetType().Name}");
    }

    private static SourceLocation At(Mark mark) => new((int)mark.Line, (int)mark.Column);

    /// <summary>Where the text ends: its last line, one column past its last character.</summary>
    private static SourceLocation End(string text)
    {
        var lastLine = text.LastIndexOf('\n');
        return new SourceLocation(text.Count(c => c == '\n') + 1, text.Length - lastLine);
    }

    public static string Write(DocumentNode root)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(bestIndent: 2, bestWidth: 120, isCanonical: false, maxSimpleKeyLength: 1024, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        WriteNode(emitter, root, insideFlow: false);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void WriteNode(IEmitter emitter, DocumentNode node, bool insideFlow)
    {
        switch (node)
        {
            case ScalarNode scalar:
                emitter.Emit(ToScalar(scalar));
                break;
            case SequenceNode sequence:
                var flowSequence = insideFlow || sequence.Flow;
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, flowSequence ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in sequence.Items)
                {
                    WriteNode(emitter, item, flowSequence);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case MappingNode mapping:
                var flowMapping = insideFlow || mapping.Flow;
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, flowMapping ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in mapping.Entries)
                {
                    emitter.Emit(ToScalar(key));
                    WriteNode(emitter, value, flowMapping);
                }

                emitter.Emit(new MappingEnd());
                break;
        }
    }

    private static Scalar ToScalar(ScalarNode scalar) => scalar.Kind switch
    {
        ScalarKind.Null => new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, true, false),
        ScalarKind.Number or ScalarKind.Boolean => new Scalar(AnchorName.Empty, TagName.Empty, scalar.Value!, ScalarStyle.Plain, true, false),
        // Text that YAML would read as something else (true, 12, null, ...) gets quotes; the emitter decides that.
        // So does text that a plain scalar would not keep as it is: whitespace at either end (YamlDotNet's emitter wrote
        // "x\t" plain, and the tab was gone when read back; found by the hostile-input suite's fuzzer) or control characters.
        _ => new Scalar(AnchorName.Empty, TagName.Empty, scalar.Value!, LooksLikeNonText(scalar.Value!) || !KeptPlain(scalar.Value!) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, true, true),
    };

    private static bool KeptPlain(string value) =>
        value.Length == 0 || (!char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1]) && !value.Any(c => char.IsControl(c) && c != '\n'));

    private static bool LooksLikeNonText(string value) =>
        value is "" or "~" or "null" or "Null" or "NULL" or "true" or "false" or "True" or "False" or "yes" or "no" or "on" or "off"
        || double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _)
        // YAML 1.1 readers take digits with colons (a MAC such as 02:00:00:00:01:01) for a base-60 number.
        || value.All(c => char.IsAsciiDigit(c) || c == ':');

    /// <summary>The parser, remembering where the last event it read ended: where to point when it throws something bare.</summary>
    private sealed class MarkedParser(IParser inner) : IParser
    {
        public Mark? LastRead { get; private set; }

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } current)
            {
                LastRead = current.End;
            }

            return inner.MoveNext();
        }
    }
}
