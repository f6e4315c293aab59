using System.Globalization;
using NetLab.Core;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using Host = NetLab.Core.Labs.Host;

namespace NetLab.Web.Model.Topology;

/// <summary>
/// The property panel's fields for one row of the canvas (an interface, a host NIC or a switch port), flat and
/// editable, as text where a student may type something wrong: the validator, not the form, says what is wrong, so
/// the form refuses nothing the YAML editor would accept, except a rename to a taken or invalid name (a rename carries
/// every reference along, which only works towards a name that is free: <see cref="TopologyEdits.Rename"/>).
/// </summary>
public sealed class ItemForm
{
    public required string Element { get; init; }

    /// <summary>The row's name before this edit; it finds the row again when the name changes.</summary>
    public required string OriginalName { get; init; }

    public string Name { get; set; } = "";

    /// <summary>"port", "nic" or an interface kind (veth, macvlan, ...).</summary>
    public string Kind { get; set; } = "";

    public string Parent { get; set; } = "";

    public string Peer { get; set; } = "";

    public MacvlanMode Mode { get; set; } = MacvlanMode.Bridge;

    public bool NoPromisc { get; set; }

    public int VlanId { get; set; } = 1;

    public VlanProtocol VlanProtocol { get; set; } = VlanProtocol.Dot1Q;

    public long Vni { get; set; }

    public string Remote { get; set; } = "";

    public string Switch { get; set; } = "";

    public string Port { get; set; } = "";

    public bool Hairpin { get; set; }

    public string Mac { get; set; } = "";

    public int? Mtu { get; set; }

    /// <summary>Addresses separated by commas or spaces, e.g. <c>100.0.0.2/24, 2001:db8::2/64</c>.</summary>
    public string Addresses { get; set; } = "";

    public bool Up { get; set; } = true;

    public string Master { get; set; } = "";

    public bool HasParent => Kind is "macvlan" or "macvtap" or "vlan" or "vxlan";

    public bool IsInterface => TopologyEdits.InterfaceKinds.Contains(Kind);

    public string Id => TopologyIds.Of(Element, OriginalName);

    /// <summary>The form of the row <paramref name="id"/>, or null when the id names a box or nothing.</summary>
    public static ItemForm? Of(Lab lab, string id)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var (element, name) = TopologyIds.Split(id);
        if (name is null)
        {
            return null;
        }

        if (lab.FindSwitch(element)?.Ports.FirstOrDefault(p => p.Name == name) is { } port)
        {
            return new ItemForm { Element = element, OriginalName = name, Name = name, Kind = "port", Hairpin = port.Hairpin };
        }

        var owner = lab.FindNamespace(element);
        if (owner is Host host && host.Nics.FirstOrDefault(n => n.Name == name) is { } nic)
        {
            var form = new ItemForm { Element = element, OriginalName = name, Name = name, Kind = "nic", Switch = nic.Switch, Port = nic.Port };
            form.TakeAddressed(nic);
            return form;
        }

        return owner?.Interfaces.FirstOrDefault(i => i.Name == name) is { } definition ? FromDefinition(element, definition) : null;
    }

    private static ItemForm FromDefinition(string element, InterfaceDefinition definition)
    {
        var form = new ItemForm { Element = element, OriginalName = definition.Name, Name = definition.Name, Kind = definition.Kind.KernelName(), Master = definition.Master ?? "" };
        form.TakeAddressed(definition);
        switch (definition)
        {
            case VethInterface veth:
                form.Peer = veth.Peer;
                break;
            case MacvlanFamilyInterface macvlan:
                form.Parent = macvlan.ParentName;
                form.Mode = macvlan.Mode;
                form.NoPromisc = macvlan.NoPromisc;
                break;
            case VlanInterface vlan:
                form.Parent = vlan.ParentName;
                form.VlanId = vlan.Id;
                form.VlanProtocol = vlan.Protocol;
                break;
            case VxlanInterface vxlan:
                form.Parent = vxlan.Underlay ?? "";
                form.Vni = vxlan.Vni;
                form.Remote = vxlan.Remote ?? "";
                break;
        }

        return form;
    }

    /// <summary>The lab with this row replaced by what the form holds now.</summary>
    public Lab ApplyTo(Lab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return Kind switch
        {
            "port" => TopologyEdits.ReplacePort(lab, Element, OriginalName, new SwitchPort { Name = Name, Hairpin = Hairpin }),
            "nic" => TopologyEdits.ReplaceNic(lab, Element, OriginalName, new HostNic
            {
                Name = Name,
                Switch = Switch,
                Port = Port,
                Mac = Optional(Mac),
                Mtu = Mtu,
                Addresses = AddressList(),
                Up = Up,
            }),
            _ => TopologyEdits.ReplaceInterface(lab, Element, OriginalName, ToDefinition()),
        };
    }

    private InterfaceDefinition ToDefinition()
    {
        InterfaceDefinition definition = Kind switch
        {
            "veth" => new VethInterface { Name = Name, Peer = Peer },
            "macvlan" => new MacvlanInterface { Name = Name, ParentName = Parent, Mode = Mode, NoPromisc = NoPromisc },
            "macvtap" => new MacvtapInterface { Name = Name, ParentName = Parent, Mode = Mode, NoPromisc = NoPromisc },
            "vlan" => new VlanInterface { Name = Name, ParentName = Parent, Id = VlanId, Protocol = VlanProtocol },
            "vxlan" => new VxlanInterface { Name = Name, Vni = Vni, Underlay = Optional(Parent), Remote = Optional(Remote) },
            "bridge" => new BridgeInterface { Name = Name },
            _ => new DummyInterface { Name = Name },
        };
        return definition with { Mac = Optional(Mac), Mtu = Mtu, Addresses = AddressList(), Up = Up, Master = Optional(Master) };
    }

    private void TakeAddressed(IAddressed addressed)
    {
        Mac = addressed.Mac ?? "";
        Mtu = addressed.Mtu;
        Addresses = string.Join(", ", addressed.Addresses);
        Up = addressed.Up;
    }

    private ValueList<string> AddressList() =>
        Addresses.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToValueList();

    private static string? Optional(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id} ({Kind})");
}
