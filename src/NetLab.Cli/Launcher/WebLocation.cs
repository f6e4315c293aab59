namespace NetLab.Cli.Launcher;

/// <summary>
/// Where NetLab.Web.dll is: given with --web, or found from the CLI's own folder in the supported layouts
/// (docs/deploy.md): published into <c>web/</c> next to the CLI, in the same folder, or, in a checkout, the
/// web project's publish (<c>dotnet publish src/NetLab.Web</c>) or build output.
/// </summary>
internal static class WebLocation
{
    public const string AssemblyFile = "NetLab.Web.dll";

    public static string Find(string? requested, string cliFolder)
    {
        if (requested is not null)
        {
            var path = Directory.Exists(requested) ? Path.Combine(requested, AssemblyFile) : requested;
            return File.Exists(path)
                ? Path.GetFullPath(path)
                : throw new ArgumentException($"--web {requested}: no {AssemblyFile} there");
        }

        return Candidates(cliFolder).FirstOrDefault(File.Exists)
            ?? throw new ArgumentException(
                $"{AssemblyFile} not found next to {cliFolder}: publish the web into its web/ folder " +
                $"(`dotnet publish src/NetLab.Web -o {Path.Combine(cliFolder, "web")}`) or give its path with --web");
    }

    private static IEnumerable<string> Candidates(string cliFolder)
    {
        yield return Path.Combine(cliFolder, "web", AssemblyFile);
        yield return Path.Combine(cliFolder, AssemblyFile);

        // A checkout: the CLI runs from src/NetLab.Cli/bin/<Configuration>/<tfm>/. A published web comes first, the newest
        // one: a plain build's static-asset manifest points into the builder's NuGet cache, which the web user may not read.
        for (var folder = new DirectoryInfo(cliFolder); folder is not null; folder = folder.Parent)
        {
            var webBin = Path.Combine(folder.FullName, "src", "NetLab.Web", "bin");
            if (Directory.Exists(webBin))
            {
                foreach (var built in Directory.EnumerateFiles(webBin, AssemblyFile, SearchOption.AllDirectories)
                    .OrderByDescending(path => Path.GetFileName(Path.GetDirectoryName(path)) == "publish")
                    .ThenByDescending(File.GetLastWriteTimeUtc))
                {
                    yield return built;
                }

                yield break;
            }
        }
    }
}
