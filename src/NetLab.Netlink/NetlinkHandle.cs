using System.Net;
using System.Net.Sockets;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;
using NetLab.Netlink.Probing;
using NetLab.Netlink.Protocol;

namespace NetLab.Netlink;

/// <summary>
/// All rtnetlink operations on one network namespace, like vishvananda/netlink's Handle: its socket was created
/// inside that namespace and stays bound to it, so no call here ever switches namespaces.
/// Thread-safe: requests on one handle are serialised.
/// </summary>
public sealed class NetlinkHandle : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly bool _ownsNamespace;

    private NetlinkHandle(NetworkNamespace ns, NetlinkSocket socket, bool ownsNamespace)
    {
        Namespace = ns;
        _socket = socket;
        _ownsNamespace = ownsNamespace;
    }

    public NetworkNamespace Namespace { get; }

    /// <summary>A handle on the namespace the process runs in.</summary>
    public static NetlinkHandle ForHost()
    {
        var ns = NetworkNamespace.Host();
        return new NetlinkHandle(ns, NetlinkSocket.Open(), ownsNamespace: true);
    }

    /// <summary>A handle on an open namespace; the caller keeps ownership of <paramref name="ns"/>.</summary>
    public static NetlinkHandle For(NetworkNamespace ns) => new(ns, ns.Run(() => NetlinkSocket.Open()), ownsNamespace: false);

    /// <summary>Opens a named namespace and a handle on it; disposing the handle closes the namespace too.</summary>
    public static NetlinkHandle ForNamed(string name)
    {
        var ns = NetworkNamespace.Open(name);
        try
        {
            return new NetlinkHandle(ns, ns.Run(() => NetlinkSocket.Open()), ownsNamespace: true);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a named namespace (as `ip netns add`) and a handle inside it, on one thread. <paramref name="beforeNamed"/>
    /// gets the new namespace's identity (nsfs file and cookie) before the namespace is mounted on its name, so a caller
    /// can record what it made before the name shows it (see <see cref="NetworkNamespace.CreateWith"/>); if it throws,
    /// nothing is created.
    /// </summary>
    public static NetlinkHandle CreateNamespace(string name, Action<FileStatus, ulong?>? beforeNamed = null)
    {
        var (ns, socket) = NetworkNamespace.CreateWith(
            name,
            () => NetlinkSocket.Open(),
            beforeNamed is null ? null : (socket, status) => beforeNamed(status, CookieOf(socket, name)));
        return new NetlinkHandle(ns, socket, ownsNamespace: true);
    }

    // ---- links ----

    /// <summary>Creates a link (`ip link add`). Invalid requests are refused before anything is sent.</summary>
    public void LinkAdd(Link link)
    {
        LinkRequestValidator.ThrowIfInvalid(link);
        var operation = $"create {LinkMessages.Describe(link)} in {Namespace}";
        var request = LinkMessages.Create(link, LinkMessages.FdOf(link.TargetNamespace), LinkMessages.FdOf((link as Veth)?.PeerNamespace));
        try
        {
            _socket.Execute(request, operation);
        }
        catch (NetlinkException error)
        {
            throw Diagnose(link, error);
        }
        finally
        {
            GC.KeepAlive(link.TargetNamespace);
            GC.KeepAlive((link as Veth)?.PeerNamespace);
        }
    }

    public void LinkDelete(int index) => _socket.Execute(LinkMessages.Delete(index), $"delete link {index} in {Namespace}");

    public void LinkSetUp(int index) => _socket.Execute(LinkMessages.SetUp(index, up: true), $"set link {index} up in {Namespace}");

    public void LinkSetDown(int index) => _socket.Execute(LinkMessages.SetUp(index, up: false), $"set link {index} down in {Namespace}");

    public void LinkSetAddress(int index, MacAddress mac)
    {
        if (mac.IsMulticast || mac.IsZero)
        {
            throw new InvalidLinkRequestException($"{mac} cannot be an interface's address: it is {(mac.IsZero ? "all zeros" : "a multicast address (lowest bit of the first byte set)")}. Use a unicast address such as 02:00:00:00:00:01");
        }

        _socket.Execute(LinkMessages.SetAddress(index, mac), $"set address of link {index} to {mac} in {Namespace}");
    }

    public void LinkSetMtu(int index, int mtu) =>
        _socket.Execute(LinkMessages.SetMtu(index, mtu), $"set mtu of link {index} to {mtu} in {Namespace}");

    public void LinkSetName(int index, string name)
    {
        ThrowIfBadName(name);
        _socket.Execute(LinkMessages.SetName(index, name), $"rename link {index} to '{name}' in {Namespace}");
    }

    public void LinkSetAlias(int index, string alias) =>
        _socket.Execute(LinkMessages.SetAlias(index, alias), $"set alias of link {index} in {Namespace}");

    public void LinkSetMaster(int index, int masterIndex) =>
        _socket.Execute(LinkMessages.SetMaster(index, masterIndex), $"attach link {index} to master {masterIndex} in {Namespace}");

    public void LinkSetNoMaster(int index) =>
        _socket.Execute(LinkMessages.SetMaster(index, 0), $"detach link {index} from its master in {Namespace}");

    /// <summary>Moves a link into another namespace (`ip link set DEV netns NAME`).</summary>
    public void LinkSetNamespace(int index, NetworkNamespace target)
    {
        _socket.Execute(LinkMessages.SetNamespace(index, LinkMessages.FdOf(target)), $"move link {index} from {Namespace} to {target}");
        GC.KeepAlive(target);
    }

    /// <summary>Turns 802.1Qbg hairpin (reflective relay) on or off for a bridge port.</summary>
    public void LinkSetHairpin(int index, bool on) =>
        _socket.Execute(LinkMessages.SetHairpin(index, on), $"set hairpin {(on ? "on" : "off")} on bridge port {index} in {Namespace}");

    public IReadOnlyList<Link> LinkList()
    {
        var links = new List<Link>();
        _socket.Dump(() => LinkMessages.Get(), $"list links in {Namespace}", (type, payload) =>
        {
            if (type == Rtm.RTM_NEWLINK)
            {
                links.Add(LinkMessages.Parse(payload));
            }
        });
        return links;
    }

    /// <summary>One link by name, or null when there is none.</summary>
    public Link? LinkByName(string name)
    {
        ThrowIfBadName(name);
        return GetOne(LinkMessages.Get(name: name), $"find link '{name}' in {Namespace}");
    }

    public Link? LinkByIndex(int index) => GetOne(LinkMessages.Get(index: index), $"find link {index} in {Namespace}");

    /// <summary>
    /// Makes the kernel act on the carrier changes of this namespace's links now, and returns the links still
    /// waiting for it. A carrier change takes effect when the kernel's link watcher runs (a work item behind the rtnl
    /// lock); until then the link sends through the noop qdisc, which drops everything. RTM_GETLINK for one link runs
    /// the watcher for that link first (rtnl_getlink's linkwatch_sync_dev, kernel 6.8 and later), so this asks for
    /// every link that is up with a carrier; on older kernels the answer may still list some, and a caller polls.
    /// </summary>
    public IReadOnlyList<Link> LinkSettle()
    {
        foreach (var link in LinkList().Where(l => l.IsUp && l.Carrier == true && l.Index != LoopbackIndex))
        {
            LinkByIndex(link.Index);
        }

        return LinkList().Where(IsAwaitingLinkWatch).ToList();
    }

    /// <summary>
    /// <see cref="LinkSettle()"/> in every namespace of <paramref name="handles"/>, again in those with links still
    /// waiting (kernels before 6.8, where asking does not run the watcher) until none has or <paramref name="limit"/>
    /// has passed; returns the links still waiting then, as NAMESPACE/LINK.
    /// </summary>
    public static IReadOnlyList<string> LinkSettle(IEnumerable<NetlinkHandle> handles, TimeSpan limit) =>
        PollUntilNone(handles, limit, h => h.LinkSettle().Select(l => l.Name).ToList());

    /// <summary>
    /// The IPv6 addresses of this namespace that cannot be used yet: tentative (duplicate address detection not
    /// finished) on a link that can send (up, with a carrier; on a link without one they wait for it by design).
    /// Link-local addresses are left out: the kernel adds them itself, they are not lab addresses, and neighbour
    /// discovery for a lab address does not need them (a solicitation goes out from the packet's own source address
    /// when that is usable, as the kernel tests show); waiting for their detection would add 1-2 s to every apply.
    /// </summary>
    public IReadOnlyList<Address> TentativeAddresses()
    {
        var sending = LinkList().Where(l => l.IsUp && l.Carrier == true).Select(l => l.Index).ToHashSet();
        return AddressList(AddressFamily.InterNetworkV6).Where(a => a.IsTentative && !a.Ip.IsIPv6LinkLocal && sending.Contains(a.InterfaceIndex)).ToList();
    }

    /// <summary>
    /// Waits until no namespace of <paramref name="handles"/> has a <see cref="TentativeAddresses"/> or
    /// <paramref name="limit"/> has passed; returns the addresses still tentative then, as NAMESPACE/ADDRESS. Even an
    /// address added with <see cref="AddressFlags.NoDad"/> is tentative until the kernel's address work item has run.
    /// </summary>
    public static IReadOnlyList<string> AddressSettle(IEnumerable<NetlinkHandle> handles, TimeSpan limit) =>
        PollUntilNone(handles, limit, h => h.TentativeAddresses().Select(a => a.ToString()).ToList());

    /// <summary>Asks every handle what it is still waiting for, again only those waiting, until none is or the limit.</summary>
    private static IReadOnlyList<string> PollUntilNone(IEnumerable<NetlinkHandle> handles, TimeSpan limit, Func<NetlinkHandle, IReadOnlyList<string>> waitingFor)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var waiting = handles.ToList();
        while (true)
        {
            var pending = waiting.Select(h => (Handle: h, Items: waitingFor(h))).Where(p => p.Items.Count > 0).ToList();
            if (pending.Count == 0 || clock.Elapsed >= limit)
            {
                return pending.SelectMany(p => p.Items.Select(item => $"{p.Handle.Namespace}/{item}")).ToList();
            }

            waiting = pending.Select(p => p.Handle).ToList();
            Thread.Sleep(SettlePollInterval);
        }
    }

    private static readonly TimeSpan SettlePollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Up with a carrier, yet operationally down: the link watcher has not seen the carrier come on. (A link whose
    /// driver never reports an operstate stays "unknown" and can send from the moment it is up.)
    /// </summary>
    public static bool IsAwaitingLinkWatch(Link link) =>
        link.IsUp && link.Carrier == true && link.OperState is OperState.Down or OperState.LowerLayerDown;

    private const int LoopbackIndex = 1;

    /// <summary>
    /// The id this namespace gives <paramref name="other"/> (what IFLA_LINK_NETNSID values in its dumps refer to), or
    /// null when it has given it none (`ip netns list-id`; iproute2's get_netnsid_from_name).
    /// </summary>
    public int? NamespaceIdOf(NetworkNamespace other)
    {
        var writer = new MessageWriter(Rtm.RTM_GETNSID, Nl.NLM_F_REQUEST);
        writer.GenMsg(Rtm.AF_UNSPEC);
        writer.U32(Rtm.NETNSA_FD, (uint)LinkMessages.FdOf(other));
        int? id = null;
        _socket.Dump(() => writer, $"read the id of namespace {other} in {Namespace}", (type, payload) =>
        {
            if (type != Rtm.RTM_NEWNSID || payload.Length < 4)
            {
                return;
            }

            foreach (var attribute in new AttributeEnumerator(payload[4..]))
            {
                if (attribute.Type == Rtm.NETNSA_NSID)
                {
                    var value = attribute.I32();
                    id = value < 0 ? null : value;
                }
            }
        });
        GC.KeepAlive(other);
        return id;
    }

    /// <summary>
    /// The namespace's cookie (SO_NETNS_COOKIE, Linux 5.14): a 64-bit id the kernel gives each namespace and never
    /// reuses while the system runs, unlike its inode number. Null on a kernel without it.
    /// </summary>
    public ulong? NamespaceCookie() => CookieOf(_socket, Namespace.ToString());

    private static unsafe ulong? CookieOf(NetlinkSocket socket, string what)
    {
        ulong cookie = 0;
        var length = sizeof(ulong);
        if (LibC.GetSockOpt(socket.Fd, LibC.SOL_SOCKET, LibC.SO_NETNS_COOKIE, &cookie, ref length) == 0)
        {
            return cookie;
        }

        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return errno == Errno.ENOPROTOOPT ? null : throw new NetlinkException(errno, $"read the cookie of {what}");
    }

    // ---- addresses ----

    public void AddressAdd(Address address) =>
        _socket.Execute(AddressMessages.Add(address), $"add address {address} to link {address.InterfaceIndex} in {Namespace}");

    public void AddressDelete(Address address) =>
        _socket.Execute(AddressMessages.Delete(address), $"delete address {address} from link {address.InterfaceIndex} in {Namespace}");

    public IReadOnlyList<Address> AddressList(AddressFamily? family = null)
    {
        var addresses = new List<Address>();
        _socket.Dump(() => AddressMessages.Dump(family), $"list addresses in {Namespace}", (type, payload) =>
        {
            if (type == Rtm.RTM_NEWADDR)
            {
                addresses.Add(AddressMessages.Parse(payload));
            }
        });
        return addresses;
    }

    // ---- neighbours and routes (what a connectivity check reads) ----

    /// <summary>The neighbour table of every family (`ip neigh show`, NOARP entries included).</summary>
    public IReadOnlyList<Neighbor> NeighborList()
    {
        var neighbors = new List<Neighbor>();
        _socket.Dump(NeighborMessages.Dump, $"list neighbours in {Namespace}", (type, payload) =>
        {
            if (type == Rtm.RTM_NEWNEIGH)
            {
                neighbors.Add(NeighborMessages.Parse(payload));
            }
        });
        return neighbors;
    }

    /// <summary>
    /// Deletes one neighbour entry (`ip neigh del`), named by its interface and destination. An entry the kernel
    /// already dropped (garbage collection, a link going down) is a <see cref="NetlinkException"/> with errno ENOENT.
    /// </summary>
    public void NeighborDelete(Neighbor neighbor)
    {
        ArgumentNullException.ThrowIfNull(neighbor);
        _socket.Execute(NeighborMessages.Delete(neighbor), $"delete neighbour {neighbor.Destination} on link {neighbor.InterfaceIndex} in {Namespace}");
    }

    /// <summary>
    /// Where the kernel would send a packet to <paramref name="destination"/> (`ip route get`). No route is a
    /// <see cref="NetlinkException"/> with errno ENETUNREACH, as the kernel answers it.
    /// </summary>
    public RouteLookup RouteGet(IPAddress destination)
    {
        RouteLookup? found = null;
        var operation = $"look up the route to {destination} in {Namespace}";
        _socket.Dump(() => RouteMessages.Get(destination), operation, (type, payload) =>
        {
            if (type == Rtm.RTM_NEWROUTE)
            {
                found = RouteMessages.Parse(payload);
            }
        });
        return found ?? throw new NetlinkException(Errno.ENETUNREACH, operation, null, "the kernel answered without a route");
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_ownsNamespace)
        {
            Namespace.Dispose();
        }
    }

    private Link? GetOne(MessageWriter request, string operation)
    {
        Link? found = null;
        try
        {
            _socket.Dump(() => request, operation, (type, payload) =>
            {
                if (type == Rtm.RTM_NEWLINK)
                {
                    found = LinkMessages.Parse(payload);
                }
            });
        }
        catch (NetlinkException error) when (error.Errno == Errno.ENODEV)
        {
            return null;
        }

        return found;
    }

    private static void ThrowIfBadName(string name)
    {
        if (InterfaceName.Problem(name) is { } problem)
        {
            throw new InvalidLinkRequestException($"Invalid interface name: {problem}.");
        }
    }

    /// <summary>Turns errnos that say little (EINVAL for a second passthru child) into the cause in words.</summary>
    private NetlinkException Diagnose(Link link, NetlinkException error)
    {
        if (error.Errno == Errno.EINVAL && link is Macvlan macvlan && link.ParentIndex is { } parent)
        {
            var siblings = SafeList().OfType<Macvlan>().Where(l => l.ParentIndex == parent && l.ParentNetnsId is null).ToList();
            var passthru = siblings.FirstOrDefault(s => s.Mode == MacvlanMode.Passthru);
            if (passthru is not null)
            {
                return error.WithExplanation($"The parent (ifindex {parent}) already has the passthru child '{passthru.Name}', and passthru mode allows only one child on a parent. Delete '{passthru.Name}' or use another parent");
            }

            if (macvlan.Mode == MacvlanMode.Passthru && siblings.Count > 0)
            {
                return error.WithExplanation($"passthru mode allows only one child on a parent, and ifindex {parent} already has '{siblings[0].Name}'. Use another parent or another mode");
            }

            return error.WithExplanation("If the parent already has a passthru macvlan/macvtap child (possibly moved to another namespace), no other child can be added: passthru allows only one child on a parent");
        }

        if (error.Errno == Errno.ENODEV && link.ParentIndex is { } missing)
        {
            return error.WithExplanation($"There is no parent device with ifindex {missing} in {Namespace}");
        }

        if (error.IsUnsupported && error.KernelMessage is null)
        {
            return error.WithExplanation($"This kernel cannot create '{link.Kind}' links (not built in and no module loaded)");
        }

        if (error.Errno == Errno.EEXIST)
        {
            return error.WithExplanation($"A link named '{link.Name}' already exists there; delete it or choose another name");
        }

        return error;
    }

    private IReadOnlyList<Link> SafeList()
    {
        try
        {
            return LinkList();
        }
        catch (NetlinkException)
        {
            return [];
        }
    }
}
