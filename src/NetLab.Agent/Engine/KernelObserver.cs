using NetLab.Agent.Client.Contracts;
using NetLab.Core;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Netlink;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>One namespace as dumped: its links and addresses, with each link's parent/peer resolved to a namespace and name.</summary>
internal sealed record ObservedKernelNamespace(string Name, IReadOnlyList<Link> Links, IReadOnlyList<Address> Addresses, IReadOnlyDictionary<int, LinkReference> Parents);

/// <summary>
/// Reads the agent's namespaces from the kernel and describes them in Core's terms for the planner, and as
/// <see cref="LabState"/> for the API. A parent in another namespace is known to the kernel only as
/// (ifindex, netnsid); the netnsid is resolved by asking the kernel which id each candidate namespace has.
/// </summary>
internal sealed class KernelObserver(KernelNamespaces namespaces)
{
    public IReadOnlyList<ObservedKernelNamespace> Observe(IEnumerable<string> names)
    {
        var dumped = new List<(string Name, NetlinkHandle Handle, IReadOnlyList<Link> Links, IReadOnlyList<Address> Addresses)>();
        foreach (var name in names)
        {
            NetlinkHandle handle;
            IReadOnlyList<Link> links;
            try
            {
                handle = namespaces.Get(name);
                links = handle.LinkList();
            }
            catch (NetlinkException) when (!NetworkNamespace.HoldsNamespace(name))
            {
                // A name whose namespace is half-made (the agent was killed between creating the file and mounting
                // the namespace on it) holds nothing: remove the name, so that the plan creates it afresh. Reads share
                // a lab, so another read may have removed it first (or be removing it now): gone is what both want.
                // A name that holds a namespace is never removed here, whatever failed in opening it.
                namespaces.Forget(name);
                namespaces.DeleteHalfMade(name);
                continue;
            }

            dumped.Add((name, handle, links, handle.AddressList()));
        }

        var result = new List<ObservedKernelNamespace>();
        foreach (var (name, handle, links, addresses) in dumped)
        {
            var parents = LocalParents(name, links);
            foreach (var link in links)
            {
                if (LinkTranslation.ParentIndexOf(link) is not { } parentIndex || parentIndex == 0 || link.ParentNetnsId is null)
                {
                    continue;
                }

                parents[link.Index] = ResolveRemote(handle, link.ParentNetnsId.Value, parentIndex, dumped.Where(d => d.Name != name).Select(d => (d.Name, d.Handle, d.Links)))
                    ?? new LinkReference("(outside NetLab)", $"if{parentIndex}");
            }

            result.Add(new ObservedKernelNamespace(name, links, addresses, parents));
        }

        return result;
    }

    /// <summary>Parents (or veth peers) in the same namespace: known from the namespace's own links.</summary>
    public static Dictionary<int, LinkReference> LocalParents(string ns, IReadOnlyList<Link> links)
    {
        var parents = new Dictionary<int, LinkReference>();
        foreach (var link in links)
        {
            if (LinkTranslation.ParentIndexOf(link) is { } parentIndex and > 0 && link.ParentNetnsId is null)
            {
                parents[link.Index] = new LinkReference(ns, links.FirstOrDefault(l => l.Index == parentIndex)?.Name ?? $"if{parentIndex}");
            }
        }

        return parents;
    }

    public static ObservedState ToObservedState(IEnumerable<ObservedKernelNamespace> observed) => new()
    {
        Namespaces = observed.Select(ns => new ObservedNamespace(ns.Name)
        {
            Links = ns.Links.Select(link => new ObservedLink(link.Name, LinkTranslation.ToSpec(link, ns.Parents.GetValueOrDefault(link.Index)))
            {
                Mac = link.Address,
                Mtu = link.Mtu,
                Up = link.IsUp,
                Addresses = AddressesOf(ns, link.Index).Select(a => new InterfaceAddress(a.Ip, a.PrefixLength)).ToValueList(),
                Master = link.MasterIndex is { } master ? ns.Links.FirstOrDefault(l => l.Index == master)?.Name : null,
                Hairpin = link.PortKind == "bridge" ? link.Hairpin : null,
            }).ToValueList(),
        }).ToValueList(),
    };

    public static NamespaceState ToNamespaceState(ObservedKernelNamespace ns, Func<string, string> elementOf) => new(
        elementOf(ns.Name),
        ns.Name,
        ns.Links.Select(link => LinkTranslation.ToState(
            link,
            ParentText(ns.Parents.GetValueOrDefault(link.Index), elementOf),
            AddressesOf(ns, link.Index).Select(a => a.ToString()),
            link.MasterIndex is { } master ? ns.Links.FirstOrDefault(l => l.Index == master)?.Name : null)).ToList());

    /// <summary>A parent as the API names it: <c>element/interface</c> (<c>h1/eth0</c>).</summary>
    public static string? ParentText(LinkReference? parent, Func<string, string> elementOf) =>
        parent is null ? null : $"{elementOf(parent.Namespace)}/{parent.Name}";

    private static IEnumerable<Address> AddressesOf(ObservedKernelNamespace ns, int index) =>
        ns.Addresses.Where(a => a.InterfaceIndex == index);

    /// <summary>A candidate parent that is itself a child of another device: less likely the parent sought, so asked about last.</summary>
    internal static bool AskLater(Link candidate) => candidate is Macvlan or Vlan or Ipvlan;

    private static LinkReference? ResolveRemote(NetlinkHandle from, int netnsId, int parentIndex, IEnumerable<(string Name, NetlinkHandle Handle, IReadOnlyList<Link> Links)> candidates)
    {
        // Only namespaces holding a link with that index can be the one. Indexes repeat across namespaces (each
        // counts from 1), so ask first where that link can be a lower device or a veth end rather than a child of
        // another device itself: with 200 namespaces of macvlans on one host NIC, that is one question each.
        var ordered = candidates
            .Select(c => (c.Name, c.Handle, Parent: c.Links.FirstOrDefault(l => l.Index == parentIndex)))
            .Where(c => c.Parent is not null)
            .OrderBy(c => AskLater(c.Parent!) ? 1 : 0);
        foreach (var (name, handle, parent) in ordered)
        {
            if (from.NamespaceIdOf(handle.Namespace) == netnsId)
            {
                return new LinkReference(name, parent!.Name);
            }
        }

        return null;
    }
}
