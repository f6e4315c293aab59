using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Experiments;

/// <summary>One network device of a lab, wherever the lab file writes it: a switch's bridge or port, a host NIC, an interface.</summary>
internal sealed record LabDevice(string Namespace, string Name, LinkKind Kind, bool Up, IReadOnlyList<InterfaceAddress> Addresses)
{
    public (string Namespace, string Name) Key => (Namespace, Name);

    /// <summary>The lower device (macvlan, macvtap, vlan) or underlay (vxlan), resolved to its namespace.</summary>
    public (string Namespace, string Name)? Parent { get; init; }

    /// <summary>The other end of a veth.</summary>
    public (string Namespace, string Name)? Peer { get; init; }

    public string? Master { get; init; }

    public bool IsSwitchPort { get; init; }

    public bool Hairpin { get; init; }

    public MacvlanFamilyInterface? Macvlan { get; init; }

    public VlanInterface? Vlan { get; init; }

    public VxlanInterface? Vxlan { get; init; }

    public string? Mac { get; init; }

    public bool IsMacvlanFamily => Macvlan is not null;

    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>Every device of a lab by namespace and name, and the namespaces that send pings (hosts and namespaces).</summary>
internal sealed class LabDevices
{
    private readonly Dictionary<(string, string), LabDevice> _devices = [];

    public LabDevices(Lab lab)
    {
        Lab = lab;
        foreach (var @switch in lab.Switches)
        {
            Add(new LabDevice(@switch.Name, Switch.BridgeName, LinkKind.Bridge, true, []));
            foreach (var port in @switch.Ports)
            {
                var nic = lab.Hosts.SelectMany(h => h.Nics.Select(n => (Host: h.Name, Nic: n)))
                    .FirstOrDefault(p => p.Nic.Switch == @switch.Name && p.Nic.Port == port.Name);
                Add(new LabDevice(@switch.Name, port.Name, LinkKind.Veth, true, [])
                {
                    Peer = nic.Nic is null ? null : (nic.Host, nic.Nic.Name),
                    Master = Switch.BridgeName,
                    IsSwitchPort = true,
                    Hairpin = port.Hairpin,
                });
            }
        }

        foreach (var definition in lab.InterfaceNamespaces)
        {
            if (definition is Host host)
            {
                foreach (var nic in host.Nics)
                {
                    Add(new LabDevice(host.Name, nic.Name, LinkKind.Veth, nic.Up, Addresses(nic)) { Peer = (nic.Switch, nic.Port), Mac = nic.Mac });
                }
            }

            foreach (var item in definition.Interfaces)
            {
                (string, string)? Resolve(string? text) =>
                    text is null ? null : InterfaceReference.Parse(text, definition.Name) is var r ? (r.Namespace, r.Interface) : null;

                Add(new LabDevice(definition.Name, item.Name, item.Kind, item.Up, Addresses(item))
                {
                    Parent = Resolve(item.Parent),
                    Peer = item is VethInterface veth ? Resolve(veth.Peer) : null,
                    Master = item.Master,
                    Macvlan = item as MacvlanFamilyInterface,
                    Vlan = item as VlanInterface,
                    Vxlan = item as VxlanInterface,
                    Mac = item.Mac,
                });
            }
        }
    }

    public Lab Lab { get; }

    public IEnumerable<LabDevice> All => _devices.Values;

    public LabDevice? Find((string Namespace, string Name)? key) => key is { } k && _devices.TryGetValue(k, out var device) ? device : null;

    public IEnumerable<LabDevice> In(string @namespace) => _devices.Values.Where(d => d.Namespace == @namespace);

    public bool LoopbackUp(string @namespace) => Lab.FindNamespace(@namespace)?.LoopbackUp ?? false;

    /// <summary>Where the element sits in the lab file, for fixes ("namespaces.ns2").</summary>
    public string PathOf(string @namespace) => Lab.FindNamespace(@namespace)?.Path ?? $"switches.{@namespace}";

    /// <summary>The lab file path of a device ("hosts.h1.nics.eth0", "namespaces.ns2.interfaces.macvlan2").</summary>
    public string PathOf(LabDevice device) => Lab.FindNamespace(device.Namespace) switch
    {
        Host host when host.Nics.Any(n => n.Name == device.Name) => $"{host.Path}.nics.{device.Name}",
        { } definition => $"{definition.Path}.interfaces.{device.Name}",
        null => $"switches.{device.Namespace}.ports.{device.Name}",
    };

    private void Add(LabDevice device) => _devices[device.Key] = device;

    private static InterfaceAddress[] Addresses(IAddressed addressed) =>
        [.. addressed.Addresses.Select(a => InterfaceAddress.TryParse(a, out var parsed) ? parsed : (InterfaceAddress?)null).OfType<InterfaceAddress>()];
}
