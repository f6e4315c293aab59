using System.Diagnostics.CodeAnalysis;
using NetLab.Core.Links;

namespace NetLab.Core.Planning;

/// <summary>
/// Applies plans to an <see cref="ObservedState"/> in memory, following the kernel's rules closely enough to catch
/// plans the kernel would refuse (a name taken, a parent missing, a second passthru child, ...) and to model what
/// the kernel does on its own (deleting a link deletes its veth peer and children; moving a link takes it down and
/// drops its addresses). Property tests check plans with it; the planner uses it to track its own steps.
/// </summary>
public static class PlanSimulator
{
    public static ObservedState Simulate(ObservedState state, Plan plan) => Simulate(state, plan.Operations);

    public static ObservedState Simulate(ObservedState state, IEnumerable<PlanOperation> operations)
    {
        var model = new KernelModel(state);
        foreach (var operation in operations)
        {
            model.Apply(operation);
        }

        return model.ToState();
    }
}

/// <summary>Thrown when a simulated operation would fail in the kernel; the message says which errno and why.</summary>
public sealed class SimulationException(PlanOperation operation, string message) : Exception($"{operation}: {message}")
{
    public PlanOperation Operation { get; } = operation;
}

/// <summary>A mutable copy of a state that operations are applied to one by one.</summary>
internal sealed class KernelModel
{
    private readonly List<(string Name, List<ObservedLink> Links)> _namespaces;

    public KernelModel(ObservedState state) =>
        _namespaces = state.Namespaces.Select(n => (n.Name, n.Links.ToList())).ToList();

    public ObservedState ToState() => new()
    {
        Namespaces = _namespaces.Select(n => new ObservedNamespace(n.Name) { Links = n.Links.ToValueList() }).ToValueList(),
    };

    public bool HasNamespace(string name) => _namespaces.Any(n => n.Name == name);

    public ObservedLink? Link(LinkReference reference) => Links(reference.Namespace)?.FirstOrDefault(l => l.Name == reference.Name);

    private List<ObservedLink>? Links(string @namespace) => _namespaces.FirstOrDefault(n => n.Name == @namespace).Links;

    private IEnumerable<(LinkReference Reference, ObservedLink Link)> All =>
        _namespaces.SelectMany(n => n.Links.Select(l => (new LinkReference(n.Name, l.Name), l)));

    public void Apply(PlanOperation operation)
    {
        switch (operation)
        {
            case CreateNamespace create:
                Require(!HasNamespace(create.Name), operation, "EEXIST: the namespace already exists");
                _namespaces.Add((create.Name, [new ObservedLink("lo", LinkSpec.Loopback)]));
                break;
            case DeleteNamespace delete:
                Require(HasNamespace(delete.Name), operation, "ENOENT: no such namespace");
                var inside = All.Where(l => l.Reference.Namespace == delete.Name).Select(l => l.Reference).ToList();
                RemoveWithDependents(inside);
                _namespaces.RemoveAll(n => n.Name == delete.Name);
                break;
            case SetLoopback loopback:
                Update(operation, new LinkReference(loopback.Name, "lo"), l => l with { Up = loopback.Up });
                break;
            case CreateLink create:
                ApplyCreate(create);
                break;
            case DeleteLink delete:
                Require(Link(new(delete.InNamespace, delete.Name)) is not null, operation, "ENODEV: no such device");
                RemoveWithDependents([new(delete.InNamespace, delete.Name)]);
                break;
            case MoveLink move:
                ApplyMove(move);
                break;
            case SetLinkUp up:
                Update(operation, new(up.InNamespace, up.Name), l => l with { Up = true });
                break;
            case SetLinkDown down:
                Update(operation, new(down.InNamespace, down.Name), l => l with { Up = false });
                break;
            case SetMac mac:
                Require(!mac.Mac.IsMulticast && !mac.Mac.IsZero, operation, "EADDRNOTAVAIL: not a unicast MAC");
                Update(operation, new(mac.InNamespace, mac.Name), l => l with { Mac = mac.Mac });
                break;
            case SetMtu mtu:
                Require(mtu.Mtu is >= 68 and <= 65535, operation, "EINVAL: mtu out of range");
                Update(operation, new(mtu.InNamespace, mtu.Name), l => l with { Mtu = mtu.Mtu });
                break;
            case AddAddress add:
                Update(operation, new(add.InNamespace, add.Name), l =>
                {
                    Require(!l.Addresses.Contains(add.Address), operation, "EEXIST: the address is already there");
                    return l with { Addresses = l.Addresses.Add(add.Address) };
                });
                break;
            case DeleteAddress delete:
                Update(operation, new(delete.InNamespace, delete.Name), l =>
                {
                    Require(l.Addresses.Contains(delete.Address), operation, "EADDRNOTAVAIL: no such address");
                    return l with { Addresses = l.Addresses.Where(a => a != delete.Address) };
                });
                break;
            case SetMaster master:
                ApplyMaster(master);
                break;
            case SetHairpin hairpin:
                Update(operation, new(hairpin.InNamespace, hairpin.Name), l =>
                {
                    Require(l.Master is not null, operation, "EOPNOTSUPP: hairpin is a setting of bridge ports, and this link is no bridge's port");
                    return l with { Hairpin = hairpin.On };
                });
                break;
            default:
                throw new SimulationException(operation, "unknown operation");
        }
    }

    private void ApplyCreate(CreateLink create)
    {
        var links = Links(create.InNamespace);
        Require(links is not null, create, "ENOENT: no such namespace");
        Require(links!.All(l => l.Name != create.Name), create, "EEXIST: a link with this name exists in the namespace");
        var spec = create.Spec;
        Require(spec.Kind is not null, create, "EOPNOTSUPP: unknown link kind");
        if (spec.Parent is { } parentReference)
        {
            Require(parentReference.Namespace == create.InNamespace, create, "ENODEV: the parent must be in the namespace the link is created in");
            var parent = Link(parentReference);
            Require(parent is not null, create, "ENODEV: the parent does not exist");
            Require(!parent!.Spec.IsLoopback, create, "EINVAL: the loopback device cannot be a parent");
            if (spec.Kind is LinkKind.Macvlan or LinkKind.Macvtap)
            {
                // Like the kernel, a macvlan made on a macvlan joins the port of the real lower device.
                var lowerReference = RealLower(parentReference);
                Require(Link(lowerReference)!.Master is null, create, "EBUSY: the parent is a bridge port; its receive handler is taken");
                var siblings = All.Where(l => l.Link.Spec.Kind is LinkKind.Macvlan or LinkKind.Macvtap && l.Link.Spec.Parent is { } p && RealLower(p) == lowerReference).ToList();
                Require(siblings.Count == 0 || (spec.MacvlanMode != MacvlanMode.Passthru && siblings.All(s => s.Link.Spec.MacvlanMode != MacvlanMode.Passthru)),
                    create, "EINVAL: a passthru macvlan must be the only child of its parent");
            }
        }

        if (spec.Kind == LinkKind.Veth)
        {
            var peer = spec.Peer;
            Require(peer is not null, create, "EINVAL: a veth needs a peer");
            var peerLinks = Links(peer!.Namespace);
            Require(peerLinks is not null, create, "ENOENT: the peer's namespace does not exist");
            Require(peerLinks!.All(l => l.Name != peer.Name) && peer != new LinkReference(create.InNamespace, create.Name), create,
                "EEXIST: the peer's name is taken");
            links.Add(new ObservedLink(create.Name, spec));
            peerLinks.Add(new ObservedLink(peer.Name, new LinkSpec { Kind = LinkKind.Veth, Peer = new(create.InNamespace, create.Name) }));
            return;
        }

        links.Add(new ObservedLink(create.Name, spec));
    }

    private LinkReference RealLower(LinkReference reference)
    {
        for (var guard = 0; guard < 32 && Link(reference) is { Spec: { Kind: LinkKind.Macvlan or LinkKind.Macvtap, Parent: { } parent } }; guard++)
        {
            reference = parent;
        }

        return reference;
    }

    private void ApplyMove(MoveLink move)
    {
        var from = new LinkReference(move.InNamespace, move.Name);
        var link = Link(from);
        Require(link is not null, move, "ENODEV: no such device");
        Require(!link!.Spec.IsLoopback, move, "EINVAL: lo cannot leave its namespace");
        var target = Links(move.TargetNamespace);
        Require(target is not null, move, "ENOENT: the target namespace does not exist");
        Require(target!.All(l => l.Name != move.Name), move, "EEXIST: the target namespace has a link with this name");
        Links(move.InNamespace)!.Remove(link);

        // The kernel closes the device, flushes its addresses and releases it from its bridge on the way.
        target.Add(link with { Up = false, Addresses = [], Master = null, Hairpin = null });
        var to = new LinkReference(move.TargetNamespace, move.Name);
        foreach (var (name, links) in _namespaces)
        {
            for (var i = 0; i < links.Count; i++)
            {
                var spec = links[i].Spec;
                if (spec.Parent == from || spec.Peer == from)
                {
                    links[i] = links[i] with { Spec = spec with { Parent = spec.Parent == from ? to : spec.Parent, Peer = spec.Peer == from ? to : spec.Peer } };
                }

                // A bridge that leaves takes none of its ports with it.
                if (name == move.InNamespace && links[i].Master == move.Name)
                {
                    links[i] = links[i] with { Master = null, Hairpin = null };
                }
            }
        }
    }

    private void ApplyMaster(SetMaster master)
    {
        var reference = new LinkReference(master.InNamespace, master.Name);
        if (master.Master is null)
        {
            Update(master, reference, l => l with { Master = null, Hairpin = null });
            return;
        }

        var bridge = Link(new(master.InNamespace, master.Master));
        Require(bridge is not null, master, "ENODEV: the bridge does not exist");
        Require(bridge!.Spec.Kind == LinkKind.Bridge, master, "EOPNOTSUPP: the master is not a bridge");
        Require(master.Master != master.Name, master, "ELOOP: a bridge cannot be its own port");
        Require(!All.Any(l => l.Link.Spec.Parent == reference && l.Link.Spec.Kind is LinkKind.Macvlan or LinkKind.Macvtap), master,
            "EBUSY: the link carries macvlan children; its receive handler is taken");
        Update(master, reference, l =>
        {
            Require(l.Spec.Kind != LinkKind.Bridge, master, "ELOOP: a bridge cannot be a port of a bridge");
            return l.Master == master.Master ? l : l with { Master = master.Master, Hairpin = false };
        });
    }

    /// <summary>Removes links and, as the kernel does, their veth peers and everything made on them, and releases their bridge ports.</summary>
    private void RemoveWithDependents(IEnumerable<LinkReference> roots)
    {
        var doomed = new HashSet<LinkReference>(roots);
        bool grew;
        do
        {
            grew = false;
            foreach (var (reference, link) in All.ToList())
            {
                if (!doomed.Contains(reference)
                    && ((link.Spec.Parent is { } parent && doomed.Contains(parent)) || (link.Spec.Peer is { } peer && doomed.Contains(peer))))
                {
                    grew |= doomed.Add(reference);
                }
            }

            foreach (var reference in doomed.ToList())
            {
                if (Link(reference) is { Spec.Peer: { } peer })
                {
                    grew |= doomed.Add(peer);
                }
            }
        }
        while (grew);

        foreach (var (name, links) in _namespaces)
        {
            links.RemoveAll(l => doomed.Contains(new LinkReference(name, l.Name)));
            for (var i = 0; i < links.Count; i++)
            {
                if (links[i].Master is { } master && doomed.Contains(new LinkReference(name, master)))
                {
                    links[i] = links[i] with { Master = null, Hairpin = null };
                }
            }
        }
    }

    private void Update(PlanOperation operation, LinkReference reference, Func<ObservedLink, ObservedLink> change)
    {
        var links = Links(reference.Namespace);
        var index = links?.FindIndex(l => l.Name == reference.Name) ?? -1;
        Require(index >= 0, operation, $"ENODEV: no device {reference}");
        links![index] = change(links[index]);
    }

    private static void Require([DoesNotReturnIf(false)] bool condition, PlanOperation operation, string message)
    {
        if (!condition)
        {
            throw new SimulationException(operation, message);
        }
    }
}
