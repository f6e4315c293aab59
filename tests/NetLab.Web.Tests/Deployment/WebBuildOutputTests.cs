using System.Text.Json;

namespace NetLab.Web.Tests.Deployment;

/// <summary>
/// The web runs unprivileged and talks to the agent over its socket only: its build must not carry the netlink engine
/// (NetLab.Netlink, with its P/Invoke code) or the agent. This test project itself references the agent to host one in
/// tests, so its own folder proves nothing; the web project's own output folder and its deps.json are checked.
/// </summary>
public sealed class WebBuildOutputTests
{
    private static readonly string[] Forbidden = ["NetLab.Netlink", "NetLab.Agent"];

    /// <summary>src/NetLab.Web/bin/{Release|Debug}/net10.0/, the configuration this test was built in.</summary>
    private static string WebOutputFolder()
    {
        var testFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testFolder.Name;
        var configuration = testFolder.Parent!.Name;
        return Path.Combine(RepositoryFiles.Root, "src", "NetLab.Web", "bin", configuration, framework);
    }

    [Fact]
    public void The_web_output_folder_holds_neither_the_netlink_engine_nor_the_agent()
    {
        var folder = WebOutputFolder();
        var assemblies = Directory.GetFiles(folder, "*.dll").Select(Path.GetFileNameWithoutExtension).ToList();

        // The folder is the web's: it holds the web and the client it does use.
        Assert.Contains("NetLab.Web", assemblies);
        Assert.Contains("NetLab.Agent.Client", assemblies);
        Assert.All(Forbidden, name => Assert.DoesNotContain(name, assemblies));
    }

    [Fact]
    public void The_web_deps_file_lists_neither_the_netlink_engine_nor_the_agent()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(WebOutputFolder(), "NetLab.Web.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name.Split('/')[0]).ToList();

        Assert.Contains("NetLab.Agent.Client", libraries);
        Assert.All(Forbidden, name => Assert.DoesNotContain(name, libraries));
    }

    [Fact]
    public void The_web_assembly_references_neither_the_netlink_engine_nor_the_agent()
    {
        var references = typeof(WebOptions).Assembly.GetReferencedAssemblies().Select(name => name.Name).ToList();

        Assert.Contains("NetLab.Agent.Client", references);
        Assert.Contains("NetLab.Core", references);
        Assert.All(Forbidden, name => Assert.DoesNotContain(name, references));
    }
}
