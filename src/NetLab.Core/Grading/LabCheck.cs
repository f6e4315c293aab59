using NetLab.Core.Links;

namespace NetLab.Core.Grading;

/// <summary>
/// One thing a graded lab must show: an expected ping outcome, or a state of one interface. Every check has a stable
/// <see cref="Id"/> (made from what it is about, so the same check gets the same id in every checks file and every run,
/// and a stored result can be compared with a later one) and a <see cref="Text"/> to show, e.g. "ns2 reaches 100.0.0.3".
/// </summary>
public abstract record LabCheck
{
    /// <summary>
    /// Stable and unique within a checks document: two checks with one id would grade the same thing twice (or
    /// contradict each other). Reachability checks share an id whatever they expect, so editing "reaches" into "does
    /// not reach" keeps the id.
    /// </summary>
    public abstract string Id { get; }

    /// <summary>The check in words, as an instructor and a student read it.</summary>
    public abstract string Text { get; }

    public override string ToString() => Text;
}

/// <summary>An expected ping outcome: <c>ns2 reaches 100.0.0.3</c> or <c>ns2 does not reach 100.0.0.3</c>.</summary>
/// <param name="From">The host or namespace the echo is sent from (a lab element name).</param>
/// <param name="Address">The target address without prefix length, as .NET writes it (100.0.0.3, 2001:db8::1).</param>
/// <param name="Reachable">Whether a reply is expected.</param>
public sealed record ReachabilityCheck(string From, string Address, bool Reachable) : LabCheck
{
    public override string Id => $"reach/{From}/{Address}";

    public override string Text => Reachable ? $"{From} reaches {Address}" : $"{From} does not reach {Address}";
}

/// <summary>A check on one interface of a lab element (host, namespace or switch), named as a lab names it: ns2/macvlan2.</summary>
public abstract record InterfaceCheck(string Element, string Interface) : LabCheck
{
    /// <summary>"ns2/macvlan2".</summary>
    public string InterfacePath => $"{Element}/{Interface}";

    /// <summary>The id's first word: "exists", "up", "kind", "vlan", "address".</summary>
    protected abstract string IdWord { get; }

    public override string Id => $"{IdWord}/{Element}/{Interface}";
}

/// <summary>The interface exists.</summary>
public sealed record InterfaceExistsCheck(string Element, string Interface) : InterfaceCheck(Element, Interface)
{
    protected override string IdWord => "exists";

    public override string Text => $"{InterfacePath} exists";
}

/// <summary>The interface is administratively up (or, with <paramref name="Up"/> false, down).</summary>
public sealed record InterfaceUpCheck(string Element, string Interface, bool Up) : InterfaceCheck(Element, Interface)
{
    protected override string IdWord => "up";

    public override string Text => $"{InterfacePath} is {(Up ? "up" : "down")}";
}

/// <summary>The interface is of a kind, and for macvlan and macvtap, when <paramref name="Mode"/> is given, in that mode.</summary>
public sealed record InterfaceKindCheck(string Element, string Interface, LinkKind Kind, MacvlanMode? Mode = null) : InterfaceCheck(Element, Interface)
{
    protected override string IdWord => "kind";

    public override string Text => Mode is { } mode
        ? $"{InterfacePath} is a {Kind.KernelName()} in {mode.Word()} mode"
        : $"{InterfacePath} is a {Kind.KernelName()}";
}

/// <summary>The interface is a vlan with this id.</summary>
public sealed record InterfaceVlanCheck(string Element, string Interface, int VlanId) : InterfaceCheck(Element, Interface)
{
    protected override string IdWord => "vlan";

    public override string Text => $"{InterfacePath} is a vlan with id {VlanId}";
}

/// <summary>The interface holds this address with this prefix length (100.0.0.2/24).</summary>
public sealed record InterfaceAddressCheck(string Element, string Interface, InterfaceAddress Address) : InterfaceCheck(Element, Interface)
{
    public override string Id => $"address/{Element}/{Interface}/{Address}";

    protected override string IdWord => "address";

    public override string Text => $"{InterfacePath} has {Address}";
}

/// <summary>A checks file: the checks that grade a lab, and the name of the lab they were written for (optional).</summary>
public sealed record ChecksDocument
{
    public string? Lab { get; init; }

    public ValueList<LabCheck> Checks { get; init; } = [];
}
