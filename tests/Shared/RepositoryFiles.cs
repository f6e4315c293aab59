namespace NetLab;

/// <summary>
/// The checkout's files (the example labs, scripts) for every test project, found by walking up from the test's
/// folder to the one holding NetLab.sln. Linked into each test project by tests/Directory.Build.props; in the root
/// namespace so that every NetLab.*.Tests namespace sees it without a using.
/// </summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string LabsFolder => Path.Combine(Root, "labs");

    /// <summary>The text of an example lab, e.g. "macvlan-bridge.yaml".</summary>
    public static string Lab(string file) => File.ReadAllText(Path.Combine(LabsFolder, file));

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
