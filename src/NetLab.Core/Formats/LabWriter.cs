using System.Globalization;
using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Formats;

/// <summary>A <see cref="Lab"/> as a document tree, in the order and style a person would write it.</summary>
internal static class LabWriter
{
    /// <summary>Interfaces whose one-line form is longer than this are written as indented blocks.</summary>
    private const int FlowWidth = 110;

    public static MappingNode Write(Lab lab)
    {
        var entries = new Entries();
        entries.Text("name", lab.Name);
        entries.Text("description", lab.Description);
        entries.Map("switches", lab.Switches.Select(s => (s.Name, (DocumentNode)WriteSwitch(s))));
        entries.Map("hosts", lab.Hosts.Select(h => (h.Name, (DocumentNode)WriteHost(h))));
        entries.Map("namespaces", lab.Namespaces.Select(n => (n.Name, (DocumentNode)WriteNamespace(n))));
        entries.Map("layout", lab.Layout.Select(p =>
        {
            var position = new Entries();
            position.Decimal("x", p.X);
            position.Decimal("y", p.Y);
            return (p.Element, (DocumentNode)position.ToNode(flow: true));
        }));
        return entries.ToNode();
    }

    private static MappingNode WriteSwitch(Switch @switch)
    {
        var entries = new Entries();
        entries.Map("ports", @switch.Ports.Select(p =>
        {
            var port = new Entries();
            port.Bool("hairpin", p.Hairpin);
            return (p.Name, (DocumentNode)port.ToNode(flow: true));
        }), alwaysWrite: true);
        return entries.ToNode();
    }

    private static MappingNode WriteHost(Host host)
    {
        var entries = new Entries();
        entries.Text("loopback", host.LoopbackUp ? "up" : "down");
        entries.Map("nics", host.Nics.Select(n =>
        {
            var nic = new Entries();
            nic.Text("switch", n.Switch);
            nic.Text("port", n.Port);
            WriteAddressed(nic, n);
            return (n.Name, (DocumentNode)nic.ToNode(flow: true));
        }));
        entries.Map("interfaces", host.Interfaces.Select(i => (i.Name, WriteInterface(i))));
        return entries.ToNode();
    }

    private static MappingNode WriteNamespace(LabNamespace @namespace)
    {
        var entries = new Entries();
        entries.Text("loopback", @namespace.LoopbackUp ? "up" : "down");
        entries.Map("interfaces", @namespace.Interfaces.Select(i => (i.Name, WriteInterface(i))));
        return entries.ToNode();
    }

    private static DocumentNode WriteInterface(InterfaceDefinition definition)
    {
        var entries = new Entries();
        entries.Text("kind", definition.Kind.KernelName());
        switch (definition)
        {
            case VethInterface veth:
                entries.Text("peer", veth.Peer);
                break;
            case MacvlanFamilyInterface macvlan:
                entries.Text("parent", macvlan.ParentName);
                entries.Text("mode", macvlan.Mode.Word());
                if (macvlan.NoPromisc)
                {
                    entries.Bool("nopromisc", true);
                }

                entries.List("sourceMacs", macvlan.SourceMacs);
                break;
            case VlanInterface vlan:
                entries.Text("parent", vlan.ParentName);
                entries.Number("id", vlan.Id);
                if (vlan.Protocol != VlanProtocol.Dot1Q)
                {
                    entries.Text("protocol", vlan.Protocol.Word());
                }

                break;
            case VxlanInterface vxlan:
                entries.Number("id", vxlan.Vni);
                entries.Text("parent", vxlan.Underlay);
                entries.Text("remote", vxlan.Remote);
                entries.Text("local", vxlan.Local);
                entries.Text("group", vxlan.Group);
                if (vxlan.Port != VxlanInterface.DefaultPort)
                {
                    entries.Number("port", vxlan.Port);
                }

                break;
        }

        WriteAddressed(entries, definition);
        entries.Text("master", definition.Master);
        var flow = entries.ToNode(flow: true);
        return EstimateWidth(flow) <= FlowWidth ? flow : entries.ToNode(flow: false);
    }

    private static void WriteAddressed(Entries entries, IAddressed addressed)
    {
        entries.Text("mac", addressed.Mac);
        if (addressed.Mtu is { } mtu)
        {
            entries.Number("mtu", mtu);
        }

        entries.List("addresses", addressed.Addresses);
        if (!addressed.Up)
        {
            entries.Bool("up", false);
        }
    }

    private static int EstimateWidth(DocumentNode node) => node switch
    {
        ScalarNode scalar => (scalar.Value?.Length ?? 4) + 2,
        SequenceNode sequence => 2 + sequence.Items.Sum(i => EstimateWidth(i) + 2),
        MappingNode mapping => 4 + mapping.Entries.Sum(e => EstimateWidth(e.Key) + EstimateWidth(e.Value) + 2),
        _ => 0,
    };

    private sealed class Entries
    {
        private readonly List<KeyValuePair<ScalarNode, DocumentNode>> _entries = [];

        private void Add(string key, DocumentNode value) => _entries.Add(new(new ScalarNode(key, ScalarKind.Text), value));

        public void Text(string key, string? value)
        {
            if (value is not null)
            {
                Add(key, new ScalarNode(value, ScalarKind.Text));
            }
        }

        public void Number(string key, long value) => Add(key, new ScalarNode(value.ToString(CultureInfo.InvariantCulture), ScalarKind.Number));

        /// <summary>"R" keeps every bit, so a position read back is the position written.</summary>
        public void Decimal(string key, double value) => Add(key, new ScalarNode(value.ToString("R", CultureInfo.InvariantCulture), ScalarKind.Number));

        public void Bool(string key, bool value) => Add(key, new ScalarNode(value ? "true" : "false", ScalarKind.Boolean));

        public void List(string key, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                Add(key, new SequenceNode(values.Select(v => (DocumentNode)new ScalarNode(v, ScalarKind.Text)).ToList()) { Flow = true });
            }
        }

        public void Map(string key, IEnumerable<(string Name, DocumentNode Value)> items, bool alwaysWrite = false)
        {
            var entries = items.Select(i => new KeyValuePair<ScalarNode, DocumentNode>(new ScalarNode(i.Name, ScalarKind.Text), i.Value)).ToList();
            if (entries.Count > 0 || alwaysWrite)
            {
                Add(key, new MappingNode(entries) { Flow = entries.Count == 0 });
            }
        }

        public MappingNode ToNode(bool flow = false) => new(_entries.ToList()) { Flow = flow };
    }
}
