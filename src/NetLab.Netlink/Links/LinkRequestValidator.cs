using NetLab.Core.Links;

namespace NetLab.Netlink.Links;

/// <summary>Refuses requests the kernel would reject or half-apply, before anything is sent.</summary>
internal static class LinkRequestValidator
{
    public static void ThrowIfInvalid(Link link)
    {
        var problems = new List<string>();
        Check(InterfaceName.Problem(link.Name), problems);
        switch (link)
        {
            case Veth veth:
                if (veth.PeerName is null)
                {
                    problems.Add($"veth '{link.Name}' needs a peer name");
                }
                else
                {
                    Check(InterfaceName.Problem(veth.PeerName), problems, "peer name: ");
                }

                break;
            case Macvlan macvlan:
                RequireParent(link, problems);
                if (!Enum.IsDefined(macvlan.Mode))
                {
                    problems.Add($"{link.Kind} mode {(int)macvlan.Mode} is unknown; use private, vepa, bridge, passthru or source");
                }

                if (macvlan.NoPromisc && macvlan.Mode != MacvlanMode.Passthru)
                {
                    problems.Add("nopromisc applies to passthru mode only");
                }

                if (macvlan.SourceAddresses.Count > 0 && macvlan.Mode != MacvlanMode.Source)
                {
                    problems.Add("source MAC addresses apply to source mode only");
                }

                break;
            case Vlan vlan:
                RequireParent(link, problems);
                if (vlan.VlanId is < 1 or > 4094)
                {
                    problems.Add($"vlan id {vlan.VlanId} is outside 1-4094 (0 and 4095 are reserved by 802.1Q)");
                }

                if (!Enum.IsDefined(vlan.Protocol))
                {
                    problems.Add("vlan protocol must be 802.1Q or 802.1ad");
                }

                break;
            case Vxlan vxlan:
                if (vxlan.Vni > 0xFFFFFF)
                {
                    problems.Add($"vxlan id {vxlan.Vni} is outside 0-16777215 (24 bits)");
                }

                break;
            case Ipvlan:
                RequireParent(link, problems);
                break;
        }

        if (link.Address is { } mac && (mac.IsMulticast || mac.IsZero))
        {
            problems.Add($"{mac} cannot be an interface's address (zero or multicast)");
        }

        if (link.Mtu is { } mtu && mtu < 68)
        {
            problems.Add($"mtu {link.Mtu} is below the IPv4 minimum of 68");
        }

        if (problems.Count > 0)
        {
            throw new InvalidLinkRequestException($"Refusing to create {link.Kind} '{link.Name}': {string.Join("; ", problems)}.");
        }
    }

    private static void RequireParent(Link link, List<string> problems)
    {
        if (link.ParentIndex is null or <= 0)
        {
            problems.Add($"{link.Kind} '{link.Name}' needs a parent device");
        }
    }

    private static void Check(string? problem, List<string> problems, string prefix = "")
    {
        if (problem is not null)
        {
            problems.Add(prefix + problem);
        }
    }
}
