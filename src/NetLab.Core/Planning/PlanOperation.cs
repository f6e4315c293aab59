using NetLab.Core.Links;

namespace NetLab.Core.Planning;

/// <summary>
/// One step of a plan, small enough to be one netlink request and one `ip` command. Namespaces are kernel names.
/// <see cref="Source"/> names the lab element the step comes from (e.g. `namespaces.ns2.interfaces.macvlan2`),
/// or, for removals of things the lab no longer has, the namespace/interface being removed.
/// </summary>
public abstract record PlanOperation
{
    public required string Source { get; init; }

    /// <summary>The namespace the step runs in.</summary>
    public abstract string Namespace { get; }
}

public sealed record CreateNamespace(string Name) : PlanOperation
{
    public override string Namespace => Name;
}

/// <summary>Deleting a namespace destroys every link in it, and with them their veth peers and children elsewhere.</summary>
public sealed record DeleteNamespace(string Name) : PlanOperation
{
    public override string Namespace => Name;
}

public sealed record SetLoopback(string Name, bool Up) : PlanOperation
{
    public override string Namespace => Name;
}

/// <summary>
/// Creates a link in <paramref name="InNamespace"/>; its parent (if any) lives there too. For a veth the peer end is
/// made at the same time, in the peer's namespace.
/// </summary>
public sealed record CreateLink(string InNamespace, string Name, LinkSpec Spec) : PlanOperation
{
    public override string Namespace => InNamespace;
}

/// <summary>Deleting a link also deletes its veth peer and every link made on it (macvlan, vlan, vxlan children).</summary>
public sealed record DeleteLink(string InNamespace, string Name) : PlanOperation
{
    public override string Namespace => InNamespace;
}

/// <summary>Moves a link to another namespace; the kernel takes it down and drops its addresses on the way.</summary>
public sealed record MoveLink(string InNamespace, string Name, string TargetNamespace) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record SetLinkUp(string InNamespace, string Name) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record SetLinkDown(string InNamespace, string Name) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record SetMac(string InNamespace, string Name, MacAddress Mac) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record SetMtu(string InNamespace, string Name, int Mtu) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record AddAddress(string InNamespace, string Name, InterfaceAddress Address) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record DeleteAddress(string InNamespace, string Name, InterfaceAddress Address) : PlanOperation
{
    public override string Namespace => InNamespace;
}

/// <summary>Makes the link a port of bridge <paramref name="Master"/>, or no bridge's port when it is null.</summary>
public sealed record SetMaster(string InNamespace, string Name, string? Master) : PlanOperation
{
    public override string Namespace => InNamespace;
}

public sealed record SetHairpin(string InNamespace, string Name, bool On) : PlanOperation
{
    public override string Namespace => InNamespace;
}

/// <summary>An ordered list of operations that takes the observed state to the lab's.</summary>
public sealed record Plan(ValueList<PlanOperation> Operations, string LabName, NamingScheme Naming)
{
    public bool IsEmpty => Operations.Count == 0;
}
