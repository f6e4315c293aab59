namespace NetLab.Core.Tests;

/// <summary>Finds files of the repository (the example labs) from wherever the test runner starts.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string LabsFolder => Path.Combine(Root, "labs");

    public static IEnumerable<string> ExampleLabs() =>
        Directory.GetFiles(LabsFolder, "*.yaml").Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetLab.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("NetLab.sln not found above " + AppContext.BaseDirectory);
    }
}
