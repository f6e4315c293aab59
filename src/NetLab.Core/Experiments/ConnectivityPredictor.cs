using System.Net;
using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Experiments;

/// <summary>What NetLab expects an ICMP echo from <see cref="From"/> to <see cref="Address"/> to do, and why.</summary>
/// <param name="From">The host or namespace the echo is sent from.</param>
/// <param name="To">The host or namespace holding <paramref name="Address"/>.</param>
/// <param name="ToInterface">The interface of <paramref name="To"/> holding the address.</param>
/// <param name="Address">The target address, without prefix length.</param>
/// <param name="Rule">The rule that decided (docs/connectivity-rules.md).</param>
/// <param name="Explanation">Why, in a sentence naming the lab's elements.</param>
/// <param name="Fix">How to make it work, when it fails.</param>
public sealed record PairPrediction(string From, string To, string ToInterface, string Address, ConnectivityRule Rule, string Explanation, string? Fix)
{
    public bool Reachable => Rule.Reachable;

    /// <summary>The explanation and the fix as one text: "... goes through lo. Fix: set loopback up (...)."</summary>
    public string FullText => Fix is null ? Explanation : $"{Explanation} Fix: {Fix}";
}

/// <summary>
/// Predicts, from a valid lab alone, which pings between its points work: from every host and namespace to every
/// address of the lab, its own included. Switches are not sources: they stand for the outside world's layer 2 and
/// hold no address, so a ping from one could only ever fail for want of a route. The rules are those of
/// docs/connectivity-rules.md; the lab has no routes, so only connected subnets are routed.
/// </summary>
public sealed class ConnectivityPredictor
{
    private readonly LabDevices _devices;
    private readonly Dictionary<(string, string), (string, string)> _segments = [];

    private ConnectivityPredictor(Lab lab)
    {
        _devices = new LabDevices(lab);
        JoinSegments();
    }

    /// <summary>Every (source, address) pair of the lab with its prediction: sources in lab order (hosts, then namespaces), then addresses in lab order.</summary>
    public static IReadOnlyList<PairPrediction> Predict(Lab lab)
    {
        var predictor = new ConnectivityPredictor(lab);
        var targets = predictor.Targets().ToList();
        return [.. lab.InterfaceNamespaces.SelectMany(source => targets.Select(t => predictor.PredictPair(source.Name, t.Device, t.Address)))];
    }

    /// <summary>The prediction for one pair, or null when <paramref name="address"/> is no address of the lab.</summary>
    public static PairPrediction? Predict(Lab lab, string from, string address) =>
        Predict(lab).FirstOrDefault(p => p.From == from && p.Address == address);

    private IEnumerable<(LabDevice Device, InterfaceAddress Address)> Targets() =>
        _devices.Lab.InterfaceNamespaces.SelectMany(ns => _devices.In(ns.Name)).SelectMany(d => d.Addresses.Select(a => (d, a)));

    private PairPrediction PredictPair(string source, LabDevice target, InterfaceAddress targetAddress)
    {
        var address = targetAddress.Address;
        PairPrediction Result(ConnectivityRule rule, string explanation, string? fix = null) =>
            new(source, target.Namespace, target.Name, address.ToString(), rule, explanation, rule.Reachable ? null : fix);

        if (source == target.Namespace)
        {
            return _devices.LoopbackUp(source)
                ? Result(ConnectivityRules.OwnAddressLoopbackUp, $"{source} reaches its own address {address}: a ping to one's own address goes through lo, which is up in {source}.")
                : Result(ConnectivityRules.OwnAddressLoopbackDown,
                    $"{source} cannot reach its own address {address}: lo is down in {source}, and a ping to one's own address goes through lo.",
                    $"set loopback up (loopback: up in {_devices.PathOf(source)}).");
        }

        var egress = Route(source, address, up: true);
        if (egress is null)
        {
            if (Route(source, address, up: false) is { } down)
            {
                return Result(ConnectivityRules.SourceDown,
                    $"{source} cannot send to {address}: its interface {down.Device.Name} in that subnet ({down.Address}) is down, so the kernel has no route through it.",
                    $"bring {down.Device.Name} up (up: true at {_devices.PathOf(down.Device)}).");
            }

            return Result(ConnectivityRules.NoRoute,
                $"{source} has no route to {address}: {AddressesOf(source)}, and the lab defines no routes, so the echo is never sent (Network is unreachable).",
                $"give {source} an address in {target.Namespace}'s subnet {Network(targetAddress)} on an interface that reaches {target.Namespace}, or move both into one subnet.");
        }

        var (sender, senderAddress) = egress.Value;
        if (!target.Up)
        {
            return Result(ConnectivityRules.TargetDown,
                $"{source} cannot reach {address}: {Name(target)}, which holds it, is down, so nothing answers ARP for it.",
                $"bring {target.Name} up (up: true at {_devices.PathOf(target)}).");
        }

        var answerer = Covers(target, senderAddress.Address)
            ? target
            : _devices.In(target.Namespace).FirstOrDefault(d => d.Up && Covers(d, senderAddress.Address));
        if (answerer is null)
        {
            return Result(ConnectivityRules.NoReturnRoute,
                $"{target.Namespace} can answer ARP for {address}, but cannot send the echo reply back: no interface of {target.Namespace} that is up has a subnet containing {source}'s address {senderAddress.Address}.",
                $"put {target.Name}'s address and {sender.Name}'s address in the same subnet.");
        }

        var (rule, explanation, fix) = Layer2(sender, answerer);
        return rule.Reachable
            ? Result(rule, $"{source} reaches {address}: {explanation}")
            : Result(rule, $"{source} cannot reach {address}: {explanation}", fix);
    }

    /// <summary>The interface a namespace sends to <paramref name="address"/> through: the longest connected prefix.</summary>
    private (LabDevice Device, InterfaceAddress Address)? Route(string source, IPAddress address, bool up) =>
        _devices.In(source)
            .Where(d => d.Up == up)
            .SelectMany(d => d.Addresses.Where(a => Contains(a, address)).Select(a => (Device: d, Address: a)))
            .OrderByDescending(r => r.Address.PrefixLength)
            .Select(r => ((LabDevice, InterfaceAddress)?)r)
            .FirstOrDefault();

    private static bool Covers(LabDevice device, IPAddress address) => device.Addresses.Any(a => Contains(a, address));

    private static bool Contains(InterfaceAddress subnet, IPAddress address) =>
        subnet.Address.AddressFamily == address.AddressFamily
        && subnet.Overlaps(new InterfaceAddress(address, subnet.MaxPrefixLength));

    private string AddressesOf(string @namespace)
    {
        var addresses = _devices.In(@namespace).SelectMany(d => d.Addresses.Select(a => $"{a} on {d.Name}")).ToList();
        return addresses.Count == 0 ? $"{@namespace} has no address at all" : $"none of its addresses ({string.Join(", ", addresses)}) is in a subnet containing it";
    }

    private static string Network(InterfaceAddress address)
    {
        var bytes = address.Address.GetAddressBytes();
        for (var bit = address.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return $"{new IPAddress(bytes)}/{address.PrefixLength}";
    }

    /// <summary>Can frames go from <paramref name="sender"/> to <paramref name="answerer"/> and back (ARP, echo, reply)?</summary>
    private (ConnectivityRule Rule, string Explanation, string? Fix) Layer2(LabDevice sender, LabDevice answerer)
    {
        var senderPath = PathDown(sender);
        var answererPath = PathDown(answerer);
        foreach (var lower in senderPath.Skip(1).Concat(answererPath.Skip(1)))
        {
            if (!lower.Up)
            {
                var child = senderPath.Contains(lower) ? senderPath[senderPath.IndexOf(lower) - 1] : answererPath[answererPath.IndexOf(lower) - 1];
                return (ConnectivityRules.ParentDown,
                    $"{Name(lower)}, the lower device of {Name(child)}, is down, so {child.Name} has no carrier and its frames go nowhere.",
                    $"bring {lower.Name} up (up: true at {_devices.PathOf(lower)}).");
            }
        }

        foreach (var root in new[] { senderPath[^1], answererPath[^1] })
        {
            if (root.Kind == LinkKind.Veth && _devices.Find(root.Peer) is { Up: false } peer)
            {
                return (ConnectivityRules.NoCarrier,
                    $"{Name(root)} has no carrier: the other end of its veth, {Name(peer)}, is down.",
                    $"bring {peer.Name} up (up: true at {_devices.PathOf(peer)}).");
            }
        }

        foreach (var end in new[] { sender, answerer })
        {
            if (PassthruChildOf(end) is { } child)
            {
                return (ConnectivityRules.MacvlanPassthruParent,
                    $"{Name(child)} is the passthru child of {Name(end)}: every frame {end.Name} receives goes to {child.Name}, so {end.Name}'s own addresses never see a frame.",
                    $"put the address on {child.Name} itself, or use another mode than passthru.");
            }
        }

        foreach (var (end, other, otherPath) in new[] { (answerer, sender, senderPath), (sender, answerer, answererPath) })
        {
            if (end.Macvlan is { Mode: MacvlanMode.Source } source && !SourceAllows(source, otherPath))
            {
                return (ConnectivityRules.MacvlanSourceFiltered,
                    $"{Name(end)} is a source-mode child: it takes only frames from the MACs in its sourceMacs, and {Name(other)}'s MAC is not one of them (frames must pass both ways).",
                    $"give {other.Name} a fixed mac and list it in sourceMacs at {_devices.PathOf(end)}.");
            }
        }

        var common = senderPath.FirstOrDefault(answererPath.Contains);
        return common is null
            ? AcrossTheWire(sender, answerer, senderPath, answererPath)
            : ThroughCommonLower(sender, answerer, senderPath, answererPath, common);
    }

    /// <summary>Both ends hang off one lower device: macvlan siblings, or a child and its own parent.</summary>
    private (ConnectivityRule, string, string?) ThroughCommonLower(LabDevice sender, LabDevice answerer, List<LabDevice> senderPath, List<LabDevice> answererPath, LabDevice lower)
    {
        var senderIndex = senderPath.IndexOf(lower);
        var answererIndex = answererPath.IndexOf(lower);
        var senderBranch = senderIndex > 0 ? senderPath[senderIndex - 1] : null;
        var answererBranch = answererIndex > 0 ? answererPath[answererIndex - 1] : null;
        var senderTags = Tags(senderPath.Take(senderIndex));
        var answererTags = Tags(answererPath.Take(answererIndex));
        if (senderTags != answererTags)
        {
            return TagMismatch(sender, answerer, senderTags, answererTags);
        }

        var reflector = Reflector(lower);
        if (senderBranch is null || answererBranch is null)
        {
            // One end is the lower device itself: a macvlan child and its own parent's host addresses.
            var child = (senderBranch ?? answererBranch)!;
            var childInitiates = senderBranch is not null;
            var mode = child.Macvlan!.Mode;
            if (reflector is null)
            {
                return (ConnectivityRules.MacvlanParentNoHairpin,
                    $"{Name(child)} is a {child.Kind.KernelName()} child of {Name(lower)} and the other end is {lower.Name} itself: traffic between a macvlan child and its own lower device is not switched (both send out to the wire, and {DescribeWire(lower)} does not send frames back).",
                    $"put the address on another child of {lower.Name} in bridge mode, or plug {lower.Name} into a switch port with hairpin on so the switch reflects frames back.");
            }

            if (mode == MacvlanMode.Private && childInitiates)
            {
                return (ConnectivityRules.MacvlanPrivateToParent,
                    $"{Name(child)} is in private mode: {reflector} reflects its ARP request back, but the kernel hands a private child's reflected broadcast only back to that child, so {lower.Name} never sees it. The other way round works, and a ping from {lower.Name} to {child.Name} teaches {child.Name} {lower.Name}'s MAC, after which this ping works too until the neighbour entry expires.",
                    $"use mode vepa or bridge for {child.Name} (mode at {_devices.PathOf(child)}).");
            }

            return (ConnectivityRules.MacvlanParentHairpin,
                $"{Name(child)} is a child of {Name(lower)}; their frames go out to {reflector}, which has hairpin on and sends them back, so {lower.Name} and {child.Name} meet.",
                null);
        }

        if (senderBranch.IsMacvlanFamily && answererBranch.IsMacvlanFamily)
        {
            return Siblings(senderBranch, answererBranch, lower, reflector);
        }

        // A vlan and another child of the same parent: the parent sends the frames out tagged differently.
        return TagMismatch(sender, answerer, Tags(senderPath.Take(senderIndex + 1).Skip(senderIndex - 1)), Tags(answererPath.Take(answererIndex + 1).Skip(answererIndex - 1)));
    }

    private (ConnectivityRule, string, string?) Siblings(LabDevice a, LabDevice b, LabDevice lower, string? reflector)
    {
        var modeA = a.Macvlan!.Mode;
        var modeB = b.Macvlan!.Mode;
        var pair = $"{Name(a)} ({modeA.Word()}) and {Name(b)} ({modeB.Word()}) are children of the same parent {Name(lower)}";
        if (modeA == MacvlanMode.Private || modeB == MacvlanMode.Private)
        {
            return (ConnectivityRules.MacvlanPrivate,
                $"{pair}, and in private mode children of one parent never talk to each other, not even when the switch reflects the frames back.",
                "use mode bridge for both (they talk directly), or vepa with a hairpin switch port.");
        }

        if (modeA == MacvlanMode.Bridge && modeB == MacvlanMode.Bridge)
        {
            return (ConnectivityRules.MacvlanBridge, $"{pair}: in bridge mode the kernel passes frames between them directly.", null);
        }

        if (reflector is null)
        {
            var hairpinFix = _devices.Find(lower.Peer) is { IsSwitchPort: true } port
                ? $"turn hairpin on for switch {port.Namespace} port {port.Name} (hairpin: true at switches.{port.Namespace}.ports.{port.Name}), or use mode bridge for both."
                : $"use mode bridge for both children of {lower.Name}.";
            return (ConnectivityRules.MacvlanVepaNoHairpin,
                $"{pair}; in vepa mode a frame to a sibling goes out of {lower.Name} to the switch, and {DescribeWire(lower)} never sends a frame back out of the port it came in on (hairpin off).",
                hairpinFix);
        }

        return (ConnectivityRules.MacvlanVepaHairpin,
            $"{pair}; in vepa mode their frames go out of {lower.Name} to {reflector}, which has hairpin on and sends them back out of the same port.",
            null);
    }

    /// <summary>Different lower devices: the ends meet only if their wires join (veth, switch, bridge, tunnel) and their tags agree.</summary>
    private (ConnectivityRule, string, string?) AcrossTheWire(LabDevice sender, LabDevice answerer, List<LabDevice> senderPath, List<LabDevice> answererPath)
    {
        var senderRoot = senderPath[^1];
        var answererRoot = answererPath[^1];
        if (Segment(senderRoot.Key) != Segment(answererRoot.Key))
        {
            return (ConnectivityRules.NotConnected,
                $"{Name(sender)} and {Name(answerer)} are not joined at layer 2: {DescribeWire(senderRoot)} and {DescribeWire(answererRoot)} share no switch, bridge, veth pair or tunnel.",
                "plug both into the same switch (nics.NAME.switch), or join them with a veth pair or a bridge.");
        }

        var senderTags = Tags(senderPath);
        var answererTags = Tags(answererPath);
        if (senderTags != answererTags)
        {
            return TagMismatch(sender, answerer, senderTags, answererTags);
        }

        var tags = senderTags.Length == 0 ? "" : $", with the same tag ({senderTags}) on both ends";
        return (ConnectivityRules.Connected, $"{Name(sender)} and {Name(answerer)} are joined {Via(senderRoot, answererRoot)}{tags}.", null);
    }

    private static bool SourceAllows(MacvlanFamilyInterface source, List<LabDevice> senderPath)
    {
        // A vlan uses its parent's MAC; the first device below the vlans is the one whose MAC the frames carry.
        var macOwner = senderPath.First(d => d.Vlan is null);
        return macOwner.Mac is { } mac && source.SourceMacs.Any(m => string.Equals(m, mac, StringComparison.OrdinalIgnoreCase));
    }

    private (ConnectivityRule, string, string?) TagMismatch(LabDevice sender, LabDevice answerer, string senderTags, string answererTags) =>
        (ConnectivityRules.VlanMismatch,
            $"{Name(sender)} sends frames {TagWords(senderTags)} and {Name(answerer)} takes frames {TagWords(answererTags)}: a vlan interface takes only frames carrying its own tag (id and protocol), so the two never meet.",
            "use the same vlan id and protocol on both ends, and vlan interfaces on both or on neither.");

    private static string TagWords(string tags) => tags.Length == 0 ? "untagged" : $"tagged {tags}";

    private static string Tags(IEnumerable<LabDevice> path) =>
        string.Join(" inside ", path.Where(d => d.Vlan is not null).Select(d => $"vlan {d.Vlan!.Id} ({d.Vlan.Protocol.Word()})"));

    /// <summary>The device and the lower devices under it, down to the one that plugs into a wire (a macvlan on a macvlan joins the real lower).</summary>
    private List<LabDevice> PathDown(LabDevice device)
    {
        var path = new List<LabDevice> { device };
        var current = device;
        while ((current.IsMacvlanFamily || current.Vlan is not null) && _devices.Find(current.Parent) is { } parent && !path.Contains(parent))
        {
            var lower = parent;
            while (current.IsMacvlanFamily && lower.IsMacvlanFamily && _devices.Find(lower.Parent) is { } deeper && !path.Contains(deeper))
            {
                lower = deeper;
            }

            path.Add(lower);
            current = lower;
        }

        return path;
    }

    /// <summary>The passthru child made on this device, if any: it takes every frame the device receives.</summary>
    private LabDevice? PassthruChildOf(LabDevice device) =>
        _devices.All.FirstOrDefault(d => d.Macvlan is { Mode: MacvlanMode.Passthru } && PathDown(d) is [_, var lower, ..] && lower == device);

    /// <summary>The switch port that sends a lower device's frames back to it (hairpin on), described, or null.</summary>
    private string? Reflector(LabDevice lower) =>
        _devices.Find(lower.Peer) is { IsSwitchPort: true, Hairpin: true } port ? $"switch {port.Namespace} port {port.Name}" : null;

    private string DescribeWire(LabDevice root) => root.Kind switch
    {
        LinkKind.Veth when _devices.Find(root.Peer) is { IsSwitchPort: true } port => $"{Name(root)} (plugged into switch {port.Namespace}, port {port.Name})",
        LinkKind.Veth when _devices.Find(root.Peer) is { } peer => $"{Name(root)} (a veth to {Name(peer)})",
        _ => Name(root),
    };

    private string Via(LabDevice senderRoot, LabDevice answererRoot)
    {
        var senderPort = _devices.Find(senderRoot.Peer);
        var answererPort = _devices.Find(answererRoot.Peer);
        if (senderPort is { IsSwitchPort: true } && answererPort is { IsSwitchPort: true } && senderPort.Namespace == answererPort.Namespace)
        {
            return $"through switch {senderPort.Namespace} (ports {senderPort.Name} and {answererPort.Name}), which forwards frames between its ports";
        }

        if (senderRoot.Peer == answererRoot.Key)
        {
            return "by a veth pair";
        }

        return senderRoot == answererRoot
            ? $"on {Name(senderRoot)}"
            : $"in one layer-2 segment of bridge ports, veth pairs and tunnels ({DescribeWire(senderRoot)} to {DescribeWire(answererRoot)})";
    }

    private static string Name(LabDevice device) => $"{device.Namespace}'s {device.Name}";

    /// <summary>
    /// Layer-2 segments: veth ends with their peers, bridge ports with their bridge, then vxlan ends whose remotes
    /// point at each other once their underlay is predicted to carry the tunnel.
    /// </summary>
    private void JoinSegments()
    {
        foreach (var device in _devices.All)
        {
            if (device.Kind == LinkKind.Veth && device.Peer is { } peer && _devices.Find(peer) is not null)
            {
                Join(device.Key, peer);
            }

            if (device.Master is { } master && _devices.Find((device.Namespace, master)) is not null)
            {
                Join(device.Key, (device.Namespace, master));
            }
        }

        var tunnels = _devices.All.Where(d => d.Vxlan is { Remote: not null }).ToList();
        var joined = new List<((string, string), (string, string))>();
        foreach (var a in tunnels)
        {
            foreach (var b in tunnels.Where(b => b.Namespace != a.Namespace && b.Vxlan!.Vni == a.Vxlan!.Vni && b.Vxlan.Port == a.Vxlan.Port))
            {
                if (HoldsAddress(b.Namespace, a.Vxlan!.Remote!) && HoldsAddress(a.Namespace, b.Vxlan!.Remote!) && UnderlayCarries(a.Namespace, a.Vxlan.Remote!))
                {
                    joined.Add((a.Key, b.Key));
                }
            }
        }

        foreach (var (a, b) in joined)
        {
            Join(a, b);
        }
    }

    private bool HoldsAddress(string @namespace, string address) =>
        IPAddress.TryParse(address, out var ip) && _devices.In(@namespace).Any(d => d.Addresses.Any(a => a.Address.Equals(ip)));

    private bool UnderlayCarries(string source, string remote)
    {
        var ip = IPAddress.Parse(remote);
        var target = _devices.All.First(d => d.Addresses.Any(a => a.Address.Equals(ip)));
        return PredictPair(source, target, target.Addresses.First(a => a.Address.Equals(ip))).Reachable;
    }

    private (string, string) Segment((string, string) key)
    {
        while (_segments.TryGetValue(key, out var parent) && parent != key)
        {
            key = parent;
        }

        return key;
    }

    private void Join((string, string) a, (string, string) b)
    {
        var rootA = Segment(a);
        var rootB = Segment(b);
        if (rootA != rootB)
        {
            _segments[rootA] = rootB;
        }
    }
}
