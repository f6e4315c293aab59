using System.Globalization;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Validation;

namespace NetLab.Core.Formats;

/// <summary>
/// Turns a document tree into a <see cref="Lab"/>, reporting every unknown key, wrong type and unknown word with
/// its path, line and column, and remembering where each path was written so later problems can point there too.
/// </summary>
internal sealed class LabReader
{
    private static readonly string[] LabKeys = ["name", "description", "switches", "hosts", "namespaces", "layout"];
    private static readonly string[] PositionKeys = ["x", "y"];
    private static readonly string[] SwitchKeys = ["ports"];
    private static readonly string[] PortKeys = ["hairpin"];
    private static readonly string[] HostKeys = ["loopback", "nics", "interfaces"];
    private static readonly string[] NamespaceKeys = ["loopback", "interfaces"];
    private static readonly string[] NicKeys = ["switch", "port", "mac", "mtu", "addresses", "up"];
    private static readonly string[] CommonInterfaceKeys = ["kind", "mac", "mtu", "addresses", "up", "master"];
    private static readonly string[] KindWords = ["veth", "macvlan", "macvtap", "vlan", "bridge", "vxlan", "dummy"];

    private static readonly Dictionary<string, string[]> KindKeys = new()
    {
        ["veth"] = ["peer"],
        ["macvlan"] = ["parent", "mode", "nopromisc", "sourceMacs"],
        ["macvtap"] = ["parent", "mode", "nopromisc", "sourceMacs"],
        ["vlan"] = ["parent", "id", "protocol"],
        ["bridge"] = [],
        ["dummy"] = [],
        ["vxlan"] = ["id", "parent", "remote", "local", "group", "port"],
    };

    private readonly List<Problem> _problems;

    public LabReader(List<Problem> problems) => _problems = problems;

    public Dictionary<string, SourceLocation> Locations { get; } = new(StringComparer.Ordinal);

    public Lab? Read(DocumentNode root)
    {
        var fields = Fields.Of(this, root, "", "a lab", LabKeys);
        if (fields is null)
        {
            return null;
        }

        var name = fields.Text("name", required: true) ?? "";
        var lab = new Lab
        {
            Name = name,
            Description = fields.Text("description"),
            Switches = fields.Named("switches", "a switch", SwitchKeys, ReadSwitch),
            Hosts = fields.Named("hosts", "a host", HostKeys, ReadHost),
            Namespaces = fields.Named("namespaces", "a namespace", NamespaceKeys, ReadNamespace),
            Layout = fields.Named("layout", "a position", PositionKeys, (element, position) =>
                new ElementPosition(element, position.Double("x") ?? 0, position.Double("y") ?? 0)),
        };
        return lab;
    }

    private Switch ReadSwitch(string name, Fields fields) => new()
    {
        Name = name,
        Ports = fields.Named("ports", "a switch port", PortKeys, (port, portFields) => new SwitchPort
        {
            Name = port,
            Hairpin = portFields.Bool("hairpin") ?? false,
        }),
    };

    private Host ReadHost(string name, Fields fields) => new()
    {
        Name = name,
        LoopbackUp = fields.Loopback(),
        Nics = fields.Named("nics", "a host NIC", NicKeys, (nic, nicFields) => new HostNic
        {
            Name = nic,
            Switch = nicFields.Text("switch", required: true) ?? "",
            Port = nicFields.Text("port", required: true) ?? "",
            Mac = nicFields.Text("mac"),
            Mtu = nicFields.Int("mtu"),
            Addresses = nicFields.TextList("addresses"),
            Up = nicFields.Bool("up") ?? true,
        }),
        Interfaces = ReadInterfaces(fields),
    };

    private LabNamespace ReadNamespace(string name, Fields fields) => new()
    {
        Name = name,
        LoopbackUp = fields.Loopback(),
        Interfaces = ReadInterfaces(fields),
    };

    private ValueList<InterfaceDefinition> ReadInterfaces(Fields fields)
    {
        var interfaces = new List<InterfaceDefinition>();
        foreach (var (name, node, path) in fields.Entries("interfaces"))
        {
            var interfaceFields = ReadInterfaceFields(node, path);
            if (interfaceFields?.Build(name) is { } definition)
            {
                interfaces.Add(definition);
            }
        }

        return interfaces.ToValueList();
    }

    private InterfaceFields? ReadInterfaceFields(DocumentNode node, string path)
    {
        if (node is not MappingNode mapping)
        {
            Report(path, node, $"an interface must be a mapping, not {node.Describe()}", "Write e.g. `macvlan2: { kind: macvlan, parent: h1/eth0, mode: bridge }`");
            return null;
        }

        var kindEntry = mapping.Entries.FirstOrDefault(e => e.Key.Value == "kind");
        var kind = (kindEntry.Value as ScalarNode)?.Value;
        if (kind is null || !KindKeys.TryGetValue(kind, out var kindKeys))
        {
            var location = kindEntry.Value?.Location ?? node.Location;
            _problems.Add(new Problem(path + ".kind",
                kind is null ? "the interface has no kind" : $"'{kind}' is not an interface kind NetLab knows",
                $"Set `kind:` to one of: {string.Join(", ", KindWords)}")
            { Location = location });
            return null;
        }

        var fields = Fields.Of(this, node, path, $"a {kind} interface", [.. CommonInterfaceKeys, .. kindKeys])!;
        return new InterfaceFields(kind, fields);
    }

    private sealed record InterfaceFields(string Kind, Fields Fields)
    {
        public InterfaceDefinition? Build(string name)
        {
            var f = Fields;
            InterfaceDefinition? definition = Kind switch
            {
                "veth" => new VethInterface { Name = name, Peer = f.Text("peer", required: true) ?? "" },
                "macvlan" => new MacvlanInterface
                {
                    Name = name,
                    ParentName = f.Text("parent", required: true) ?? "",
                    Mode = f.MacvlanMode(),
                    NoPromisc = f.Bool("nopromisc") ?? false,
                    SourceMacs = f.TextList("sourceMacs"),
                },
                "macvtap" => new MacvtapInterface
                {
                    Name = name,
                    ParentName = f.Text("parent", required: true) ?? "",
                    Mode = f.MacvlanMode(),
                    NoPromisc = f.Bool("nopromisc") ?? false,
                    SourceMacs = f.TextList("sourceMacs"),
                },
                "vlan" => new VlanInterface
                {
                    Name = name,
                    ParentName = f.Text("parent", required: true) ?? "",
                    Id = f.Int("id", required: true) ?? 0,
                    Protocol = f.Word("protocol", LinkKindNames.ParseVlanProtocol, ["802.1Q", "802.1ad"]) ?? VlanProtocol.Dot1Q,
                },
                "bridge" => new BridgeInterface { Name = name },
                "dummy" => new DummyInterface { Name = name },
                "vxlan" => new VxlanInterface
                {
                    Name = name,
                    Vni = f.Long("id", required: true) ?? 0,
                    Underlay = f.Text("parent"),
                    Remote = f.Text("remote"),
                    Local = f.Text("local"),
                    Group = f.Text("group"),
                    Port = f.Int("port") ?? VxlanInterface.DefaultPort,
                },
                _ => null,
            };

            return definition is null ? null : definition with
            {
                Mac = f.Text("mac"),
                Mtu = f.Int("mtu"),
                Addresses = f.TextList("addresses"),
                Up = f.Bool("up") ?? true,
                Master = f.Text("master"),
            };
        }
    }

    private void Report(string path, DocumentNode node, string message, string hint) =>
        _problems.Add(new Problem(path, message, hint) { Location = node.Location });

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The keys of one mapping, checked against the keys allowed there.</summary>
    private sealed class Fields
    {
        private readonly LabReader _reader;
        private readonly Dictionary<string, ScalarNode> _keys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DocumentNode> _values = new(StringComparer.Ordinal);
        private readonly string _path;

        private Fields(LabReader reader, string path) => (_reader, _path) = (reader, path);

        /// <summary>Null (after reporting) when the node is not a mapping; an empty value counts as an empty mapping.</summary>
        public static Fields? Of(LabReader reader, DocumentNode node, string path, string what, string[] allowed)
        {
            var fields = new Fields(reader, path);
            if (node is ScalarNode { Kind: ScalarKind.Null })
            {
                return fields;
            }

            if (node is not MappingNode mapping)
            {
                reader.Report(path, node, $"{what} must be a mapping of keys to values, not {node.Describe()}",
                    $"Allowed keys: {string.Join(", ", allowed)}");
                return null;
            }

            foreach (var (key, value) in mapping.Entries)
            {
                var name = key.Value ?? "";
                var keyPath = Join(path, name);
                if (key.Location is { } location)
                {
                    reader.Locations.TryAdd(keyPath, location);
                }

                if (!allowed.Contains(name))
                {
                    var suggestion = Closest(name, allowed);
                    reader.Report(keyPath, key, $"unknown key '{name}' in {what}",
                        (suggestion is null ? "" : $"Did you mean '{suggestion}'? ") + $"Allowed keys: {string.Join(", ", allowed)}");
                }
                else if (!fields._values.TryAdd(name, value))
                {
                    reader.Report(keyPath, key, $"'{name}' is given twice", "Keep one of them");
                }
                else
                {
                    fields._keys[name] = key;
                }
            }

            return fields;
        }

        private DocumentNode? Value(string key, bool required)
        {
            if (_values.TryGetValue(key, out var value) && value is not ScalarNode { Kind: ScalarKind.Null })
            {
                return value;
            }

            if (required)
            {
                _reader._problems.Add(new Problem(Join(_path, key), $"'{key}' is required", $"Add `{key}:` here")
                {
                    Location = _reader.Locations.GetValueOrDefault(_path),
                });
            }

            return null;
        }

        private ScalarNode? Scalar(string key, bool required, string expected)
        {
            var value = Value(key, required);
            if (value is null or ScalarNode)
            {
                return (ScalarNode?)value;
            }

            _reader.Report(Join(_path, key), value, $"'{key}' must be {expected}, not {value.Describe()}", $"Write `{key}: ...` with a single value");
            return null;
        }

        public string? Text(string key, bool required = false) => Scalar(key, required, "a single value")?.Value;

        public int? Int(string key, bool required = false)
        {
            var number = Long(key, required);
            if (number is null or (>= int.MinValue and <= int.MaxValue))
            {
                return (int?)number;
            }

            _reader.Report(Join(_path, key), _values[key], $"{number} is too large for '{key}'", "Use a smaller number");
            return null;
        }

        public long? Long(string key, bool required = false)
        {
            var scalar = Scalar(key, required, "a whole number");
            if (scalar?.Value is null)
            {
                return null;
            }

            if (long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            _reader.Report(Join(_path, key), scalar, $"'{key}' must be a whole number, not '{scalar.Value}'", $"Write e.g. `{key}: 100`");
            return null;
        }

        public double? Double(string key)
        {
            var scalar = Scalar(key, false, "a number");
            if (scalar?.Value is null)
            {
                return null;
            }

            if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return number;
            }

            _reader.Report(Join(_path, key), scalar, $"'{key}' must be a number, not '{scalar.Value}'", $"Write e.g. `{key}: 120`");
            return null;
        }

        public bool? Bool(string key)
        {
            var scalar = Scalar(key, false, "true or false");
            switch (scalar?.Value?.ToLowerInvariant())
            {
                case null:
                    return null;
                case "true" or "yes" or "on":
                    return true;
                case "false" or "no" or "off":
                    return false;
                default:
                    _reader.Report(Join(_path, key), scalar, $"'{key}' must be true or false, not '{scalar.Value}'", $"Write `{key}: true` or `{key}: false`");
                    return null;
            }
        }

        public T? Word<T>(string key, Func<string, T?> parse, string[] words)
            where T : struct
        {
            var scalar = Scalar(key, false, "one word");
            if (scalar?.Value is null)
            {
                return null;
            }

            if (parse(scalar.Value) is { } value)
            {
                return value;
            }

            _reader.Report(Join(_path, key), scalar, $"'{scalar.Value}' is not a valid {key}", $"Use one of: {string.Join(", ", words)}");
            return null;
        }

        public MacvlanMode MacvlanMode() =>
            Word("mode", LinkKindNames.ParseMacvlanMode, ["private", "vepa", "bridge", "passthru", "source"]) ?? Links.MacvlanMode.Vepa;

        public bool Loopback()
        {
            var scalar = Scalar("loopback", false, "up or down");
            switch (scalar?.Value?.ToLowerInvariant())
            {
                case null or "down" or "false":
                    return false;
                case "up" or "true":
                    return true;
                default:
                    _reader.Report(Join(_path, "loopback"), scalar, $"'loopback' must be up or down, not '{scalar.Value}'", "Write `loopback: up` or `loopback: down`");
                    return false;
            }
        }

        public ValueList<string> TextList(string key)
        {
            var value = Value(key, false);
            switch (value)
            {
                case null:
                    return [];
                case ScalarNode scalar:
                    // A single value where a list was expected is what a student means; accept it.
                    return [scalar.Value!];
                case SequenceNode sequence:
                    var items = new List<string>();
                    for (var i = 0; i < sequence.Items.Count; i++)
                    {
                        if (sequence.Items[i] is ScalarNode { Value: { } text })
                        {
                            items.Add(text);
                        }
                        else
                        {
                            _reader.Report($"{Join(_path, key)}[{i}]", sequence.Items[i], $"each item of '{key}' must be a single value", $"Write `{key}: [a, b]`");
                        }
                    }

                    return items.ToValueList();
                default:
                    _reader.Report(Join(_path, key), value, $"'{key}' must be a list, not {value.Describe()}", $"Write `{key}: [a, b]`");
                    return [];
            }
        }

        /// <summary>The entries of a mapping from names to definitions, e.g. `interfaces:`.</summary>
        public IEnumerable<(string Name, DocumentNode Value, string Path)> Entries(string key)
        {
            var value = Value(key, false);
            if (value is null)
            {
                yield break;
            }

            var path = Join(_path, key);
            if (value is not MappingNode mapping)
            {
                _reader.Report(path, value, $"'{key}' must be a mapping of names to definitions, not {value.Describe()}", $"Write `{key}:` followed by indented `name: {{ ... }}` lines");
                yield break;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (nameNode, entry) in mapping.Entries)
            {
                var name = nameNode.Value ?? "";
                var entryPath = $"{path}.{name}";
                if (nameNode.Location is { } location)
                {
                    _reader.Locations.TryAdd(entryPath, location);
                }

                if (!seen.Add(name))
                {
                    _reader.Report(entryPath, nameNode, $"'{name}' is defined twice in '{key}'", "Rename or remove one of them");
                    continue;
                }

                yield return (name, entry, entryPath);
            }
        }

        public ValueList<T> Named<T>(string key, string what, string[] allowed, Func<string, Fields, T> read)
        {
            var items = new List<T>();
            foreach (var (name, node, path) in Entries(key))
            {
                if (Of(_reader, node, path, what, allowed) is { } fields)
                {
                    items.Add(read(name, fields));
                }
            }

            return items.ToValueList();
        }

        private static string? Closest(string word, string[] candidates)
        {
            var best = candidates.Select(c => (Candidate: c, Distance: EditDistance(word.ToLowerInvariant(), c.ToLowerInvariant())))
                .OrderBy(c => c.Distance).FirstOrDefault();
            return best.Candidate is not null && best.Distance <= 2 && best.Distance <= word.Length / 2 ? best.Candidate : null;
        }

        /// <summary>Optimal string alignment distance, so that a swapped pair of letters ("mdoe") counts as one edit.</summary>
        private static int EditDistance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
            }

            return d[a.Length, b.Length];
        }
    }
}
