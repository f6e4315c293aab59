using System.Net;
using System.Net.Sockets;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Validation;

/// <summary>
/// Checks a lab before anything touches the kernel and reports every problem at once, each with the path to the
/// field, what is wrong and how to fix it. A lab with no problems can be planned and applied.
/// </summary>
public static class LabValidator
{
    public const int MinMtu = 68;
    public const int MaxMtu = 65535;

    /// <summary>IPV6_MIN_MTU: the kernel keeps no IPv6 on a device with a smaller MTU.</summary>
    public const int MinIpv6Mtu = 1280;
    public const int MaxVxlanId = (1 << 24) - 1;

    /// <summary>What an unset MTU is for the kinds a lab makes; a child may not exceed its parent's.</summary>
    public const int DefaultMtu = 1500;

    /// <summary>
    /// Switches, hosts and namespaces in one lab: each is a kernel network namespace (with its sockets, a thread per
    /// namespace while it is made, and an event socket per watcher), and the agent holds all labs' at once. A lesson's
    /// lab has a handful; the scale benchmarks use 202.
    /// </summary>
    public const int MaxNamespaces = 256;

    /// <summary>Interfaces in one lab: switch ports, host NICs and interfaces together (lo and the switches' br0 not counted).</summary>
    public const int MaxInterfaces = 1024;

    /// <summary>Addresses in one lab, over all its NICs and interfaces: each is a connectivity check target of every source.</summary>
    public const int MaxAddresses = 4096;

    /// <summary>
    /// Every problem of the lab. <paramref name="naming"/> is the agent's naming scheme (default: the "nl-" prefix): the
    /// kernel namespace names it composes must fit the kernel's and NetLab's limits.
    /// </summary>
    public static IReadOnlyList<Problem> Validate(Lab lab, NamingScheme? naming = null) => new Checker(lab, naming ?? NamingScheme.Default).Run();

    public static bool IsValid(Lab lab) => Validate(lab).Count == 0;

    /// <summary>Throws <see cref="InvalidLabException"/> listing every problem; used where an invalid lab must change nothing.</summary>
    public static void EnsureValid(Lab lab, NamingScheme? naming = null)
    {
        var problems = Validate(lab, naming);
        if (problems.Count > 0)
        {
            throw new InvalidLabException(problems);
        }
    }

    /// <summary>One interface of the lab with where it lives and where it is written.</summary>
    private sealed record Located(NamespaceDefinition Namespace, IAddressed Interface, string Path)
    {
        public string Reference => $"{Namespace.Name}/{Interface.Name}";

        public InterfaceDefinition? Definition => Interface as InterfaceDefinition;
    }

    private sealed class Checker(Lab lab, NamingScheme naming)
    {
        private readonly List<Problem> _problems = [];
        private readonly Dictionary<(string Namespace, string Name), Located> _interfaces = [];

        private void Add(string path, string message, string hint) => _problems.Add(new Problem(path, message, hint));

        public IReadOnlyList<Problem> Run()
        {
            CheckSize();
            CheckLabName();
            CheckElementNames();
            CollectInterfaces();
            CheckSwitches();
            foreach (var located in _interfaces.Values)
            {
                CheckAddressed(located);
                if (located.Definition is { } definition)
                {
                    CheckDefinition(located, definition);
                }
            }

            CheckPassthru();
            CheckCycles();
            CheckLabWideDuplicates();
            return _problems;
        }

        /// <summary>
        /// The lab's size against NetLab's limits, each reported once at the first element, interface or address
        /// beyond it (so the editor marks where the limit is passed). An agent may hold fewer namespaces in all than
        /// labs would together (its own limit, answered at apply).
        /// </summary>
        private void CheckSize()
        {
            var elements = lab.Switches.Select(s => s.Path).Concat(lab.Hosts.Select(h => h.Path)).Concat(lab.Namespaces.Select(n => n.Path)).ToList();
            if (elements.Count > MaxNamespaces)
            {
                Add(elements[MaxNamespaces], $"the lab has {elements.Count} switches, hosts and namespaces together; a lab may have at most {MaxNamespaces}, since each becomes a kernel network namespace",
                    $"Split the lab into smaller labs, or remove {elements.Count - MaxNamespaces} of them from here on");
            }

            var interfaces = lab.Switches.SelectMany(s => s.Ports.Select(p => (Path: $"{s.Path}.ports.{p.Name}", Addresses: (IReadOnlyList<string>)[])))
                .Concat(lab.Hosts.SelectMany(h => h.Nics.Select(n => (Path: $"{h.Path}.nics.{n.Name}", Addresses: (IReadOnlyList<string>)n.Addresses))))
                .Concat(lab.InterfaceNamespaces.SelectMany(ns => ns.Interfaces.Select(i => (Path: $"{ns.Path}.interfaces.{i.Name}", Addresses: (IReadOnlyList<string>)i.Addresses))))
                .ToList();
            if (interfaces.Count > MaxInterfaces)
            {
                Add(interfaces[MaxInterfaces].Path, $"the lab has {interfaces.Count} interfaces (switch ports, host NICs and interfaces together); a lab may have at most {MaxInterfaces}",
                    $"Split the lab into smaller labs, or remove {interfaces.Count - MaxInterfaces} of them from here on");
            }

            var addresses = interfaces.SelectMany(i => i.Addresses.Select((_, index) => $"{i.Path}.addresses[{index}]")).ToList();
            if (addresses.Count > MaxAddresses)
            {
                Add(addresses[MaxAddresses], $"the lab has {addresses.Count} addresses; a lab may have at most {MaxAddresses}, since the connectivity check pings every one from every host and namespace",
                    $"Split the lab into smaller labs, or remove {addresses.Count - MaxAddresses} of them from here on");
            }
        }

        private void CheckLabName()
        {
            if (LabName.Problem(lab.Name) is { } problem)
            {
                Add("name", problem, "Name the lab with letters, digits, '-' or '_', e.g. `name: macvlan-bridge`");
            }
        }

        private void CheckElementNames()
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            var elements = lab.Switches.Select(s => (s.Name, s.Path))
                .Concat(lab.Hosts.Select(h => (h.Name, h.Path)))
                .Concat(lab.Namespaces.Select(n => (n.Name, n.Path)));
            foreach (var (name, path) in elements)
            {
                if (LabName.Problem(name) is { } problem)
                {
                    Add(path, problem, "Use letters, digits, '-' or '_', e.g. ns2, h1, sw1");
                }
                else if (!seen.TryAdd(name, path))
                {
                    Add(path, $"the name '{name}' is already used by {seen[name]}",
                        "Switches, hosts and namespaces each become a network namespace, so their names must all differ; rename one");
                }
                else if (LabName.Problem(lab.Name) is null && naming.NamespaceLengthProblem(lab.Name, name) is { } tooLong)
                {
                    Add(path, tooLong.Message, tooLong.Hint);
                }
            }
        }

        private void CollectInterfaces()
        {
            foreach (var @namespace in lab.InterfaceNamespaces)
            {
                var entries = @namespace is Host host
                    ? host.Nics.Select(n => ((IAddressed)n, $"{host.Path}.nics.{n.Name}"))
                    : [];
                entries = entries.Concat(@namespace.Interfaces.Select(i => ((IAddressed)i, $"{@namespace.Path}.interfaces.{i.Name}")));
                foreach (var (item, path) in entries)
                {
                    if (InterfaceName.LabProblem(item.Name) is { } problem)
                    {
                        Add(path, problem, $"Interface names are 1 to {InterfaceName.MaxBytes} bytes (Linux's IFNAMSIZ, 16 with the final NUL)");
                        continue;
                    }

                    if (item.Name == "lo")
                    {
                        Add(path, "'lo' is the loopback device every namespace already has",
                            $"Set `loopback: up` or `loopback: down` on {@namespace.Path} instead, and give this interface another name");
                        continue;
                    }

                    if (!_interfaces.TryAdd((@namespace.Name, item.Name), new Located(@namespace, item, path)))
                    {
                        Add(path, $"{@namespace.Name} already has an interface named '{item.Name}' ({_interfaces[(@namespace.Name, item.Name)].Path})",
                            "Interface names must be unique inside a namespace; rename one");
                    }
                }
            }
        }

        private void CheckSwitches()
        {
            var plugged = new Dictionary<(string Switch, string Port), string>();
            foreach (var host in lab.Hosts)
            {
                foreach (var nic in host.Nics)
                {
                    var path = $"{host.Path}.nics.{nic.Name}";
                    var @switch = lab.FindSwitch(nic.Switch);
                    if (@switch is null)
                    {
                        Add($"{path}.switch", $"switch '{nic.Switch}' does not exist; {Listing("switches", lab.Switches.Select(s => s.Name))}",
                            $"Use one of them, or add `{nic.Switch}: {{ ports: {{ {nic.Port}: {{}} }} }}` under switches");
                        continue;
                    }

                    if (@switch.Ports.All(p => p.Name != nic.Port))
                    {
                        Add($"{path}.port", $"switch {@switch.Name} has no port '{nic.Port}'; {Listing("its ports", @switch.Ports.Select(p => p.Name))}",
                            $"Use a free port, or add `{nic.Port}: {{}}` under {@switch.Path}.ports");
                        continue;
                    }

                    if (!plugged.TryAdd((@switch.Name, nic.Port), path))
                    {
                        Add($"{path}.port", $"port {@switch.Name}/{nic.Port} already has {plugged[(@switch.Name, nic.Port)]} plugged in",
                            $"A port takes one NIC (it is one end of a veth); add another port to {@switch.Path}.ports");
                    }
                }
            }

            foreach (var @switch in lab.Switches)
            {
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var port in @switch.Ports)
                {
                    var path = $"{@switch.Path}.ports.{port.Name}";
                    if (InterfaceName.LabProblem(port.Name) is { } problem)
                    {
                        Add(path, problem, "A port is an interface in the switch's namespace; name it like one, e.g. p1");
                    }
                    else if (port.Name is Switch.BridgeName or "lo")
                    {
                        Add(path, $"'{port.Name}' is taken inside every switch (the bridge is {Switch.BridgeName}, loopback is lo)", "Name the port e.g. p1");
                    }
                    else if (!names.Add(port.Name))
                    {
                        Add(path, $"switch {@switch.Name} has two ports named '{port.Name}'", "Rename one");
                    }
                    else if (!plugged.ContainsKey((@switch.Name, port.Name)))
                    {
                        Add(path, $"no host NIC is plugged into port {@switch.Name}/{port.Name}",
                            $"Plug one in with `nics: {{ eth1: {{ switch: {@switch.Name}, port: {port.Name} }} }}` on a host, or remove the port");
                    }
                }
            }
        }

        private void CheckAddressed(Located located)
        {
            var item = located.Interface;
            if (item.Mac is { } mac)
            {
                if (!MacAddress.TryParse(mac, out var parsed))
                {
                    Add($"{located.Path}.mac", $"'{mac}' is not a MAC address", "Write six hex pairs separated by ':', e.g. 02:00:00:00:00:01");
                }
                else if (parsed.IsMulticast || parsed.IsZero)
                {
                    Add($"{located.Path}.mac", $"'{mac}' is {(parsed.IsZero ? "all zeros" : "a multicast address")}, which no interface can have",
                        "Use a unicast address; 02:xx:xx:xx:xx:xx is a safe locally administered range");
                }
            }

            if (item.Mtu is { } mtu && mtu is < MinMtu or > MaxMtu)
            {
                Add($"{located.Path}.mtu", $"mtu {mtu} is outside {MinMtu}..{MaxMtu}", "Leave it out for the default 1500, or pick a value in range");
            }

            var seen = new HashSet<InterfaceAddress>();
            for (var i = 0; i < item.Addresses.Count; i++)
            {
                var text = item.Addresses[i];
                var path = $"{located.Path}.addresses[{i}]";
                if (InterfaceAddress.Problem(text) is { } problem)
                {
                    Add(path, problem, "Write an address with its prefix length, e.g. 100.0.0.2/24 or 2001:db8::2/64");
                }
                else if (!seen.Add(InterfaceAddress.Parse(text)))
                {
                    Add(path, $"'{text}' is listed twice", "Remove one");
                }
                else if (InterfaceAddress.Parse(text).Address.AddressFamily == AddressFamily.InterNetworkV6 && EffectiveMtu(located) is var small && small < MinIpv6Mtu)
                {
                    // The kernel drops IPv6 from a device below 1280 and refuses to add an IPv6 address to it (EINVAL),
                    // so such a lab would validate and then fail at apply.
                    var whose = item.Mtu is null ? $"mtu ({small}, taken from its parent)" : $"mtu {small}";
                    Add(path, $"'{text}' is an IPv6 address, but the interface's {whose} is below {MinIpv6Mtu}, the least IPv6 works with; Linux refuses the address (EINVAL)",
                        $"Raise the mtu to at least {MinIpv6Mtu}, or use IPv4 on this interface");
                }
            }
        }

        private void CheckDefinition(Located located, InterfaceDefinition definition)
        {
            if (definition.Parent is { } parentText)
            {
                CheckParent(located, definition, parentText);
            }

            switch (definition)
            {
                case VethInterface veth:
                    CheckPeer(located, veth);
                    break;
                case MacvlanFamilyInterface macvlan:
                    CheckMacvlan(located, macvlan);
                    break;
                case VlanInterface vlan when vlan.Id is < 1 or > 4094:
                    Add($"{located.Path}.id", $"vlan id {vlan.Id} is outside 1..4094",
                        "0 and 4095 are reserved by 802.1Q; pick a number from 1 to 4094, e.g. 888");
                    break;
                case VxlanInterface vxlan:
                    CheckVxlan(located, vxlan);
                    break;
            }

            if (definition.Master is { } master)
            {
                CheckMaster(located, definition, master);
            }
        }

        /// <summary>Resolves a reference as written, reporting (at path) what is wrong with it.</summary>
        private Located? Resolve(Located from, string text, string path, string role)
        {
            if (string.IsNullOrEmpty(text))
            {
                Add(path, $"the {role} is empty", "Name an interface, e.g. eth0 (same namespace) or h1/eth0");
                return null;
            }

            var reference = InterfaceReference.Parse(text, from.Namespace.Name);
            var @namespace = lab.FindNamespace(reference.Namespace);
            if (@namespace is null)
            {
                var isSwitch = lab.FindSwitch(reference.Namespace) is not null;
                Add(path, isSwitch
                        ? $"'{text}' is inside switch {reference.Namespace}; switches stand for the outside network and lend no interfaces"
                        : $"'{text}' names '{reference.Namespace}', which is not a host or namespace; {Listing("there are", lab.InterfaceNamespaces.Select(n => n.Name))}",
                    isSwitch ? "Use a host NIC that is plugged into the switch, e.g. h1/eth0" : "Write NAMESPACE/INTERFACE with one of those names");
                return null;
            }

            if (reference.Interface == "lo")
            {
                Add(path, $"'{text}' is a loopback device, which cannot be a {role}", "Use an Ethernet interface such as a host NIC");
                return null;
            }

            if (!_interfaces.TryGetValue((reference.Namespace, reference.Interface), out var target))
            {
                Add(path, $"'{text}' does not exist; {Listing($"{@namespace.Name} has", @namespace.InterfaceNames)}",
                    $"Use one of those, or define {reference.Interface} in {@namespace.Path}");
                return null;
            }

            return target;
        }

        private void CheckParent(Located located, InterfaceDefinition definition, string parentText)
        {
            var path = $"{located.Path}.parent";
            var parent = Resolve(located, parentText, path, "parent");
            if (parent is null || ReferenceEquals(parent, located))
            {
                return;
            }

            if (definition is MacvlanFamilyInterface && parent.Definition?.Master is { } bridge)
            {
                Add(path, $"{parent.Reference} is a port of bridge {bridge}, so it cannot also carry {definition.Kind.KernelName()} children",
                    "The kernel gives a device one receive handler, used by either the bridge or macvlan (EBUSY); make the child on another interface, or remove the master");
            }

            var limit = EffectiveMtu(parent);
            if (definition is MacvlanFamilyInterface or VlanInterface && definition.Mtu is { } mtu && mtu > limit)
            {
                Add($"{located.Path}.mtu", $"mtu {mtu} is larger than the mtu of its parent {parent.Reference} ({limit})",
                    $"Lower it to at most {limit}, or raise the parent's mtu");
            }

            if (parent.Namespace.Name != located.Namespace.Name)
            {
                // The child is made beside its parent and then moved, so for a moment it lives under its own name there.
                var clash = parent.Namespace.InterfaceNames.Contains(definition.Name);
                if (clash)
                {
                    Add(located.Path, $"{definition.Name} is made in {parent.Namespace.Name} (beside its parent) and then moved to {located.Namespace.Name}, but {parent.Namespace.Name} already has an interface named {definition.Name}",
                        "Rename one of the two");
                }
            }
        }

        private void CheckPeer(Located located, VethInterface veth)
        {
            var path = $"{located.Path}.peer";
            var peer = Resolve(located, veth.Peer, path, "peer");
            if (peer is null)
            {
                return;
            }

            if (ReferenceEquals(peer, located))
            {
                Add(path, "a veth cannot be its own peer", "Name the other end, e.g. ns3/veth3");
            }
            else if (peer.Definition is not VethInterface peerVeth)
            {
                Add(path, $"{peer.Reference} is not a veth, so it cannot be the other end of {located.Reference}",
                    $"Define {peer.Reference} with `kind: veth, peer: {located.Reference}`");
            }
            else if (Resolve(peer, peerVeth.Peer, $"{peer.Path}.peer", "peer") is { } back && !ReferenceEquals(back, located))
            {
                Add(path, $"{peer.Reference} names {back.Reference} as its peer, not {located.Reference}",
                    "The two ends of a veth must name each other");
            }
        }

        private void CheckMacvlan(Located located, MacvlanFamilyInterface macvlan)
        {
            if (macvlan.NoPromisc && macvlan.Mode != MacvlanMode.Passthru)
            {
                Add($"{located.Path}.nopromisc", $"nopromisc only means something in passthru mode, and this {macvlan.Kind.KernelName()} is in {macvlan.Mode.Word()} mode",
                    "Remove nopromisc, or set `mode: passthru`");
            }

            if (macvlan.SourceMacs.Count > 0 && macvlan.Mode != MacvlanMode.Source)
            {
                Add($"{located.Path}.sourceMacs", $"sourceMacs only apply in source mode, and this {macvlan.Kind.KernelName()} is in {macvlan.Mode.Word()} mode",
                    "Remove sourceMacs, or set `mode: source`");
            }

            for (var i = 0; i < macvlan.SourceMacs.Count; i++)
            {
                if (!MacAddress.TryParse(macvlan.SourceMacs[i], out _))
                {
                    Add($"{located.Path}.sourceMacs[{i}]", $"'{macvlan.SourceMacs[i]}' is not a MAC address", "Write six hex pairs separated by ':', e.g. 02:00:00:00:00:01");
                }
            }
        }

        private void CheckVxlan(Located located, VxlanInterface vxlan)
        {
            if (vxlan.Vni is < 0 or > MaxVxlanId)
            {
                Add($"{located.Path}.id", $"vxlan id {vxlan.Vni} is outside 0..{MaxVxlanId}", "A VNI has 24 bits; pick a number in range, e.g. 42");
            }

            if (vxlan.Port is < 1 or > 65535)
            {
                Add($"{located.Path}.port", $"port {vxlan.Port} is not a UDP port", $"Leave it out for {VxlanInterface.DefaultPort}, or pick 1..65535");
            }

            var remote = PlainAddress(located, "remote", vxlan.Remote);
            var local = PlainAddress(located, "local", vxlan.Local);
            var group = PlainAddress(located, "group", vxlan.Group);
            if (remote is not null && InterfaceAddress.IsMulticast(remote))
            {
                Add($"{located.Path}.remote", $"'{vxlan.Remote}' is a multicast address", "Use `group:` for multicast, `remote:` for the other end's unicast address");
            }

            if (group is not null && !InterfaceAddress.IsMulticast(group))
            {
                Add($"{located.Path}.group", $"'{vxlan.Group}' is not a multicast address", "Use `remote:` for a unicast address, or a group such as 239.1.1.1");
            }

            if (vxlan.Remote is not null && vxlan.Group is not null)
            {
                Add($"{located.Path}.group", "remote and group cannot both be set", "Keep remote (one peer) or group (multicast), not both");
            }

            if (group is not null && vxlan.Underlay is null)
            {
                Add($"{located.Path}.group", "a multicast group needs an underlay device to join it on", "Add `parent:` naming the underlay, e.g. eth0");
            }

            var other = remote ?? group;
            if (local is not null && other is not null && local.AddressFamily != other.AddressFamily)
            {
                Add($"{located.Path}.local", "local and remote/group are of different IP versions", "Use IPv4 for both or IPv6 for both");
            }

            if (vxlan.Mtu is { } mtu && UnderlayOf(located) is { } underlay && VxlanMtuLimit(located, underlay) is var limit && mtu > limit)
            {
                Add($"{located.Path}.mtu", $"mtu {mtu} is more than a vxlan carries over its underlay {underlay.Reference} (mtu {EffectiveMtu(underlay)} less {VxlanHeadroom(vxlan)} bytes of headers: at most {limit}); Linux refuses it (EINVAL)",
                    $"Lower it to at most {limit} (or leave it out for {limit}), or raise the underlay's mtu");
            }
        }

        private IPAddress? PlainAddress(Located located, string key, string? text)
        {
            if (text is null)
            {
                return null;
            }

            if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
            {
                return address;
            }

            Add($"{located.Path}.{key}", $"'{text}' is not an IP address", "Write a bare address without a prefix length, e.g. 10.0.0.2");
            return null;
        }

        private void CheckMaster(Located located, InterfaceDefinition definition, string master)
        {
            var path = $"{located.Path}.master";
            if (master.Contains('/', StringComparison.Ordinal))
            {
                Add(path, $"'{master}' names another namespace; a bridge only takes ports from its own namespace",
                    $"Name a bridge defined in {located.Namespace.Path}");
                return;
            }

            if (!_interfaces.TryGetValue((located.Namespace.Name, master), out var bridge))
            {
                var bridges = located.Namespace.Interfaces.OfType<BridgeInterface>().Select(b => b.Name);
                Add(path, $"bridge '{master}' does not exist in {located.Namespace.Name}; {Listing("bridges there", bridges)}",
                    $"Define `{master}: {{ kind: bridge }}` in {located.Namespace.Path}.interfaces, or use an existing bridge");
            }
            else if (bridge.Definition is not BridgeInterface)
            {
                Add(path, $"{bridge.Reference} is not a bridge, so it cannot be a master", "Name an interface of `kind: bridge`");
            }
            else if (definition is BridgeInterface)
            {
                Add(path, "a bridge cannot be a port of a bridge (the kernel refuses with ELOOP)", "Connect the bridges with a veth pair instead");
            }
        }

        private void CheckPassthru()
        {
            var children = _interfaces.Values
                .Where(l => l.Definition is MacvlanFamilyInterface)
                .Select(l => (Child: l, Parent: RealLower(l)))
                .Where(c => c.Parent is not null)
                .GroupBy(c => c.Parent!.Reference);
            foreach (var group in children)
            {
                var list = group.ToList();
                var passthru = list.FirstOrDefault(c => ((MacvlanFamilyInterface)c.Child.Definition!).Mode == MacvlanMode.Passthru);
                if (passthru.Child is null || list.Count < 2)
                {
                    continue;
                }

                foreach (var (child, _) in list.Where(c => !ReferenceEquals(c.Child, passthru.Child)))
                {
                    Add($"{child.Path}.parent",
                        $"{group.Key} already has a passthru child ({passthru.Child.Path}); passthru allows exactly one child on a parent, and the kernel refuses a second (EINVAL)",
                        "Remove this child, give it another parent, or switch the children to bridge, vepa or private mode");
                }
            }
        }

        private void CheckCycles()
        {
            var state = new Dictionary<Located, bool>(); // false: on the current path, true: done
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var start in _interfaces.Values)
            {
                Visit(start, []);
            }

            void Visit(Located node, List<Located> path)
            {
                if (state.TryGetValue(node, out var done))
                {
                    if (!done)
                    {
                        var cycle = path.SkipWhile(p => !ReferenceEquals(p, node)).Append(node).ToList();
                        var key = string.Join(",", cycle.Skip(1).Select(c => c.Reference).Order(StringComparer.Ordinal));
                        if (reported.Add(key))
                        {
                            Add(cycle[0].Path, $"interfaces depend on each other in a circle: {string.Join(" -> ", cycle.Select(c => c.Reference))}",
                                "An interface cannot be made on, or be a port of, something that depends on it; break the circle by changing a parent or master");
                        }
                    }

                    return;
                }

                state[node] = false;
                path.Add(node);
                foreach (var next in Dependencies(node))
                {
                    Visit(next, path);
                }

                path.RemoveAt(path.Count - 1);
                state[node] = true;
            }
        }

        /// <summary>
        /// The device whose macvlan port a macvlan/macvtap child joins: the kernel follows a macvlan parent down to
        /// its own lower device, so children of children count as children of that device.
        /// </summary>
        private Located? RealLower(Located child)
        {
            var current = child;
            for (var guard = 0; guard < 32 && current.Definition is MacvlanFamilyInterface macvlan; guard++)
            {
                var parent = Find(InterfaceReference.Parse(macvlan.ParentName, current.Namespace.Name));
                if (parent is null)
                {
                    return null;
                }

                current = parent;
            }

            return ReferenceEquals(current, child) ? null : current;
        }

        private IEnumerable<Located> Dependencies(Located node)
        {
            if (node.Definition is not { } definition)
            {
                yield break;
            }

            if (definition.Parent is { } parentText && Find(InterfaceReference.Parse(parentText, node.Namespace.Name)) is { } parent)
            {
                yield return parent;
            }

            if (definition.Master is { } master && Find(new InterfaceReference(node.Namespace.Name, master)) is { } bridge)
            {
                yield return bridge;
            }
        }

        /// <summary>
        /// The MTU the kernel gives an interface: its own, else what it takes from below - a macvlan, macvtap or vlan its
        /// parent's, a vxlan its underlay's less the vxlan headers - else 1500.
        /// </summary>
        private int EffectiveMtu(Located located, int depth = 0)
        {
            if (located.Interface.Mtu is { } own)
            {
                return own;
            }

            if (depth > 32)
            {
                return DefaultMtu; // a circle of parents, which CheckCycles reports
            }

            return located.Definition switch
            {
                VxlanInterface when UnderlayOf(located) is { } underlay => VxlanMtuLimit(located, underlay, depth + 1),
                MacvlanFamilyInterface or VlanInterface when UnderlayOf(located) is { } parent => EffectiveMtu(parent, depth + 1),
                _ => DefaultMtu,
            };
        }

        private Located? UnderlayOf(Located located) =>
            located.Definition?.Parent is { } text && !string.IsNullOrEmpty(text) ? Find(InterfaceReference.Parse(text, located.Namespace.Name)) : null;

        /// <summary>A vxlan's largest MTU over an underlay (vxlan_config_apply): the underlay's less 50 bytes of headers over IPv4, 70 over IPv6, at least 68.</summary>
        private int VxlanMtuLimit(Located vxlan, Located underlay, int depth = 0) =>
            Math.Max(MinMtu, EffectiveMtu(underlay, depth) - VxlanHeadroom((VxlanInterface)vxlan.Definition!));

        private static int VxlanHeadroom(VxlanInterface vxlan) =>
            new[] { vxlan.Remote, vxlan.Group, vxlan.Local }.Any(a => a is not null && IPAddress.TryParse(a, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
                ? 70
                : 50;

        private Located? Find(InterfaceReference reference) => _interfaces.GetValueOrDefault((reference.Namespace, reference.Interface));

        private void CheckLabWideDuplicates()
        {
            var macs = new Dictionary<MacAddress, Located>();
            var addresses = new Dictionary<IPAddress, Located>();
            var subnets = new List<(InterfaceAddress Address, Located Owner)>();
            foreach (var located in _interfaces.Values.OrderBy(l => l.Path, StringComparer.Ordinal))
            {
                if (located.Interface.Mac is { } mac && MacAddress.TryParse(mac, out var parsed) && !parsed.IsMulticast && !parsed.IsZero
                    && !macs.TryAdd(parsed, located))
                {
                    Add($"{located.Path}.mac", $"{parsed} is also the MAC of {macs[parsed].Path}",
                        "Every interface needs its own MAC, or frames go to the wrong one; change one, or leave it out for a random one");
                }

                for (var i = 0; i < located.Interface.Addresses.Count; i++)
                {
                    if (!InterfaceAddress.TryParse(located.Interface.Addresses[i], out var address))
                    {
                        continue;
                    }

                    var path = $"{located.Path}.addresses[{i}]";
                    if (!addresses.TryAdd(address.Address, located))
                    {
                        if (!ReferenceEquals(addresses[address.Address], located))
                        {
                            Add(path, $"{address.Address} is also an address of {addresses[address.Address].Path}",
                                "Two interfaces with one IP address confuse ARP and every ping; give each its own address");
                        }

                        continue;
                    }

                    var overlap = subnets.FirstOrDefault(s => ReferenceEquals(s.Owner.Namespace, located.Namespace)
                        && !ReferenceEquals(s.Owner, located) && s.Address.Overlaps(address));
                    if (overlap.Owner is not null)
                    {
                        Add(path, $"{address} overlaps {overlap.Address} of {overlap.Owner.Path} in the same namespace",
                            "The namespace would have two routes to one subnet and could send replies out of the wrong interface; use separate subnets, or put the interfaces in different namespaces");
                    }

                    subnets.Add((address, located));
                }
            }
        }

        private static string Listing(string label, IEnumerable<string> names)
        {
            var list = names.ToList();
            return list.Count == 0 ? $"{label}: none" : $"{label}: {string.Join(", ", list)}";
        }
    }
}
