using System.Collections.Concurrent;
using NetLab.Netlink;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// Handles on the agent's kernel namespaces, opened once and reused (a handle's socket lives in its namespace).
/// Only names with the agent's prefix are ever opened, created or deleted.
/// </summary>
internal sealed class KernelNamespaces(string prefix) : IDisposable
{
    private readonly ConcurrentDictionary<string, NetlinkHandle> _handles = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public string Prefix { get; } = prefix;

    /// <summary>Named namespaces under /run/netns that carry the prefix.</summary>
    public IReadOnlyList<string> List() => NetworkNamespace.ListNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();

    public bool Exists(string name) => NetworkNamespace.Exists(name);

    public NetlinkHandle Get(string name)
    {
        Guard(name);
        if (_handles.TryGetValue(name, out var handle))
        {
            return handle;
        }

        lock (_gate)
        {
            return _handles.GetOrAdd(name, NetlinkHandle.ForNamed);
        }
    }

    public NetlinkHandle Create(string name)
    {
        Guard(name);
        lock (_gate)
        {
            var handle = NetlinkHandle.CreateNamespace(name);
            Forget(name);
            _handles[name] = handle;
            return handle;
        }
    }

    public void Delete(string name)
    {
        Guard(name);
        lock (_gate)
        {
            Forget(name);
        }

        // Outside the lock: the unmount waits for an RCU grace period, and deletions on several threads share them.
        NetworkNamespace.Delete(name);
    }

    /// <summary>Drops a cached handle (e.g. after the namespace was deleted or found broken).</summary>
    public void Forget(string name)
    {
        if (_handles.TryRemove(name, out var old))
        {
            old.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
    }

    /// <summary>The agent owns only what carries its prefix; anything else is the machine's or another tool's.</summary>
    public void Guard(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new AgentRefusalException($"Refusing to touch network namespace '{name}': NetLab changes only namespaces it created (named '{Prefix}...'), never the machine's own or another tool's.");
        }
    }
}

/// <summary>The agent refuses an operation on principle (not a kernel error): outside its namespaces, a real NIC, ...</summary>
public sealed class AgentRefusalException(string message) : Exception(message);
