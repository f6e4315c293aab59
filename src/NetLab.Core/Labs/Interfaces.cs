using NetLab.Core.Links;

namespace NetLab.Core.Labs;

/// <summary>An interface defined inside a host or namespace. One derived record per kind holds what only that kind has.</summary>
public abstract record InterfaceDefinition : IAddressed
{
    public required string Name { get; init; }

    public string? Mac { get; init; }

    public int? Mtu { get; init; }

    public ValueList<string> Addresses { get; init; } = [];

    /// <summary>Labs are about traffic, so interfaces come up unless the lab says otherwise.</summary>
    public bool Up { get; init; } = true;

    /// <summary>Name of a bridge in the same namespace this interface is a port of.</summary>
    public string? Master { get; init; }

    public abstract LinkKind Kind { get; }

    /// <summary>
    /// The interface this one is made on, as written: "eth0" (same namespace) or "h1/eth0" (made there, then moved here).
    /// Null for kinds without a parent.
    /// </summary>
    public virtual string? Parent => null;
}

/// <summary>One end of a veth pair; <see cref="Peer"/> names the other end ("ns3/veth3" or "veth3"), which must name this one back.</summary>
public sealed record VethInterface : InterfaceDefinition
{
    public required string Peer { get; init; }

    public override LinkKind Kind => LinkKind.Veth;
}

/// <summary>macvlan and macvtap share every setting.</summary>
public abstract record MacvlanFamilyInterface : InterfaceDefinition
{
    public required string ParentName { get; init; }

    /// <summary>vepa is what the kernel picks when no mode is given.</summary>
    public MacvlanMode Mode { get; init; } = MacvlanMode.Vepa;

    /// <summary>passthru only: leave the parent out of promiscuous mode.</summary>
    public bool NoPromisc { get; init; }

    /// <summary>source mode only: the source MACs whose frames this child receives.</summary>
    public ValueList<string> SourceMacs { get; init; } = [];

    public override string? Parent => ParentName;
}

public sealed record MacvlanInterface : MacvlanFamilyInterface
{
    public override LinkKind Kind => LinkKind.Macvlan;
}

/// <summary>macvlan whose frames go to a character device (/dev/tapN) for a user-space program such as a VM.</summary>
public sealed record MacvtapInterface : MacvlanFamilyInterface
{
    public override LinkKind Kind => LinkKind.Macvtap;
}

public sealed record VlanInterface : InterfaceDefinition
{
    public required string ParentName { get; init; }

    public required int Id { get; init; }

    public VlanProtocol Protocol { get; init; } = VlanProtocol.Dot1Q;

    public override LinkKind Kind => LinkKind.Vlan;

    public override string? Parent => ParentName;
}

public sealed record BridgeInterface : InterfaceDefinition
{
    public override LinkKind Kind => LinkKind.Bridge;
}

public sealed record DummyInterface : InterfaceDefinition
{
    public override LinkKind Kind => LinkKind.Dummy;
}

public sealed record VxlanInterface : InterfaceDefinition
{
    /// <summary>IANA's port; iproute2 warns and the kernel falls back to 8472 when none is given, so labs always say it.</summary>
    public const int DefaultPort = 4789;

    public required long Vni { get; init; }

    /// <summary>The underlay device (`dev`), optional.</summary>
    public string? Underlay { get; init; }

    public string? Remote { get; init; }

    public string? Local { get; init; }

    public string? Group { get; init; }

    public int Port { get; init; } = DefaultPort;

    public override LinkKind Kind => LinkKind.Vxlan;

    public override string? Parent => Underlay;
}
