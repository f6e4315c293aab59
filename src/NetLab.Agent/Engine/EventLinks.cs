using NetLab.Core.Planning;
using NetLab.Netlink;
using NetLab.Netlink.Events;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// What one event subscription knows of its namespaces' links, from the snapshots and link events so far: names by
/// index (an address event carries only the index) and each link's parent or veth peer and master by name. A parent in
/// another namespace (a macvlan child moved into ns2 from h1's eth0) is known to the kernel only as (netnsid, ifindex),
/// so the namespace giving that id is asked for once per subscription; without that, events would name only parents in
/// the same namespace, and whatever keeps only the events (a run's recording, its replay) would never learn the others.
/// </summary>
internal sealed class EventLinks(Func<string, NetlinkHandle> handleOf)
{
    private readonly Dictionary<(string? Namespace, int Index), Link> _links = [];
    private readonly Dictionary<(string From, int NetnsId), string> _namespaceIds = [];

    /// <summary>Takes in the links an event shows; call it for every event before translating the event.</summary>
    public void Remember(NetlinkEvent item)
    {
        switch (item)
        {
            case NamespaceSnapshot snapshot:
                foreach (var key in _links.Keys.Where(k => k.Namespace == snapshot.Namespace).ToList())
                {
                    _links.Remove(key);
                }

                // A snapshot also comes for a namespace made anew under the same name (the lab destroyed and applied
                // again), whose ids for the others start afresh.
                foreach (var key in _namespaceIds.Where(p => p.Key.From == snapshot.Namespace || p.Value == snapshot.Namespace).Select(p => p.Key).ToList())
                {
                    _namespaceIds.Remove(key);
                }

                foreach (var link in snapshot.Links)
                {
                    _links[(snapshot.Namespace, link.Index)] = link;
                }

                break;
            case LinkChanged changed:
                _links[(changed.Namespace, changed.Link.Index)] = changed.Link;
                break;
        }
    }

    public string? NameOf(string? ns, int index) => _links.GetValueOrDefault((ns, index))?.Name;

    /// <summary>The master (bridge) of a link, by name, when it is in the same namespace (the kernel allows no other).</summary>
    public string? MasterOf(string ns, Link link) => link.MasterIndex is { } master ? NameOf(ns, master) : null;

    /// <summary>
    /// The parent or veth peer of <paramref name="link"/> in namespace <paramref name="ns"/>, looked for among the
    /// <paramref name="watched"/> namespaces when it is in another one; null when it has none or it is not found
    /// (outside the lab's namespaces, or not watched yet).
    /// </summary>
    public LinkReference? ParentOf(string ns, Link link, IReadOnlyDictionary<string, NetworkNamespace> watched)
    {
        if (LinkTranslation.ParentIndexOf(link) is not { } parentIndex || parentIndex <= 0)
        {
            return null;
        }

        if (link.ParentNetnsId is not { } netnsId)
        {
            return NameOf(ns, parentIndex) is { } local ? new LinkReference(ns, local) : null;
        }

        if (!_namespaceIds.TryGetValue((ns, netnsId), out var owner))
        {
            owner = FindNamespace(ns, netnsId, parentIndex, watched);
        }

        return owner is not null && (NameOf(owner, parentIndex) ?? DumpedName(owner, parentIndex)) is { } name ? new LinkReference(owner, name) : null;
    }

    /// <summary>A link's name read from the kernel, for a namespace whose snapshot has not come through yet.</summary>
    private string? DumpedName(string ns, int index)
    {
        try
        {
            return handleOf(ns).LinkList().FirstOrDefault(l => l.Index == index)?.Name;
        }
        catch (NetlinkException)
        {
            return null;
        }
    }

    private string? FindNamespace(string from, int netnsId, int parentIndex, IReadOnlyDictionary<string, NetworkNamespace> watched)
    {
        NetlinkHandle handle;
        try
        {
            handle = handleOf(from);
        }
        catch (NetlinkException)
        {
            return null;
        }

        // Indexes repeat across namespaces, so ask first the namespaces whose link of that index can be a lower
        // device or a veth end (KernelObserver's order), then those whose snapshot has not come through yet: usually
        // the first answer is the one.
        var candidates = watched
            .Where(w => w.Key != from)
            .OrderBy(w => _links.TryGetValue((w.Key, parentIndex), out var candidate) ? (KernelObserver.AskLater(candidate) ? 1 : 0) : 2);
        foreach (var (name, candidate) in candidates)
        {
            int? id;
            try
            {
                id = handle.NamespaceIdOf(candidate);
            }
            catch (NetlinkException)
            {
                continue;
            }

            if (id is { } known)
            {
                _namespaceIds[(from, known)] = name;
                if (known == netnsId)
                {
                    return name;
                }
            }
        }

        return null;
    }
}
