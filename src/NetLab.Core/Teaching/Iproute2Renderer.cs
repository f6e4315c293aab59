using System.Globalization;
using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Teaching;

/// <summary>Which namespace names the commands show.</summary>
public enum NamespaceNames
{
    /// <summary>The kernel's names (nl-lab.ns2): the commands reproduce the plan exactly.</summary>
    Kernel,

    /// <summary>The lab's names (ns2): the commands as a student would type them in a lab of their own.</summary>
    Lab,
}

/// <summary>
/// Renders a plan as the iproute2 commands a student would type to do the same by hand: the teaching view of every
/// apply. One operation gives one command, e.g. `ip -n ns2 addr add 100.0.0.2/24 dev macvlan2`.
/// </summary>
public static class Iproute2Renderer
{
    public static IReadOnlyList<string> Render(Plan plan, NamespaceNames names = NamespaceNames.Lab) =>
        plan.Operations.Select(o => Render(o, Namer(plan, names))).ToList();

    /// <summary>
    /// One operation's command. Every word is quoted for a POSIX shell (<see cref="ShellWords"/>): the validator
    /// keeps lab names plain, but a command is pasted into a root shell, so no value may ever reach it unquoted.
    /// </summary>
    public static string Render(PlanOperation operation, Func<string, string> namespaceName) =>
        ShellWords.Join(Words(operation, namespaceName));

    private static IEnumerable<string> Words(PlanOperation operation, Func<string, string> namespaceName)
    {
        string[] Ip(string ns) => ["ip", "-n", namespaceName(ns)];
        return operation switch
        {
            CreateNamespace create => ["ip", "netns", "add", namespaceName(create.Name)],
            DeleteNamespace delete => ["ip", "netns", "del", namespaceName(delete.Name)],
            SetLoopback loopback => [.. Ip(loopback.Name), "link", "set", "lo", UpDown(loopback.Up)],
            CreateLink create => [.. Ip(create.InNamespace), "link", "add", .. CreateArguments(create, namespaceName)],
            DeleteLink delete => [.. Ip(delete.InNamespace), "link", "del", delete.Name],
            MoveLink move => [.. Ip(move.InNamespace), "link", "set", move.Name, "netns", namespaceName(move.TargetNamespace)],
            SetLinkUp up => [.. Ip(up.InNamespace), "link", "set", up.Name, "up"],
            SetLinkDown down => [.. Ip(down.InNamespace), "link", "set", down.Name, "down"],
            SetMac mac => [.. Ip(mac.InNamespace), "link", "set", mac.Name, "address", mac.Mac.ToString()],
            SetMtu mtu => [.. Ip(mtu.InNamespace), "link", "set", mtu.Name, "mtu", Number(mtu.Mtu)],
            AddAddress add => [.. Ip(add.InNamespace), "addr", "add", add.Address.ToString(), "dev", add.Name, .. (add.Address.SkipsDuplicateDetection ? ["nodad"] : Array.Empty<string>())],
            DeleteAddress delete => [.. Ip(delete.InNamespace), "addr", "del", delete.Address.ToString(), "dev", delete.Name],
            SetMaster { Master: null } master => [.. Ip(master.InNamespace), "link", "set", master.Name, "nomaster"],
            SetMaster master => [.. Ip(master.InNamespace), "link", "set", master.Name, "master", master.Master],
            SetHairpin hairpin => [.. Ip(hairpin.InNamespace), "link", "set", hairpin.Name, "type", "bridge_slave", "hairpin", hairpin.On ? "on" : "off"],
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "no iproute2 form for this operation"),
        };
    }

    private static List<string> CreateArguments(CreateLink create, Func<string, string> namespaceName)
    {
        var spec = create.Spec;
        var kind = spec.Kind ?? throw new ArgumentException("only modelled kinds can be created", nameof(create));

        // The underlay of a vxlan is `dev` (added below), not `link`.
        List<string> words = spec.Parent is { } parent && kind != LinkKind.Vxlan
            ? ["link", parent.Name, "name", create.Name]
            : [create.Name];
        words.AddRange(["type", kind.KernelName()]);
        switch (kind)
        {
            case LinkKind.Veth when spec.Peer is { } peer:
                words.AddRange(["peer", "name", peer.Name]);
                if (peer.Namespace != create.InNamespace)
                {
                    words.AddRange(["netns", namespaceName(peer.Namespace)]);
                }

                break;
            case LinkKind.Macvlan or LinkKind.Macvtap:
                words.AddRange(["mode", (spec.MacvlanMode ?? MacvlanMode.Vepa).Word()]);
                if (spec.NoPromisc)
                {
                    words.Add("nopromisc");
                }

                if (spec.SourceMacs.Count > 0)
                {
                    words.AddRange(["macaddr", "set", .. spec.SourceMacs.Select(m => m.ToString())]);
                }

                break;
            case LinkKind.Vlan:
                if (spec.VlanProtocol == VlanProtocol.Dot1AD)
                {
                    words.AddRange(["protocol", "802.1ad"]);
                }

                words.AddRange(["id", Number(spec.VlanId)]);
                break;
            case LinkKind.Vxlan:
                words.AddRange(["id", Number(spec.Vni)]);
                AddOptional(words, "remote", spec.Remote);
                AddOptional(words, "group", spec.Group);
                AddOptional(words, "local", spec.Local);
                if (spec.Parent is { } underlay)
                {
                    words.AddRange(["dev", underlay.Name]);
                }

                words.AddRange(["dstport", Number(spec.VxlanPort ?? 4789)]);
                break;
        }

        return words;
    }

    private static void AddOptional(List<string> words, string key, object? value)
    {
        if (value is not null)
        {
            words.AddRange([key, value.ToString() ?? ""]);
        }
    }

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string UpDown(bool up) => up ? "up" : "down";

    private static Func<string, string> Namer(Plan plan, NamespaceNames names) => names == NamespaceNames.Kernel
        ? ns => ns
        : ns => plan.Naming.ElementName(ns, plan.LabName) ?? ns;
}
