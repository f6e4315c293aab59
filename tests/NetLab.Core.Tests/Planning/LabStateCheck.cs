using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Tests.Planning;

/// <summary>
/// Says how a state differs from what a lab asks, reading the lab directly rather than through the planner's
/// DesiredState, so that property tests do not check the planner against itself.
/// </summary>
internal static class LabStateCheck
{
    public static List<string> Differences(ObservedState state, Lab lab, NamingScheme naming)
    {
        var differences = new List<string>();
        string Kernel(string element) => naming.Namespace(lab.Name, element);
        var expected = new Dictionary<LinkReference, Action<ObservedLink>>();
        var expectedNamespaces = new HashSet<string>();

        void Expect(string ns, string name, Action<ObservedLink> check) => expected[new LinkReference(ns, name)] = check;

        void CheckNamespace(string element, bool loopbackUp)
        {
            var ns = Kernel(element);
            expectedNamespaces.Add(ns);
            if (state.Namespace(ns) is null)
            {
                differences.Add($"namespace {ns} is missing");
            }

            Expect(ns, "lo", link => Same($"{ns}/lo up", loopbackUp, link.Up));
        }

        void Same<T>(string what, T wanted, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(wanted, actual))
            {
                differences.Add($"{what}: wanted {wanted}, found {actual}");
            }
        }

        void CheckAddressed(string ns, IAddressed item, ObservedLink link)
        {
            var where = $"{ns}/{item.Name}";
            Same($"{where} up", item.Up, link.Up);
            if (item.Mac is not null)
            {
                Same($"{where} mac", (MacAddress?)MacAddress.Parse(item.Mac), link.Mac);
            }

            if (item.Mtu is not null)
            {
                Same($"{where} mtu", item.Mtu, link.Mtu);
            }

            var wanted = item.Addresses.Select(a => InterfaceAddress.Parse(a).ToString()).Order(StringComparer.Ordinal);
            var actual = link.Addresses.Where(a => !a.IsIPv6LinkLocal).Select(a => a.ToString()).Order(StringComparer.Ordinal);
            Same($"{where} addresses", string.Join(",", wanted), string.Join(",", actual));
        }

        LinkReference Resolve(string text, string element)
        {
            var reference = InterfaceReference.Parse(text, element);
            return new LinkReference(Kernel(reference.Namespace), reference.Interface);
        }

        foreach (var @switch in lab.Switches)
        {
            CheckNamespace(@switch.Name, false);
            var ns = Kernel(@switch.Name);
            Expect(ns, Switch.BridgeName, link => Same($"{ns}/br0 kind", LinkKind.Bridge, link.Spec.Kind));
            foreach (var port in @switch.Ports)
            {
                var (host, nic) = lab.Hosts.SelectMany(h => h.Nics.Select(n => (h, n))).Single(p => p.n.Switch == @switch.Name && p.n.Port == port.Name);
                Expect(ns, port.Name, link =>
                {
                    Same($"{ns}/{port.Name} peer", new LinkReference(Kernel(host.Name), nic.Name), link.Spec.Peer);
                    Same($"{ns}/{port.Name} master", Switch.BridgeName, link.Master);
                    Same($"{ns}/{port.Name} hairpin", (bool?)port.Hairpin, link.Hairpin);
                    Same($"{ns}/{port.Name} up", true, link.Up);
                });
            }
        }

        foreach (var definition in lab.InterfaceNamespaces)
        {
            CheckNamespace(definition.Name, definition.LoopbackUp);
            var ns = Kernel(definition.Name);
            if (definition is Host host)
            {
                foreach (var nic in host.Nics)
                {
                    Expect(ns, nic.Name, link =>
                    {
                        Same($"{ns}/{nic.Name} kind", LinkKind.Veth, link.Spec.Kind);
                        Same($"{ns}/{nic.Name} peer", new LinkReference(Kernel(nic.Switch), nic.Port), link.Spec.Peer);
                        CheckAddressed(ns, nic, link);
                    });
                }
            }

            foreach (var item in definition.Interfaces)
            {
                Expect(ns, item.Name, link =>
                {
                    var where = $"{ns}/{item.Name}";
                    Same($"{where} kind", item.Kind, link.Spec.Kind);
                    Same($"{where} master", item.Master, link.Master);
                    CheckAddressed(ns, item, link);
                    switch (item)
                    {
                        case VethInterface veth:
                            Same($"{where} peer", Resolve(veth.Peer, definition.Name), link.Spec.Peer);
                            break;
                        case MacvlanFamilyInterface macvlan:
                            Same($"{where} parent", Resolve(macvlan.ParentName, definition.Name), link.Spec.Parent);
                            Same($"{where} mode", (MacvlanMode?)macvlan.Mode, link.Spec.MacvlanMode);
                            Same($"{where} nopromisc", macvlan.NoPromisc, link.Spec.NoPromisc);
                            break;
                        case VlanInterface vlan:
                            Same($"{where} parent", Resolve(vlan.ParentName, definition.Name), link.Spec.Parent);
                            Same($"{where} id", (int?)vlan.Id, link.Spec.VlanId);
                            Same($"{where} protocol", (VlanProtocol?)vlan.Protocol, link.Spec.VlanProtocol);
                            break;
                        case VxlanInterface vxlan:
                            Same($"{where} vni", (long?)vxlan.Vni, link.Spec.Vni);
                            Same($"{where} port", (int?)vxlan.Port, link.Spec.VxlanPort);
                            Same($"{where} remote", vxlan.Remote, link.Spec.Remote?.ToString());
                            Same($"{where} underlay", vxlan.Underlay is null ? null : Resolve(vxlan.Underlay, definition.Name), link.Spec.Parent);
                            break;
                    }
                });
            }
        }

        foreach (var @namespace in state.Namespaces.Where(n => naming.BelongsTo(n.Name, lab.Name)))
        {
            if (!expectedNamespaces.Contains(@namespace.Name))
            {
                differences.Add($"namespace {@namespace.Name} should not exist");
            }
        }

        foreach (var (reference, check) in expected)
        {
            if (state.Link(reference) is { } link)
            {
                check(link);
            }
            else if (state.Namespace(reference.Namespace) is not null)
            {
                differences.Add($"link {reference} is missing");
            }
        }

        foreach (var (reference, _) in state.AllLinks.Where(l => expectedNamespaces.Contains(l.Reference.Namespace)))
        {
            if (!expected.ContainsKey(reference))
            {
                differences.Add($"link {reference} should not exist");
            }
        }

        return differences;
    }
}
