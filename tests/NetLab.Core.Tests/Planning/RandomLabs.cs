using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Planning;

/// <summary>
/// Makes random valid labs from a seed: switches and hosts, namespaces, and interfaces of every kind on parents
/// made before them (so no cycles), with unique MACs and one subnet per address so that they validate. Names repeat
/// from seed to seed (ns1, i3, ...), so two random labs of one name overlap and a plan between them mixes keeps,
/// changes, recreations and removals.
/// </summary>
internal sealed class RandomLabs(int seed)
{
    private readonly Random _random = new(seed);
    private int _subnet;
    private int _mac;

    private sealed class Space(string name, bool isHost)
    {
        public string Name { get; } = name;
        public bool IsHost { get; } = isHost;
        public bool LoopbackUp { get; set; }
        public List<HostNic> Nics { get; } = [];
        public List<InterfaceDefinition> Interfaces { get; } = [];
    }

    /// <summary>What later interfaces may use as a parent, a port or a master; Mtu is what the kernel gives it (null: 1500).</summary>
    private sealed record Candidate(Space Space, string Name, LinkKind Kind, int? Mtu)
    {
        public bool IsPort { get; set; }
        public bool HasMacvlanChild { get; set; }
        public bool HasPassthruChild { get; set; }
    }

    public Lab Next(string name = "rnd")
    {
        var spaces = new List<Space>();
        var candidates = new List<Candidate>();
        var switches = new List<Switch>();
        var hostCount = _random.Next(0, 3);
        var switchCount = hostCount == 0 ? 0 : _random.Next(1, 3);
        var ports = Enumerable.Range(0, switchCount).Select(_ => new List<SwitchPort>()).ToList();
        for (var h = 1; h <= hostCount; h++)
        {
            var host = new Space($"h{h}", isHost: true) { LoopbackUp = Chance(0.5) };
            spaces.Add(host);
            for (var n = 0; n < _random.Next(1, 3); n++)
            {
                var switchIndex = _random.Next(switchCount);
                var port = new SwitchPort { Name = $"p{h}{n}", Hairpin = Chance(0.5) };
                ports[switchIndex].Add(port);
                var nic = new HostNic
                {
                    Name = $"eth{n}",
                    Switch = $"sw{switchIndex + 1}",
                    Port = port.Name,
                    Mac = MaybeMac(),
                    Mtu = Chance(0.2) ? 9000 : null,
                    Addresses = Addresses(),
                    Up = Chance(0.8),
                };
                host.Nics.Add(nic);
                candidates.Add(new Candidate(host, nic.Name, LinkKind.Veth, nic.Mtu));
            }
        }

        for (var s = 0; s < switchCount; s++)
        {
            // A switch whose ports all went unused is left out: every port needs a NIC.
            if (ports[s].Count > 0)
            {
                switches.Add(new Switch { Name = $"sw{s + 1}", Ports = ports[s].ToValueList() });
            }
        }

        for (var n = 1; n <= _random.Next(1, 4); n++)
        {
            spaces.Add(new Space($"ns{n}", isHost: false) { LoopbackUp = Chance(0.5) });
        }

        var interfaceCount = _random.Next(1, 9);
        for (var i = 1; i <= interfaceCount; i++)
        {
            AddInterface($"i{i}", spaces, candidates);
        }

        return new Lab
        {
            Name = name,
            Switches = switches.Where(s => spaces.Any(h => h.Nics.Any(n => n.Switch == s.Name))).ToValueList(),
            Hosts = spaces.Where(s => s.IsHost).Select(s => new Host
            {
                Name = s.Name,
                LoopbackUp = s.LoopbackUp,
                Nics = s.Nics.ToValueList(),
                Interfaces = s.Interfaces.ToValueList(),
            }).ToValueList(),
            Namespaces = spaces.Where(s => !s.IsHost).Select(s => new LabNamespace
            {
                Name = s.Name,
                LoopbackUp = s.LoopbackUp,
                Interfaces = s.Interfaces.ToValueList(),
            }).ToValueList(),
        };
    }

    private void AddInterface(string name, List<Space> spaces, List<Candidate> candidates)
    {
        var space = Pick(spaces);
        // macvlan on macvlan shares the real lower device's port, which would make passthru bookkeeping here wrong; leave it to unit tests.
        var macvlanParents = candidates.Where(c => !c.IsPort && !c.HasPassthruChild && c.Kind is not (LinkKind.Bridge or LinkKind.Macvlan or LinkKind.Macvtap)).ToList();
        var kinds = new List<LinkKind> { LinkKind.Bridge, LinkKind.Dummy, LinkKind.Veth, LinkKind.Vxlan };
        if (macvlanParents.Count > 0)
        {
            kinds.AddRange([LinkKind.Macvlan, LinkKind.Macvlan, LinkKind.Macvtap]);
        }

        if (candidates.Count > 0)
        {
            kinds.Add(LinkKind.Vlan);
        }

        var kind = Pick(kinds);
        InterfaceDefinition definition;
        int? mtu = Chance(0.2) ? 1400 : null;
        int? inherited = null; // a child without an mtu takes its parent's, a vxlan its underlay's less 50 bytes of headers
        switch (kind)
        {
            case LinkKind.Macvlan or LinkKind.Macvtap:
                var parent = Pick(macvlanParents);
                var mode = parent.HasMacvlanChild
                    ? Pick([MacvlanMode.Private, MacvlanMode.Vepa, MacvlanMode.Bridge, MacvlanMode.Source])
                    : Pick([MacvlanMode.Private, MacvlanMode.Vepa, MacvlanMode.Bridge, MacvlanMode.Passthru, MacvlanMode.Source]);
                parent.HasMacvlanChild = true;
                parent.HasPassthruChild = mode == MacvlanMode.Passthru;
                var sourceMacs = mode == MacvlanMode.Source && Chance(0.5) ? [Mac()] : ValueList<string>.Empty;
                definition = kind == LinkKind.Macvlan
                    ? new MacvlanInterface { Name = name, ParentName = Reference(parent, space), Mode = mode, NoPromisc = mode == MacvlanMode.Passthru && Chance(0.5), SourceMacs = sourceMacs }
                    : new MacvtapInterface { Name = name, ParentName = Reference(parent, space), Mode = mode, NoPromisc = mode == MacvlanMode.Passthru && Chance(0.5), SourceMacs = sourceMacs };
                mtu = parent.Mtu is null or >= 1400 ? mtu : null;
                inherited = parent.Mtu;
                break;
            case LinkKind.Vlan:
                var lower = Pick(candidates.Where(c => c.Kind != LinkKind.Bridge || Chance(0.5)).DefaultIfEmpty(candidates[0]).ToList());
                definition = new VlanInterface
                {
                    Name = name,
                    ParentName = Reference(lower, space),
                    Id = Pick([1, 888, 4094, _random.Next(1, 4095)]),
                    Protocol = Chance(0.2) ? VlanProtocol.Dot1AD : VlanProtocol.Dot1Q,
                };
                mtu = lower.Mtu is null or >= 1400 ? mtu : null;
                inherited = lower.Mtu;
                break;
            case LinkKind.Veth:
                var other = Pick(spaces);
                var peerName = name + "p";
                definition = new VethInterface { Name = name, Peer = $"{other.Name}/{peerName}" };
                other.Interfaces.Add(new VethInterface { Name = peerName, Peer = $"{space.Name}/{name}", Addresses = Addresses(), Mac = MaybeMac(), Up = Chance(0.8) });
                candidates.Add(new Candidate(other, peerName, LinkKind.Veth, null));
                break;
            case LinkKind.Vxlan:
                var underlay = candidates.Count > 0 && Chance(0.5) ? Pick(candidates) : null;
                definition = new VxlanInterface
                {
                    Name = name,
                    Vni = Pick([0L, 42L, 16_777_215L, _random.Next(1, 1 << 24)]),
                    Underlay = underlay is null ? null : Reference(underlay, space),
                    Remote = $"192.0.2.{_random.Next(1, 255)}",
                    Port = Chance(0.7) ? 4789 : 8472,
                };
                inherited = underlay is null ? null : (underlay.Mtu ?? 1500) - 50;
                mtu = inherited is null or >= 1400 ? mtu : null;
                break;
            case LinkKind.Bridge:
                definition = new BridgeInterface { Name = name };
                break;
            default:
                definition = new DummyInterface { Name = name };
                break;
        }

        // Join a bridge of the namespace now and then; a port can no longer take macvlan children.
        var bridges = space.Interfaces.OfType<BridgeInterface>().ToList();
        string? master = null;
        if (kind != LinkKind.Bridge && bridges.Count > 0 && Chance(0.4))
        {
            master = Pick(bridges).Name;
        }

        definition = definition with { Mac = MaybeMac(), Mtu = mtu, Addresses = Addresses(), Up = Chance(0.8), Master = master };
        space.Interfaces.Add(definition);
        candidates.Add(new Candidate(space, name, kind, mtu ?? inherited) { IsPort = master is not null });
    }

    private static string Reference(Candidate candidate, Space from) =>
        candidate.Space == from ? candidate.Name : $"{candidate.Space.Name}/{candidate.Name}";

    private ValueList<string> Addresses()
    {
        var count = Pick([0, 0, 1, 1, 1, 2]);
        return Enumerable.Range(0, count).Select(_ =>
        {
            _subnet++;
            return Chance(0.2) ? $"fd00:{_subnet:x}::1/64" : $"10.{_subnet / 250}.{_subnet % 250}.{_random.Next(1, 255)}/24";
        }).ToValueList();
    }

    private string? MaybeMac() => Chance(0.3) ? Mac() : null;

    private string Mac()
    {
        _mac++;
        return $"02:00:00:{_mac / 65536 % 256:x2}:{_mac / 256 % 256:x2}:{_mac % 256:x2}";
    }

    private bool Chance(double probability) => _random.NextDouble() < probability;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>The same lab with settings changed that do not change what exists: modes, addresses, up, MTU, MAC, hairpin, loopback.</summary>
    public Lab Mutate(Lab lab)
    {
        InterfaceDefinition Change(InterfaceDefinition definition)
        {
            if (!Chance(0.4))
            {
                return definition;
            }

            var changed = definition with { Up = Chance(0.5) ? !definition.Up : definition.Up, Addresses = Chance(0.5) ? Addresses() : definition.Addresses };
            return changed switch
            {
                MacvlanFamilyInterface { Mode: not MacvlanMode.Passthru and not MacvlanMode.Source } macvlan when Chance(0.5) =>
                    macvlan with { Mode = Pick([MacvlanMode.Private, MacvlanMode.Vepa, MacvlanMode.Bridge]) },
                VlanInterface vlan when Chance(0.5) => vlan with { Id = _random.Next(1, 4095) },
                DummyInterface dummy when Chance(0.5) => dummy with { Mac = Mac() },
                _ => changed,
            };
        }

        return lab with
        {
            Switches = lab.Switches.Select(s => s with { Ports = s.Ports.Select(p => Chance(0.5) ? p with { Hairpin = !p.Hairpin } : p).ToValueList() }).ToValueList(),
            Hosts = lab.Hosts.Select(h => h with
            {
                LoopbackUp = Chance(0.3) ? !h.LoopbackUp : h.LoopbackUp,
                Nics = h.Nics.Select(n => Chance(0.3) ? n with { Addresses = Addresses(), Up = !n.Up } : n).ToValueList(),
                Interfaces = h.Interfaces.Select(Change).ToValueList(),
            }).ToValueList(),
            Namespaces = lab.Namespaces.Select(n => n with
            {
                LoopbackUp = Chance(0.3) ? !n.LoopbackUp : n.LoopbackUp,
                Interfaces = n.Interfaces.Select(Change).ToValueList(),
            }).ToValueList(),
        };
    }
}
