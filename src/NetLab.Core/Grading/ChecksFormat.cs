using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Core.Grading;

/// <summary>
/// The outcome of reading a checks file: the document when it could be read, and every problem found, each with its
/// path (checks[3].from) and, where the text has one, its line and column.
/// </summary>
public sealed record ChecksLoadResult(ChecksDocument? Document, ValueList<Problem> Problems, IReadOnlyDictionary<string, SourceLocation> Locations)
{
    public bool Succeeded => Document is not null && Problems.Count == 0;

    /// <summary>The problem with the line and column of its path, or of the nearest enclosing path written in the file.</summary>
    public Problem Locate(Problem problem) => SourceLocations.Locate(problem, Locations);
}

/// <summary>
/// Reading and writing checks files (docs/checks.md) as YAML and JSON with the bounded readers labs use: the size and
/// nesting limits are checked before any recursion, and every problem is reported with its place instead of thrown.
/// </summary>
public static class ChecksFormat
{
    /// <summary>
    /// The most checks one document holds. A 60-namespace lab's generated checks (every pair plus each interface's
    /// state) are about 3,700, far more than anyone grades by; an assignment checks tens. The limit keeps a hostile
    /// file from costing the grader its memory and time (each check is graded against every observation).
    /// </summary>
    public const int MaxChecks = 1024;

    /// <summary>
    /// The largest checks text read, in UTF-8 bytes: 1024 checks written one a line are about 60 KB, so 256 KiB leaves
    /// room for comments and long names.
    /// </summary>
    public const int MaxDocumentBytes = 256 * 1024;

    internal static DocumentKind Kind { get; } = new(
        "a checks file",
        MaxDocumentBytes,
        "256 KiB",
        "a checks file needs 3",
        "Start with `checks:` followed by lines such as `- { from: ns2, reaches: 100.0.0.3 }`",
        "Start with { \"checks\": [ { \"from\": \"ns2\", \"reaches\": \"100.0.0.3\" } ] }",
        $"A checks file of {MaxChecks} checks fits easily: remove what does not belong to it (long comments, pasted output)",
        "checks document",
        "docs/checks.md");

    public static ChecksLoadResult Load(string text, LabFileFormat format)
    {
        var problems = new List<Problem>();
        var root = DocumentText.Read(text, format, Kind, problems);
        if (root is null)
        {
            return new ChecksLoadResult(null, problems.ToValueList(), new Dictionary<string, SourceLocation>());
        }

        var reader = new ChecksReader(problems);
        var document = reader.Read(root);
        return new ChecksLoadResult(problems.Count == 0 ? document : null, problems.ToValueList(), reader.Locations);
    }

    public static ChecksLoadResult LoadYaml(string text) => Load(text, LabFileFormat.Yaml);

    public static ChecksLoadResult LoadJson(string text) => Load(text, LabFileFormat.Json);

    /// <summary>
    /// Reads and validates against the lab the checks grade, in one step: the document comes back only when it has no
    /// problem at all; otherwise every problem, file syntax first, each with its line and column where the file has one.
    /// </summary>
    public static ChecksLoadResult LoadAndValidate(string text, LabFileFormat format, Lab lab)
    {
        var loaded = Load(text, format);
        if (loaded.Document is null)
        {
            return loaded;
        }

        var problems = ChecksValidator.Validate(loaded.Document, lab).Select(loaded.Locate).ToValueList();
        return loaded with { Document = problems.Count == 0 ? loaded.Document : null, Problems = problems };
    }

    public static string Save(ChecksDocument document, LabFileFormat format)
    {
        var root = ChecksWriter.Write(document);
        return format == LabFileFormat.Json ? JsonText.Write(root) : YamlText.Write(root);
    }

    public static string ToYaml(ChecksDocument document) => Save(document, LabFileFormat.Yaml);

    public static string ToJson(ChecksDocument document) => Save(document, LabFileFormat.Json);
}
