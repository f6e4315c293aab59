namespace NetLab.Web;

/// <summary>
/// The repository's top-level folders the web uses (<c>wwwroot/</c>, <c>labs/</c>), found by walking up from the
/// working folder and the app's folder, so `dotnet run`, tests and a container (which copies them next to the app)
/// all find them.
/// </summary>
public static class RepositoryFolders
{
    public static string WebRoot() => Find("wwwroot") ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static string? Templates() => Find("labs");

    private static string? Find(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, name);
                if (Directory.Exists(candidate) && (name != "labs" || Directory.EnumerateFiles(candidate, "*.yaml").Any()))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
