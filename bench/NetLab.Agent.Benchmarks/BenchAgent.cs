using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// An agent of a benchmark's own: a child process (<see cref="ChildAgent"/>) on a socket in a temp folder, with the
/// benchmark's namespace prefix and record directory, so nothing it does meets another NetLab. Disposing it stops the
/// agent and deletes whatever is left under the prefix, its records and its folder.
/// </summary>
internal sealed class BenchAgent : IAsyncDisposable
{
    private readonly DirectoryInfo _work;
    private readonly string _records;

    private BenchAgent(string name)
    {
        Prefix = $"nlbench-{Environment.ProcessId}-";
        _work = Directory.CreateTempSubdirectory($"netlab-{name}-bench-");
        Socket = Path.Combine(_work.FullName, "agent.sock");
        _records = $"/run/netlab-bench/{Environment.ProcessId}/records";
        Process = ChildAgent.Start(Socket, Prefix, _records);
    }

    public string Prefix { get; }

    public string Socket { get; }

    public ChildAgent Process { get; }

    /// <summary>Starts the agent; <paramref name="name"/> names its temp folder.</summary>
    public static BenchAgent Start(string name) => new(name);

    /// <summary>Names under /run/netns with the prefix, made by the agent or left by it.</summary>
    public int NamespacesHeld() => NetworkNamespace.ListNames().Count(n => n.StartsWith(Prefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Process.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Process.Dispose();
            foreach (var name in NetworkNamespace.ListNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
            {
                NetworkNamespace.Delete(name);
            }

            if (Directory.Exists(Path.GetDirectoryName(_records)))
            {
                Directory.Delete(Path.GetDirectoryName(_records)!, recursive: true);
            }

            _work.Delete(recursive: true);
        }
    }
}
