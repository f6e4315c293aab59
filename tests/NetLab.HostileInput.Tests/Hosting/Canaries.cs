using NetLab.Netlink.Namespaces;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// Namespaces NetLab did not make, each holding a veth pair, planted around a hostile case to show that nothing it
/// sends reaches them: one under the agent's own prefix named as lab "victim"'s element "ns1" would be (made by hand,
/// as `ip netns add` does), and one outside the prefix. Disposing deletes both.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Canaries : IDisposable
{
    public const string VictimLab = "victim";

    private Canaries(string underPrefix, string outside)
    {
        UnderPrefix = underPrefix;
        Outside = outside;
    }

    public string UnderPrefix { get; }

    public string Outside { get; }

    public static Canaries Plant(NetlabUp up)
    {
        var canaries = new Canaries(up.Kernel(VictimLab, "ns1"), $"nltest-hc{Environment.ProcessId}");
        foreach (var name in new[] { canaries.UnderPrefix, canaries.Outside })
        {
            if (!NetworkNamespace.Exists(name))
            {
                Run("ip", "netns", "add", name);
                Run("ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            }
        }

        return canaries;
    }

    /// <summary>Both namespaces are still there, each with its veth pair.</summary>
    public void AssertUntouched()
    {
        foreach (var name in new[] { UnderPrefix, Outside })
        {
            Assert.True(NetworkNamespace.Exists(name), $"the namespace {name}, which NetLab did not make, is gone");
            var (exit, output) = ExternalCommand.Run("ip", "-n", name, "-o", "link", "show");
            Assert.True(exit == 0 && output.Contains("v0@v1", StringComparison.Ordinal) && output.Contains("v1@v0", StringComparison.Ordinal), $"the veth pair in {name} changed:\n{output}");
        }
    }

    public void Dispose()
    {
        foreach (var name in new[] { UnderPrefix, Outside })
        {
            if (NetworkNamespace.Exists(name))
            {
                _ = ExternalCommand.Run("ip", "netns", "del", name);
            }
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var (exit, output) = ExternalCommand.Run(program, arguments);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} failed ({exit}): {output}");
    }
}
