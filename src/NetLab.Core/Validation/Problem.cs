namespace NetLab.Core.Validation;

/// <summary>
/// One thing wrong with a lab: where (the path to the field, e.g. `namespaces.ns2.interfaces.macvlan2.parent`,
/// and the line/column when the lab came from a file), what is wrong, and how to fix it.
/// </summary>
public sealed record Problem(string Path, string Message, string Hint)
{
    public SourceLocation? Location { get; init; }

    public override string ToString()
    {
        var where = Location is { } l ? $"{Path} (line {l.Line}, column {l.Column})" : Path;
        return string.IsNullOrEmpty(Hint) ? $"{where}: {Message}" : $"{where}: {Message}. {Hint}";
    }
}

/// <summary>1-based line and column in a lab file.</summary>
public readonly record struct SourceLocation(int Line, int Column);

/// <summary>Thrown when a lab with problems reaches something that would change the kernel.</summary>
public sealed class InvalidLabException(IReadOnlyList<Problem> problems)
    : Exception("The lab is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<Problem> Problems { get; } = problems;
}
