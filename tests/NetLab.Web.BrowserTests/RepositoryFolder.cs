namespace NetLab.Web.BrowserTests;

/// <summary>The checkout's root folder (the one holding NetLab.sln), found by walking up from the test's folder.</summary>
internal static class RepositoryFolder
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "NetLab.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("NetLab.sln not found above " + AppContext.BaseDirectory);
    }
}
