namespace NetLab.Core.Labs;

/// <summary>
/// A whole lab as the student wrote it: the switches and hosts that stand in for the outside world, and the
/// namespaces the experiment happens in. Values are kept as written (MACs and addresses as text) so that the
/// validator can say what is wrong with them; the planner reads only validated labs.
/// </summary>
public sealed record Lab
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public ValueList<Switch> Switches { get; init; } = [];

    public ValueList<Host> Hosts { get; init; } = [];

    public ValueList<LabNamespace> Namespaces { get; init; } = [];

    /// <summary>Where the editor draws each element (the file's optional <c>layout:</c>); ignored by validation and planning.</summary>
    public ValueList<ElementPosition> Layout { get; init; } = [];

    /// <summary>Hosts then namespaces: everything that holds interfaces, in the order the planner creates them.</summary>
    public IEnumerable<NamespaceDefinition> InterfaceNamespaces => Hosts.Cast<NamespaceDefinition>().Concat(Namespaces);

    public NamespaceDefinition? FindNamespace(string name) => InterfaceNamespaces.FirstOrDefault(n => n.Name == name);

    public Switch? FindSwitch(string name) => Switches.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// An emulated external switch: a Linux bridge (<see cref="BridgeName"/>) alone in its own namespace, one veth end
/// per port. Hairpin on a port is what makes it an 802.1Qbg switch, the kind vepa mode needs.
/// </summary>
public sealed record Switch
{
    /// <summary>The bridge device inside every switch namespace.</summary>
    public const string BridgeName = "br0";

    public required string Name { get; init; }

    public ValueList<SwitchPort> Ports { get; init; } = [];

    public string Path => $"switches.{Name}";
}

public sealed record SwitchPort
{
    public required string Name { get; init; }

    /// <summary>Reflect frames back out of the port they came in on (802.1Qbg reflective relay).</summary>
    public bool Hairpin { get; init; }
}

/// <summary>What hosts and namespaces share: each becomes one kernel network namespace holding interfaces.</summary>
public abstract record NamespaceDefinition
{
    public required string Name { get; init; }

    /// <summary>`ip netns add` leaves lo down, and the seed's "cannot ping my own address" lesson depends on it.</summary>
    public bool LoopbackUp { get; init; }

    public ValueList<InterfaceDefinition> Interfaces { get; init; } = [];

    /// <summary>"hosts" or "namespaces": the lab file's section this definition sits in.</summary>
    public abstract string Section { get; }

    public string Path => $"{Section}.{Name}";

    /// <summary>Every interface name this namespace defines (a host's NICs first).</summary>
    public virtual IEnumerable<string> InterfaceNames => Interfaces.Select(i => i.Name);
}

/// <summary>A namespace where the experiment happens (`ip netns add ns2`).</summary>
public sealed record LabNamespace : NamespaceDefinition
{
    public override string Section => "namespaces";
}

/// <summary>
/// A lab machine: a namespace whose "physical" NICs are veths plugged into switch ports. Children made on a NIC
/// (macvlan, vlan, ...) may stay here or be placed into other namespaces.
/// </summary>
public sealed record Host : NamespaceDefinition
{
    public ValueList<HostNic> Nics { get; init; } = [];

    public override string Section => "hosts";

    public override IEnumerable<string> InterfaceNames => Nics.Select(n => n.Name).Concat(base.InterfaceNames);
}

/// <summary>A host's "physical" NIC: one end of a veth whose other end is a switch port.</summary>
public sealed record HostNic : IAddressed
{
    public required string Name { get; init; }

    public required string Switch { get; init; }

    public required string Port { get; init; }

    public string? Mac { get; init; }

    public int? Mtu { get; init; }

    public ValueList<string> Addresses { get; init; } = [];

    public bool Up { get; init; } = true;
}

/// <summary>What every interface in a lab can set, whatever its kind.</summary>
public interface IAddressed
{
    string Name { get; }

    string? Mac { get; }

    int? Mtu { get; }

    ValueList<string> Addresses { get; }

    bool Up { get; }
}
