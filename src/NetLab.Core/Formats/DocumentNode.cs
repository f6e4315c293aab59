using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

/// <summary>
/// The tree both YAML and JSON are read into and written from, with the position of every node, so that one
/// reader gives the same messages (with line and column) for either format.
/// </summary>
internal abstract record DocumentNode
{
    public SourceLocation? Location { get; init; }

    public abstract string Describe();
}

internal enum ScalarKind
{
    Text,
    Number,
    Boolean,
    Null,
}

internal sealed record ScalarNode(string? Value, ScalarKind Kind) : DocumentNode
{
    public override string Describe() => Value is null ? "nothing" : $"'{Value}'";
}

internal sealed record SequenceNode(IReadOnlyList<DocumentNode> Items) : DocumentNode
{
    public bool Flow { get; init; }

    public override string Describe() => "a list";
}

internal sealed record MappingNode(IReadOnlyList<KeyValuePair<ScalarNode, DocumentNode>> Entries) : DocumentNode
{
    /// <summary>Written on one line ({ a: 1, b: 2 }) when small, for readability.</summary>
    public bool Flow { get; init; }

    public override string Describe() => "a mapping";
}

/// <summary>A list or mapping nested deeper than <see cref="LabFormat.MaxNestingDepth"/>; thrown before the reader descends into it.</summary>
internal sealed class NestingTooDeepException(SourceLocation location) : Exception("lists and mappings nested too deep")
{
    public SourceLocation Location { get; } = location;
}
