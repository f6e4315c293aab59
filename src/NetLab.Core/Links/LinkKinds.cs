namespace NetLab.Core.Links;

/// <summary>The interface kinds a lab can contain, named as the kernel's IFLA_INFO_KIND names them.</summary>
public enum LinkKind
{
    Veth,
    Macvlan,
    Macvtap,
    Vlan,
    Bridge,
    Vxlan,
    Dummy,
    Ipvlan,
}

/// <summary>macvlan/macvtap modes; the numeric values are the kernel's MACVLAN_MODE_* bits.</summary>
public enum MacvlanMode
{
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

/// <summary>The two 802.1 tag protocols a vlan link can use; values are the ethertypes.</summary>
public enum VlanProtocol
{
    Dot1Q = 0x8100,
    Dot1AD = 0x88A8,
}

public static class LinkKindNames
{
    public static string KernelName(this LinkKind kind) => kind switch
    {
        LinkKind.Veth => "veth",
        LinkKind.Macvlan => "macvlan",
        LinkKind.Macvtap => "macvtap",
        LinkKind.Vlan => "vlan",
        LinkKind.Bridge => "bridge",
        LinkKind.Vxlan => "vxlan",
        LinkKind.Dummy => "dummy",
        LinkKind.Ipvlan => "ipvlan",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static LinkKind? FromKernelName(string? name) => name switch
    {
        "veth" => LinkKind.Veth,
        "macvlan" => LinkKind.Macvlan,
        "macvtap" => LinkKind.Macvtap,
        "vlan" => LinkKind.Vlan,
        "bridge" => LinkKind.Bridge,
        "vxlan" => LinkKind.Vxlan,
        "dummy" => LinkKind.Dummy,
        "ipvlan" => LinkKind.Ipvlan,
        _ => null,
    };

    public static string Word(this MacvlanMode mode) => mode.ToString().ToLowerInvariant();

    public static MacvlanMode? ParseMacvlanMode(string word) => word.ToLowerInvariant() switch
    {
        "private" => MacvlanMode.Private,
        "vepa" => MacvlanMode.Vepa,
        "bridge" => MacvlanMode.Bridge,
        "passthru" => MacvlanMode.Passthru,
        "source" => MacvlanMode.Source,
        _ => null,
    };

    public static string Word(this VlanProtocol protocol) => protocol == VlanProtocol.Dot1AD ? "802.1ad" : "802.1Q";

    public static VlanProtocol? ParseVlanProtocol(string word) => word.ToLowerInvariant() switch
    {
        "802.1q" => VlanProtocol.Dot1Q,
        "802.1ad" => VlanProtocol.Dot1AD,
        _ => null,
    };
}
