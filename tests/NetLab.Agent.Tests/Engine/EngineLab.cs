using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Netlink;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// A real engine on the real kernel with a namespace prefix of its own ("nltest-e{pid}-{n}-"), so tests never meet
/// each other's (or anyone's) labs; on dispose every namespace with that prefix is deleted, also after a failure.
/// </summary>
internal sealed class EngineLab : IDisposable
{
    private static int _counter;

    /// <param name="configure">Changes the engine's options (its limits, say); the prefix and records stay the lab's own.</param>
    public EngineLab(Func<AgentOptions, AgentOptions>? configure = null)
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("Engine tests change the kernel and need root; run the suite as root.");
        }

        Prefix = $"nltest-e{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter)}-";
        // Records of its own too, so that a test's foreign namespaces and crashes never meet another test's records.
        var options = new AgentOptions { NamespacePrefix = Prefix, NamespaceRecordDirectory = $"/run/netlab-tests/{Prefix}records" };
        Options = configure?.Invoke(options) ?? options;
        Engine = new LabEngine(Options);
    }

    public string Prefix { get; }

    public AgentOptions Options { get; }

    public LabEngine Engine { get; private set; }

    /// <summary>A new engine over the same kernel state, as after an agent restart.</summary>
    public LabEngine Restart()
    {
        Engine.Dispose();
        Engine = new LabEngine(Options);
        return Engine;
    }

    public string Kernel(string lab, string element) => $"{Prefix}{lab}.{element}";

    public IReadOnlyList<string> Namespaces() => NetworkNamespace.ListNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// `ip netns add` of a lab's kernel name, as someone other than NetLab would; disposing deletes it (with `ip netns
    /// del`) if it is still there. <see cref="Dispose"/> deletes it too, since it carries this engine's prefix.
    /// </summary>
    public ForeignNamespace AddForeign(string lab, string element)
    {
        var name = Kernel(lab, element);
        Assert.Equal(0, Run("ip", "netns", "add", name));
        return new ForeignNamespace(name);
    }

    public sealed class ForeignNamespace(string name) : IDisposable
    {
        public string Name { get; } = name;

        public void Dispose()
        {
            if (NetworkNamespace.Exists(Name))
            {
                Run("ip", "netns", "del", Name);
            }
        }
    }

    public static Lab LoadLab(string file)
    {
        var result = LabFormat.LoadAndValidate(RepositoryFiles.Lab(file), LabFileFormat.Yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        return result.Lab!;
    }

    public static Lab ParseLab(string yaml)
    {
        var result = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        return result.Lab!;
    }

    /// <summary>
    /// `ip netns exec ... ping` as the oracle. It waits two seconds, not ping's one: a first ARP lost to a busy machine
    /// is retried by the kernel after one second, and the reply must still count.
    /// </summary>
    public bool Ping(string lab, string element, string target) =>
        Run("ip", "netns", "exec", Kernel(lab, element), "ping", "-c", "1", "-W", "2", "-q", target) == 0;

    /// <summary>Links in this engine's namespaces that are up with a carrier but not yet seen so by the kernel's link watcher.</summary>
    public IReadOnlyList<string> UnsettledLinks()
    {
        var unsettled = new List<string>();
        foreach (var name in Namespaces())
        {
            using var handle = NetlinkHandle.ForNamed(name);
            unsettled.AddRange(handle.LinkList().Where(NetlinkHandle.IsAwaitingLinkWatch).Select(l => $"{name}/{l.Name} ({l.OperState})"));
        }

        return unsettled;
    }

    /// <summary>Tries an 802.1Q link in a scratch namespace of this lab's own.</summary>
    public bool KernelCanCreateVlan()
    {
        var name = $"{Prefix}probe";
        using var probe = NetlinkHandle.CreateNamespace(name);
        try
        {
            probe.LinkAdd(new Veth { Name = "d", PeerName = "e" });
            probe.LinkAdd(new Vlan { Name = "d.5", ParentIndex = probe.LinkByName("d")!.Index, VlanId = 5 });
            return true;
        }
        catch (NetlinkException error) when (error.IsUnsupported)
        {
            return false;
        }
        finally
        {
            NetworkNamespace.Delete(name);
        }
    }

    public static int Run(string program, params string[] arguments) => ExternalCommand.Run(program, arguments).ExitCode;

    public static void AssertSucceeded(ApplyResult result) =>
        Assert.True(result.Succeeded, $"apply failed at {result.Failure?.Operation.Command} ({result.Failure?.Operation.Source}): {result.Failure?.Message}");

    public void Dispose()
    {
        try
        {
            Engine.Dispose();
        }
        finally
        {
            DeleteEverythingWithThePrefix();
        }
    }

    private void DeleteEverythingWithThePrefix()
    {
        // Every name goes even when one delete fails (one already gone raises ENOENT), and names are listed again until
        // none is left: a leftover must never outlive the test, and one that cannot be deleted is said by name.
        var failures = new List<string>();
        for (var round = 0; round < 3 && Namespaces() is { Count: > 0 } left; round++)
        {
            failures.Clear();
            foreach (var name in left)
            {
                try
                {
                    NetworkNamespace.Delete(name);
                }
                catch (Exception error) when (error is NetLab.Netlink.NetlinkException or IOException)
                {
                    failures.Add($"{name}: {error.Message}");
                }
            }
        }

        if (Directory.Exists(Options.NamespaceRecordDirectory))
        {
            Directory.Delete(Options.NamespaceRecordDirectory, recursive: true);
        }

        if (Namespaces() is { Count: > 0 } leftover)
        {
            throw new InvalidOperationException($"The test left namespaces it could not delete: {string.Join(", ", leftover)} ({string.Join("; ", failures)})");
        }
    }
}
