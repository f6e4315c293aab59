using System.Net;
using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Planning;

/// <summary>One link a lab wants: where it ends up, where it is made (beside its parent), and the lab path it comes from.</summary>
public sealed record DesiredLink(LinkReference Reference, ObservedLink Link, string CreateIn, string Source);

/// <summary>A namespace a lab wants, with the lab path it comes from.</summary>
public sealed record DesiredNamespace(string Name, bool LoopbackUp, string Source);

/// <summary>
/// What a valid lab asks of the kernel, in kernel names: the state to reach (in the form of an
/// <see cref="ObservedState"/>) and the order to make links in (parents before children).
/// </summary>
public sealed record DesiredState(ObservedState State, ValueList<DesiredNamespace> Namespaces, ValueList<DesiredLink> Links)
{
    public static DesiredState Empty { get; } = new(ObservedState.Empty, [], []);

    /// <summary>The lab must be valid (<see cref="Validation.LabValidator"/>); references are taken as resolvable.</summary>
    public static DesiredState From(Lab lab, NamingScheme naming)
    {
        string Kernel(string element) => naming.Namespace(lab.Name, element);
        var namespaces = new List<DesiredNamespace>();
        var links = new List<DesiredLink>();

        foreach (var @switch in lab.Switches)
        {
            var ns = Kernel(@switch.Name);
            namespaces.Add(new DesiredNamespace(ns, false, @switch.Path));
            links.Add(new DesiredLink(new(ns, Switch.BridgeName), new ObservedLink(Switch.BridgeName, new LinkSpec { Kind = LinkKind.Bridge }) { Up = true }, ns, @switch.Path));
            foreach (var port in @switch.Ports)
            {
                var (host, nic) = lab.Hosts.SelectMany(h => h.Nics.Select(n => (Host: h, Nic: n)))
                    .First(p => p.Nic.Switch == @switch.Name && p.Nic.Port == port.Name);
                var spec = new LinkSpec { Kind = LinkKind.Veth, Peer = new(Kernel(host.Name), nic.Name) };
                var link = new ObservedLink(port.Name, spec) { Up = true, Master = Switch.BridgeName, Hairpin = port.Hairpin, Mtu = nic.Mtu };
                links.Add(new DesiredLink(new(ns, port.Name), link, ns, $"{@switch.Path}.ports.{port.Name}"));
            }
        }

        foreach (var definition in lab.InterfaceNamespaces)
        {
            var ns = Kernel(definition.Name);
            namespaces.Add(new DesiredNamespace(ns, definition.LoopbackUp, definition.Path));
            if (definition is Host host)
            {
                foreach (var nic in host.Nics)
                {
                    var spec = new LinkSpec { Kind = LinkKind.Veth, Peer = new(Kernel(nic.Switch), nic.Port) };
                    links.Add(new DesiredLink(new(ns, nic.Name), WithAddressing(new ObservedLink(nic.Name, spec), nic), ns, $"{host.Path}.nics.{nic.Name}"));
                }
            }

            foreach (var item in definition.Interfaces)
            {
                LinkReference Resolve(string text)
                {
                    var reference = InterfaceReference.Parse(text, definition.Name);
                    return new LinkReference(Kernel(reference.Namespace), reference.Interface);
                }

                var spec = SpecOf(item, Resolve);
                var link = WithAddressing(new ObservedLink(item.Name, spec), item) with { Master = item.Master };
                var createIn = spec.Parent?.Namespace ?? ns;
                links.Add(new DesiredLink(new(ns, item.Name), link, createIn, $"{definition.Path}.interfaces.{item.Name}"));
            }
        }

        var ordered = ParentsFirst(links);
        var state = new ObservedState
        {
            Namespaces = namespaces.Select(n => new ObservedNamespace(n.Name)
            {
                Links = ordered.Where(l => l.Reference.Namespace == n.Name).Select(l => l.Link)
                    .Prepend(new ObservedLink("lo", LinkSpec.Loopback) { Up = n.LoopbackUp }).ToValueList(),
            }).ToValueList(),
        };
        return new DesiredState(state, namespaces.ToValueList(), ordered.ToValueList());
    }

    private static LinkSpec SpecOf(InterfaceDefinition item, Func<string, LinkReference> resolve) => item switch
    {
        VethInterface veth => new LinkSpec { Kind = LinkKind.Veth, Peer = resolve(veth.Peer) },
        MacvlanFamilyInterface macvlan => new LinkSpec
        {
            Kind = macvlan.Kind,
            Parent = resolve(macvlan.ParentName),
            MacvlanMode = macvlan.Mode,
            NoPromisc = macvlan.NoPromisc,
            SourceMacs = macvlan.SourceMacs.Select(MacAddress.Parse).ToValueList(),
        },
        VlanInterface vlan => new LinkSpec { Kind = LinkKind.Vlan, Parent = resolve(vlan.ParentName), VlanId = vlan.Id, VlanProtocol = vlan.Protocol },
        VxlanInterface vxlan => new LinkSpec
        {
            Kind = LinkKind.Vxlan,
            Parent = vxlan.Underlay is null ? null : resolve(vxlan.Underlay),
            Vni = vxlan.Vni,
            VxlanPort = vxlan.Port,
            Remote = vxlan.Remote is null ? null : IPAddress.Parse(vxlan.Remote),
            Local = vxlan.Local is null ? null : IPAddress.Parse(vxlan.Local),
            Group = vxlan.Group is null ? null : IPAddress.Parse(vxlan.Group),
        },
        _ => new LinkSpec { Kind = item.Kind },
    };

    private static ObservedLink WithAddressing(ObservedLink link, IAddressed addressed) => link with
    {
        Mac = addressed.Mac is null ? null : MacAddress.Parse(addressed.Mac),
        Mtu = addressed.Mtu,
        Addresses = addressed.Addresses.Select(InterfaceAddress.Parse).ToValueList(),
        Up = addressed.Up,
    };

    /// <summary>Stable order in which every link comes after its parent (the validator has ruled out cycles).</summary>
    private static List<DesiredLink> ParentsFirst(List<DesiredLink> links)
    {
        var byReference = links.ToDictionary(l => l.Reference);
        var ordered = new List<DesiredLink>();
        var placed = new HashSet<LinkReference>();
        foreach (var link in links)
        {
            Place(link);
        }

        return ordered;

        void Place(DesiredLink link)
        {
            if (!placed.Add(link.Reference))
            {
                return;
            }

            if (link.Link.Spec.Parent is { } parent && byReference.TryGetValue(parent, out var parentLink))
            {
                Place(parentLink);
            }

            ordered.Add(link);
        }
    }
}
