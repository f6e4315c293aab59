using NetLab.Core.Experiments;
using NetLab.Core.Formats;

namespace NetLab.Web.Model;

/// <summary>An example lab offered as the start of a new lab, with its guide (<c>labs/NAME.md</c>) when it has one.</summary>
public sealed record LabTemplate(string Name, string Description, string Yaml, LabGuide? Guide = null)
{
    /// <summary>The lab's own name (its YAML <c>name</c>), which labs made from the template keep unless renamed.</summary>
    public string? LabName { get; init; }

    /// <summary>The note of the first revision of a lab made from the template.</summary>
    public string CreatedNote => $"from template {Name}";
}

/// <summary>The example labs of the top-level <c>labs/</c> folder (not its <c>invalid/</c> ones), each with its guide.</summary>
public sealed class LabTemplates(string? folder)
{
    private readonly Lazy<IReadOnlyList<LabTemplate>> _all = new(() => Load(folder ?? RepositoryFolders.Templates()));

    public IReadOnlyList<LabTemplate> All => _all.Value;

    /// <summary>The template of file name <paramref name="name"/> (<c>labs/NAME.yaml</c>), or null.</summary>
    public LabTemplate? Named(string? name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The guide for a lab: the template whose lab name or file name is <paramref name="labName"/>.</summary>
    public LabGuide? GuideFor(string? labName) =>
        labName is null ? null : All.FirstOrDefault(t => t.Guide is not null && (t.LabName == labName || t.Name == labName))?.Guide;

    private static IReadOnlyList<LabTemplate> Load(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder, "*.yaml", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .Select(file =>
            {
                var yaml = File.ReadAllText(file);
                var guideFile = Path.ChangeExtension(file, ".md");
                var guide = File.Exists(guideFile) ? ReadGuide(guideFile) : null;
                return new LabTemplate(Path.GetFileNameWithoutExtension(file), FirstCommentLine(yaml), yaml, guide)
                {
                    LabName = LabFormat.LoadYaml(yaml).Lab?.Name,
                };
            })];
    }

    /// <summary>
    /// A malformed guide must not hide its template; the tests keep every shipped guide readable. A guide file larger
    /// than <see cref="GuideMarkdown.MaxChars"/> bytes is not read at all: its template gets a guide that says so.
    /// </summary>
    internal static LabGuide? ReadGuide(string file)
    {
        var length = new FileInfo(file).Length;
        if (length > GuideMarkdown.MaxChars)
        {
            return new LabGuide(Path.GetFileName(file), GuideMarkdown.TooLongMessage(length), "", [], [], "");
        }

        try
        {
            return LabGuide.Parse(File.ReadAllText(file));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string FirstCommentLine(string yaml) =>
        yaml.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim() ?? "";
}
