using System.Text;
using System.Text.Json;
using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

/// <summary>JSON text to and from <see cref="DocumentNode"/>, token by token, so every node keeps its line and column.</summary>
internal static class JsonText
{
    public static DocumentNode? Read(string text, List<Problem> problems, DocumentKind kind)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = LineStarts(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            // One more than the readers' limit, so that ReadNode refuses with the document kind's own message first.
            MaxDepth = LabFormat.MaxNestingDepth + 1,
        });
        try
        {
            if (!reader.Read())
            {
                problems.Add(new Problem("", "the file is empty", kind.JsonStart));
                return null;
            }

            return ReadNode(ref reader, lineStarts, depth: 1);
        }
        catch (NestingTooDeepException e)
        {
            problems.Add(kind.TooDeep(e.Location));
            return null;
        }
        catch (JsonException e)
        {
            problems.Add(new Problem("", $"this is not valid JSON: {e.Message}", "Check for a missing comma, quote or bracket near that place")
            {
                Location = e.LineNumber is { } line ? new SourceLocation((int)line + 1, (int)(e.BytePositionInLine ?? 0) + 1) : null,
            });
            return null;
        }
    }

    /// <summary>One node and its children; <paramref name="depth"/> is the node's nesting level (the root's is 1).</summary>
    private static DocumentNode ReadNode(ref Utf8JsonReader reader, List<int> lineStarts, int depth)
    {
        var location = Locate(lineStarts, (int)reader.TokenStartIndex);
        if (depth > LabFormat.MaxNestingDepth && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            throw new NestingTooDeepException(location);
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<ScalarNode, DocumentNode>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = new ScalarNode(StringOf(ref reader, lineStarts), ScalarKind.Text) { Location = Locate(lineStarts, (int)reader.TokenStartIndex) };
                    reader.Read();
                    entries.Add(new(key, ReadNode(ref reader, lineStarts, depth + 1)));
                }

                return new MappingNode(entries) { Location = location };
            case JsonTokenType.StartArray:
                var items = new List<DocumentNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadNode(ref reader, lineStarts, depth + 1));
                }

                return new SequenceNode(items) { Location = location };
            case JsonTokenType.String:
                return new ScalarNode(StringOf(ref reader, lineStarts), ScalarKind.Text) { Location = location };
            case JsonTokenType.Number:
                return new ScalarNode(Encoding.UTF8.GetString(reader.ValueSpan), ScalarKind.Number) { Location = location };
            case JsonTokenType.True or JsonTokenType.False:
                return new ScalarNode(reader.GetBoolean() ? "true" : "false", ScalarKind.Boolean) { Location = location };
            default:
                return new ScalarNode(null, ScalarKind.Null) { Location = location };
        }
    }

    /// <summary>
    /// The string token's text. An escaped lone surrogate ("\uD800") is valid JSON syntax that no .NET string can hold
    /// as text: the reader throws InvalidOperationException for it (found by the hostile-input suite's fuzzer), which
    /// is turned into the JsonException of a bad file at the string's place.
    /// </summary>
    private static string? StringOf(ref Utf8JsonReader reader, List<int> lineStarts)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException e)
        {
            var at = Locate(lineStarts, (int)reader.TokenStartIndex);
            throw new JsonException($"{e.Message} Write the character itself, or a \\u escape of a whole surrogate pair.", null, at.Line - 1, at.Column - 1);
        }
    }

    private static List<int> LineStarts(byte[] bytes)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static SourceLocation Locate(List<int> lineStarts, int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return new SourceLocation(line + 1, offset - lineStarts[line] + 1);
    }

    public static string Write(DocumentNode root)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            WriteNode(writer, root);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNode(Utf8JsonWriter writer, DocumentNode node)
    {
        switch (node)
        {
            case ScalarNode { Kind: ScalarKind.Null }:
                writer.WriteNullValue();
                break;
            case ScalarNode { Kind: ScalarKind.Boolean } scalar:
                writer.WriteBooleanValue(scalar.Value == "true");
                break;
            case ScalarNode { Kind: ScalarKind.Number } scalar:
                writer.WriteRawValue(scalar.Value!);
                break;
            case ScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
            case SequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    WriteNode(writer, item);
                }

                writer.WriteEndArray();
                break;
            case MappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Entries)
                {
                    writer.WritePropertyName(key.Value!);
                    WriteNode(writer, value);
                }

                writer.WriteEndObject();
                break;
        }
    }
}
