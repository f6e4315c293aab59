using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Netlink.Namespaces;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// The real agent (engine and socket API) in this process, on a socket in a temp folder, with the namespace prefix
/// "nltest-b{pid}-" so that scripts/test.sh's leak check covers it. Disposing stops it and deletes every namespace
/// with that prefix, also after a failed journey. bench/NetLab.Web.Benchmarks compiles this file too.
/// </summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly string _folder;
    private readonly LabEngine _engine;
    private readonly AgentHost _host;

    private InProcessAgent(string folder, string prefix, LabEngine engine, AgentHost host)
    {
        _folder = folder;
        Prefix = prefix;
        _engine = engine;
        _host = host;
    }

    public string Prefix { get; }

    public string SocketPath => _host.Options.SocketPath;

    /// <param name="cancel">Cancels the start.</param>
    /// <param name="prefixStem">The namespace prefix before the pid: tests use nltest-b, the web benchmark nlbench-w.</param>
    public static async Task<InProcessAgent> StartAsync(CancellationToken cancel, string prefixStem = "nltest-b")
    {
        var prefix = $"{prefixStem}{Environment.ProcessId % 100000}-";
        DeleteNamespaces(prefix);
        var folder = Directory.CreateTempSubdirectory("netlab-browser-agent-").FullName;
        var options = new AgentOptions { NamespacePrefix = prefix, SocketPath = Path.Combine(folder, "agent.sock") };
        var engine = new LabEngine(options);
        var host = AgentHost.Create(options, engine);
        try
        {
            await host.StartAsync(cancel);
        }
        catch
        {
            await host.DisposeAsync();
            engine.Dispose();
            Directory.Delete(folder, recursive: true);
            throw;
        }

        return new InProcessAgent(folder, prefix, engine, host);
    }

    /// <summary>The kernel name of a lab element's namespace (the lab applied from the page, see <see cref="KernelLab"/>).</summary>
    public string Kernel(string lab, string element) => $"{Prefix}{KernelLab(lab)}.{element}";

    /// <summary>
    /// The kernel name the web gave the lab called <paramref name="lab"/> (its name cut to 16 characters, '-' and a
    /// per-lab id; see LabStore): the one applied lab whose namespaces carry that stem. The journeys apply one lab each,
    /// so more than one (or none) is the journey's failure, said as such.
    /// </summary>
    public string KernelLab(string lab)
    {
        var stem = NetLab.Core.Planning.NamingScheme.KernelLabStem(lab);
        var labs = Namespaces()
            .Select(name => name[Prefix.Length..name.LastIndexOf('.')])
            .Where(kernelLab => kernelLab.StartsWith(stem, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return labs.Count == 1 ? labs[0]
            : throw new InvalidOperationException($"expected one applied kernel lab for {lab} (names {Prefix}{stem}*), found {labs.Count}: {string.Join(", ", labs)}");
    }

    public IReadOnlyList<string> Namespaces() => NamespacesWith(Prefix);

    /// <summary>The namespaces of the kernel lab <paramref name="kernelLab"/> (a lab's kernel name, as its page shows it).</summary>
    public IReadOnlyList<string> NamespacesOfKernelLab(string kernelLab) => NamespacesWith($"{Prefix}{kernelLab}.");

    /// <summary>Removes a kernel lab by its kernel name, as the agent's destroy does (for journeys with several labs of one template).</summary>
    public async Task DestroyKernelLabAsync(string kernelLab)
    {
        var result = await _engine.DestroyAsync(kernelLab);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"destroying kernel lab {kernelLab} failed: {result.Failure?.Message}");
        }
    }

    /// <summary>Removes a lab as the agent's destroy does (for journeys that do not destroy through the page).</summary>
    public async Task DestroyAsync(string lab)
    {
        var result = await _engine.DestroyAsync(KernelLab(lab));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"destroying {lab} failed: {result.Failure?.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.DisposeAsync();
            _engine.Dispose();
        }
        finally
        {
            DeleteNamespaces(Prefix);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static List<string> NamespacesWith(string prefix) =>
        NetworkNamespace.ListNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    private static void DeleteNamespaces(string prefix)
    {
        foreach (var name in NamespacesWith(prefix))
        {
            NetworkNamespace.Delete(name);
        }
    }
}
