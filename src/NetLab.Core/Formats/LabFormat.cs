using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

public enum LabFileFormat
{
    Yaml,
    Json,
}

/// <summary>
/// The outcome of reading a lab file: the lab when it could be read, and every problem found. Problems found later
/// by the validator can be placed on the file's lines through <see cref="Locate"/>.
/// </summary>
public sealed record LoadResult(Lab? Lab, ValueList<Problem> Problems, IReadOnlyDictionary<string, SourceLocation> Locations)
{
    public bool Succeeded => Lab is not null && Problems.Count == 0;

    /// <summary>The problem with the line and column of its path (or of the nearest enclosing path written in the file).</summary>
    public Problem Locate(Problem problem) => SourceLocations.Locate(problem, Locations);
}

/// <summary>Reading and writing labs as YAML (the human format) and JSON.</summary>
public static class LabFormat
{
    /// <summary>
    /// The largest lab text read, in UTF-8 bytes. A lab of a few thousand interfaces is a few hundred KB (the bench's
    /// 200-namespace lab is 22 KB); the limit keeps a hostile text from costing the agent or the web its memory.
    /// </summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>
    /// The deepest nesting of lists and mappings read. A lab needs 6 (lab, namespaces, a namespace, interfaces, an
    /// interface, addresses); the readers descend recursively, so a deeper text is refused before it can exhaust the
    /// stack (a stack overflow ends a .NET process and cannot be caught).
    /// </summary>
    public const int MaxNestingDepth = 64;

    public static LoadResult Load(string text, LabFileFormat format)
    {
        var problems = new List<Problem>();
        var root = DocumentText.Read(text, format, DocumentKind.Lab, problems);
        if (root is null)
        {
            return new LoadResult(null, problems.ToValueList(), new Dictionary<string, SourceLocation>());
        }

        var reader = new LabReader(problems);
        var lab = reader.Read(root);
        return new LoadResult(problems.Count == 0 ? lab : null, problems.ToValueList(), reader.Locations);
    }

    public static LoadResult LoadYaml(string text) => Load(text, LabFileFormat.Yaml);

    public static LoadResult LoadJson(string text) => Load(text, LabFileFormat.Json);

    /// <summary>
    /// Reads and validates in one step: the lab comes back only when it has no problem at all; otherwise every
    /// problem, file syntax first, each with its line and column where the file has one.
    /// </summary>
    public static LoadResult LoadAndValidate(string text, LabFileFormat format)
    {
        var loaded = Load(text, format);
        if (loaded.Lab is null)
        {
            return loaded;
        }

        var problems = LabValidator.Validate(loaded.Lab).Select(loaded.Locate).ToValueList();
        return loaded with { Lab = problems.Count == 0 ? loaded.Lab : null, Problems = problems };
    }

    /// <summary>Chooses the format by file extension: .json is JSON, anything else YAML.</summary>
    public static LabFileFormat FormatOf(string fileName) =>
        fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? LabFileFormat.Json : LabFileFormat.Yaml;

    public static string Save(Lab lab, LabFileFormat format)
    {
        var root = LabWriter.Write(lab);
        return format == LabFileFormat.Json ? JsonText.Write(root) : YamlText.Write(root);
    }

    public static string ToYaml(Lab lab) => Save(lab, LabFileFormat.Yaml);

    public static string ToJson(Lab lab) => Save(lab, LabFileFormat.Json);
}
