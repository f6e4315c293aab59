namespace NetLab.Web.Model;

/// <summary>An example lab offered as the start of a new lab.</summary>
public sealed record LabTemplate(string Name, string Description, string Yaml);

/// <summary>The example labs of the top-level <c>labs/</c> folder (not its <c>invalid/</c> ones).</summary>
public sealed class LabTemplates(string? folder)
{
    private readonly Lazy<IReadOnlyList<LabTemplate>> _all = new(() => Load(folder ?? RepositoryFolders.Templates()));

    public IReadOnlyList<LabTemplate> All => _all.Value;

    private static IReadOnlyList<LabTemplate> Load(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(folder, "*.yaml", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .Select(file => new LabTemplate(Path.GetFileNameWithoutExtension(file), FirstCommentLine(File.ReadAllText(file)), File.ReadAllText(file)))];
    }

    private static string FirstCommentLine(string yaml) =>
        yaml.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim() ?? "";
}
