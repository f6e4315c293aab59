using NetLab.Agent.Client.Contracts;
using NetLab.Netlink;
using NetLab.Netlink.Events;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// The namespaces one event stream watches: each open (its file, a socket of the subscription, and a handle of the
/// stream's own for what events leave out), so each is held alive by the stream. The stream opens them by name only
/// under the lab's read (<see cref="Sync"/>), and a writer that deletes them has the stream let go first
/// (<see cref="LetGo"/>), so none outlives its destroy without a name. The stream's work on an event
/// (<see cref="Translate"/>) and a writer's letting go exclude each other: a namespace is never closed under a translation.
/// </summary>
internal sealed class WatchedNamespaces(EventSubscription subscription) : INamespaceHolder, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, NetworkNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NetlinkHandle> _handles = new(StringComparer.Ordinal);

    /// <summary>The watched namespaces by kernel name; read it only inside <see cref="Translate"/>.</summary>
    public IReadOnlyDictionary<string, NetworkNamespace> Namespaces => _namespaces;

    /// <summary>Watches the <paramref name="present"/> namespaces and no others. Call it under the lab's read.</summary>
    public void Sync(IReadOnlyList<string> present)
    {
        lock (_gate)
        {
            foreach (var gone in _namespaces.Keys.Where(n => !present.Contains(n, StringComparer.Ordinal)).ToList())
            {
                Drop(gone);
            }

            foreach (var name in present.Where(n => !_namespaces.ContainsKey(n)))
            {
                NetworkNamespace? ns = null;
                try
                {
                    ns = NetworkNamespace.Open(name);
                    subscription.Add(ns);
                    _namespaces[name] = ns;
                }
                catch (NetlinkException)
                {
                    // Deleted by someone else right now; the next look will tell.
                    ns?.Dispose();
                }
            }
        }
    }

    /// <summary>Turns one event into the API's, with nothing closed meanwhile.</summary>
    public LabEvent? Translate(Func<LabEvent?> translate)
    {
        lock (_gate)
        {
            return translate();
        }
    }

    /// <summary>
    /// The stream's handle on a watched namespace, made from its open file (no name is looked up, so it is always the
    /// watched namespace); a namespace no longer watched is a <see cref="NetlinkException"/>, as one that is gone.
    /// Call it inside <see cref="Translate"/>.
    /// </summary>
    public NetlinkHandle HandleOf(string name)
    {
        if (_handles.TryGetValue(name, out var handle))
        {
            return handle;
        }

        if (!_namespaces.TryGetValue(name, out var ns))
        {
            throw new NetlinkException(Errno.ENOENT, $"use namespace {name}", explanation: "the event stream no longer watches it (deleted, or being deleted)");
        }

        handle = NetlinkHandle.For(ns);
        _handles[name] = handle;
        return handle;
    }

    public void LetGo(IReadOnlySet<string> kernelNames)
    {
        lock (_gate)
        {
            foreach (var name in _namespaces.Keys.Where(kernelNames.Contains).ToList())
            {
                Drop(name);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var name in _namespaces.Keys.ToList())
            {
                Drop(name);
            }
        }
    }

    /// <summary>Closes all the stream has in the namespace: the subscription's socket and handle, the stream's handle, the file.</summary>
    private void Drop(string name)
    {
        subscription.Remove(name);
        if (_handles.Remove(name, out var handle))
        {
            handle.Dispose();
        }

        if (_namespaces.Remove(name, out var ns))
        {
            ns.Dispose();
        }
    }
}
