using System.Collections.Concurrent;
using NetLab.Netlink;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// Handles on the agent's kernel namespaces, opened once and reused (a handle's socket lives in its namespace).
/// Only names with the agent's prefix are ever opened, created or deleted, and of those only the ones the agent made
/// (its <see cref="NamespaceRecords"/>) are listed: a namespace someone else made under a lab's name is left alone.
/// </summary>
internal sealed class KernelNamespaces(string prefix, string recordDirectory) : IDisposable
{
    private readonly ConcurrentDictionary<string, NetlinkHandle> _handles = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly NamespaceRecords _records = new(recordDirectory);

    public string Prefix { get; } = prefix;

    /// <summary>Forgets namespaces that are gone (see <see cref="NamespaceRecords.PruneStale(string)"/>).</summary>
    public void PruneStaleRecords() => _records.PruneStale(Prefix);

    /// <summary>
    /// Named namespaces under /run/netns that carry the prefix and that the agent made (or began to make); only those
    /// <paramref name="among"/> accepts (one lab's) are checked, since a check may open a handle.
    /// </summary>
    public IReadOnlyList<string> List(Func<string, bool>? among = null) => WithPrefix(among).Where(IsMine).ToList();

    /// <summary>
    /// How many namespaces the agent holds, all labs together: the names under /run/netns with its prefix and a record.
    /// Counted from names and record files alone, so no namespace of a lab another request is changing gets opened.
    /// </summary>
    public int CountHeld() => WithPrefix(null).Count(_records.Has);

    /// <summary>Named namespaces that carry the prefix but that the agent did not make: never touched, only reported.</summary>
    public IReadOnlyList<string> Foreign(Func<string, bool>? among = null) => WithPrefix(among).Where(n => !IsMine(n)).ToList();

    /// <summary>Every name under /run/netns with the prefix, made by the agent or not; nothing is opened.</summary>
    public IReadOnlyList<string> Named() => WithPrefix(null).ToList();

    private IEnumerable<string> WithPrefix(Func<string, bool>? among) =>
        NetworkNamespace.ListNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && (among is null || among(n)));

    /// <summary>
    /// The namespace under this name is the one the agent made: its record names the same nsfs file (device and inode)
    /// and the same cookie. The inode is compared first, which needs no handle; the cookie tells a namespace made again
    /// with a reused inode number apart. A record of a creation cut short (pending, or made but not yet mounted) counts
    /// only while the name holds no namespace: the empty file is the agent's own, a mounted namespace there may not be.
    /// </summary>
    public bool IsMine(string name)
    {
        if (_records.Read(name) is not { } record)
        {
            return false;
        }

        if (!NetworkNamespace.HoldsNamespace(name))
        {
            return true;
        }

        if (record.Made is not { } made)
        {
            return false;
        }

        if (NetworkNamespace.StatusOf(name) is not { } now || !now.IsSameFileAs(made))
        {
            return false;
        }

        if (record.Cookie is not { } cookie)
        {
            return true;
        }

        try
        {
            // A cached handle may hold a namespace that lost this name since (its inode cannot be reused while held open).
            var handle = Get(name);
            if (!handle.Namespace.Status.IsSameFileAs(now))
            {
                Forget(name);
                handle = Get(name);
            }

            return handle.NamespaceCookie() == cookie;
        }
        catch (NetlinkException)
        {
            // Deleted while being looked at: not there, so not listed.
            return false;
        }
    }

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
            if (NetworkNamespace.Exists(name))
            {
                throw new AgentRefusalException(NotMadeByNetLab([name]));
            }

            // Pending before the name's file exists; made (with the namespace's identity, read inside it) before the
            // namespace is mounted on the name. So a kill -9 at any point leaves either no namespace under the name or
            // one whose record names it: never a namespace of the agent's own that it would then refuse as someone else's.
            _records.WritePending(name);
            NetlinkHandle handle;
            try
            {
                handle = NetlinkHandle.CreateNamespace(name, (made, cookie) => _records.WriteMade(name, made, cookie));
            }
            catch
            {
                _records.Delete(name);
                throw;
            }

            Forget(name);
            _handles[name] = handle;
            return handle;
        }
    }

    /// <summary>Deletes a namespace the agent made; the record goes after the namespace, so a crash between leaves a record of nothing, never a namespace nobody owns.</summary>
    public void Delete(string name)
    {
        Guard(name);
        lock (_gate)
        {
            Forget(name);
        }

        // Outside the lock: the unmount waits for an RCU grace period, and deletions on several threads share them.
        NetworkNamespace.Delete(name);
        _records.Delete(name);
    }

    /// <summary>
    /// Removes a name of the agent's that holds no namespace (a creation cut short), and its record; a name already gone
    /// (another read removed it first) is fine.
    /// </summary>
    public void DeleteHalfMade(string name)
    {
        Guard(name);
        try
        {
            NetworkNamespace.Delete(name);
        }
        catch (NetlinkException error) when (error.Errno == Netlink.Interop.Errno.ENOENT)
        {
            // Removed meanwhile.
        }

        _records.Delete(name);
    }

    /// <summary>What the agent says about namespaces under its names that it did not make.</summary>
    public static string NotMadeByNetLab(IReadOnlyList<string> names) => names.Count == 1
        ? $"namespace {names[0]} exists and was not made by NetLab; remove it with `ip netns del {names[0]}` or rename the lab"
        : $"namespaces {string.Join(", ", names)} exist and were not made by NetLab; remove them with `{string.Join("; ", names.Select(n => $"ip netns del {n}"))}` or rename the lab";

    /// <summary>
    /// Drops the cached handles, among names <paramref name="among"/> accepts (one lab's), whose name is gone from
    /// /run/netns: a handle's socket keeps its namespace alive, so one cached on a namespace deleted (by a destroy, or by
    /// hand with `ip netns del`) would keep it running without a name. Call it under the lab's write lock.
    /// </summary>
    public void ForgetGone(Func<string, bool> among)
    {
        var named = NetworkNamespace.ListNames().ToHashSet(StringComparer.Ordinal);
        foreach (var name in _handles.Keys.Where(n => among(n) && !named.Contains(n)).ToList())
        {
            Forget(name);
        }
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

/// <summary>
/// The agent is at one of its limits (too many captures, event streams, doctor runs, checks of one lab, or namespaces
/// held): the request is refused before anything changes, with a message naming the limit and what frees room (429 busy).
/// </summary>
public sealed class AgentBusyException(string message) : Exception(message);
