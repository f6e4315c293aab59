using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NetLab.Core.Formats;

namespace NetLab.HostileInput.Tests.Fuzzing;

/// <summary>A lab text to read, in the format it claims to be.</summary>
public sealed record LabText(string Text, LabFileFormat Format, string How)
{
    public override string ToString() => $"{How} ({Format}, {Text.Length} chars): {FuzzCases.Show(Text)}";
}

/// <summary>
/// FsCheck generators of lab texts, YAML and JSON: the example labs of labs/ (and their JSON) mutated the ways a hand,
/// a bad merge or an attacker would mutate them; random documents of the lab format's own keys and values (so the
/// validator's cross references, kinds and limits are reached, not only the parser); and random documents of anything.
/// </summary>
public static class LabTexts
{
    private static readonly string[] Keys =
    [
        "name", "description", "namespaces", "hosts", "switches", "interfaces", "nics", "ports", "kind", "parent", "peer",
        "mode", "addresses", "switch", "port", "hairpin", "loopback", "mtu", "mac", "id", "remote", "local", "master", "up",
        "layout", "protocol", "nopromisc", "sourceMacs", "dstport", "x", "y", "ns1", "ns2", "h1", "sw1", "eth0", "p1", "br0",
    ];

    private static readonly string[] Words =
    [
        "veth", "macvlan", "macvtap", "vlan", "bridge", "vxlan", "dummy", "ipvlan", "private", "vepa", "passthru", "source",
        "up", "down", "true", "false", "yes", "no", "null", "~", "", " ", "ns1", "ns2", "h1", "sw1", "eth0", "p1", "br0",
        "h1/eth0", "ns1/a", "ns2/b", "../eth0", "/", "ns1/", "/eth0", "a/b/c", "lo", "nl-x.y", "10.0.0.1/24", "10.0.0.1",
        "10.0.0.1/33", "2001:db8::1/64", "fe80::1/129", "::/0", "0.0.0.0/0", "255.255.255.255/32", "02:00:00:00:00:01",
        "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "0", "-1", "1", "68", "65535", "65536", "4094", "4095", "16777215",
        "16777216", "2147483648", "99999999999999999999", "1e309", "NaN", "0x10", "$(reboot)", "`id`", "a;b", "x y",
        "\u00e9", "\u202e", "\uFEFF", "\t", "\\", "\"", "'", "%", "*", "&", "!", "|", ">", "#", "@", "802.1Q", "802.1ad",
        new string('a', 15), new string('a', 16), new string('a', 32), new string('a', 33), new string('a', 300),
    ];

    private static readonly string[] Tokens =
    [
        "[", "]", "{", "}", ":", ": ", ",", "- ", "-", "? ", "&a ", "*a", "&a", "<<: *a", "!!str ", "!!binary ", "!tag ", "---\n",
        "...\n", "%YAML 1.2\n", "%TAG ! tag:x\n", "\t", "\"", "'", "#", "|\n", ">-\n", "\0", "\uFEFF", "\r", "\n", "\r\n", "  ",
        "    ", "null", "~", "\\", "\\u0000", "\\uD800", "\\x41", "\u0085", "\u2028", "\uD800", "\uDC00", "\U0001F600",
        "name: ", "kind: macvlan", "parent: ", "peer: ", "mode: passthru", "addresses: [", "interfaces:\n", "namespaces:\n",
        "{\"", "\":", "\"kind\": ", "[[[[", "]]]]", "{{{{", "}}}}", "0", "-0", "1e999", "true", "$(reboot)", "../",
    ];

    /// <summary>Every example lab of labs/ as YAML, and as JSON.</summary>
    public static IReadOnlyList<LabText> Seeds { get; } = LoadSeeds();

    /// <summary>Any of the ways below; <paramref name="maxMutations"/> bounds how far a seed is changed.</summary>
    public static Gen<LabText> Any(int maxMutations = 8) => Gen.Frequency(
        (6, Mutated(maxMutations)),
        (2, LabShaped()),
        (3, Structured()),
        (1, Anything()),
        (1, Amplified()));

    /// <summary>A seed changed 1 to <paramref name="maxMutations"/> times.</summary>
    public static Gen<LabText> Mutated(int maxMutations) =>
        from seed in Gen.Elements<LabText>(Seeds)
        from count in Gen.Choose(1, maxMutations)
        from steps in Gen.ListOf(Mutation(), count)
        select steps.Aggregate(seed, (text, step) => text with { Text = step(text.Text), How = "mutated example" });

    /// <summary>A document of the lab format's keys and values, nested at random, as JSON or as block or flow YAML.</summary>
    public static Gen<LabText> LabShaped() =>
        from root in Node(4, labShaped: true)
        from format in Gen.Elements(LabFileFormat.Yaml, LabFileFormat.Json)
        from flow in Gen.Elements(true, false)
        select new LabText(format == LabFileFormat.Json ? JsonSerializer.Serialize(root) : Yaml(root, flow), format, "lab-shaped document");

    /// <summary>
    /// Labs built the way the format reads (switches with ports, hosts with NICs on them, namespaces with interfaces of
    /// every kind), whose names, references, addresses and settings are drawn from small pools so that they often agree:
    /// many are valid and reach the planner, the others fail the validator's cross checks rather than the parser.
    /// </summary>
    public static Gen<LabText> Structured() =>
        from name in Gen.Elements("lab1", "a", "x-y", "l_2")
        from switchPorts in Gen.Choose(0, 3)
        from hosts in Gen.ListOf(Gen.Elements("h1", "h2"), 2)
        from nicPorts in Gen.ListOf(Gen.Elements("p1", "p2", "p3"), 2)
        from namespaceNames in Gen.Choose(0, 4)
        from interfaces in Gen.ListOf(Interface(), 8)
        from placements in Gen.ListOf(Gen.Elements("ns1", "ns2", "ns3", "h1"), 8)
        from format in Gen.Elements(LabFileFormat.Yaml, LabFileFormat.Json)
        select Structure(name, switchPorts, hosts.Distinct().ToList(), nicPorts, namespaceNames, interfaces, placements, format);

    private static Gen<Dictionary<string, object?>> Interface() =>
        from name in Gen.Elements("a", "b", "eth1", "br0", "m1", "v2", "vx", "t0")
        from kind in Gen.Elements("veth", "macvlan", "macvtap", "vlan", "bridge", "vxlan", "dummy")
        from reference in Gen.Elements("h1/eth0", "h2/eth0", "ns1/a", "ns2/b", "a", "b", "br0", "eth0", "ns3/m1")
        from mode in Gen.Elements("private", "vepa", "bridge", "passthru", "source")
        from addresses in Gen.SubListOf("10.0.0.1/24", "10.0.0.2/24", "10.0.0.1/24", "10.0.1.1/16", "2001:db8::1/64", "fe80::2/64")
        from mtu in Gen.Elements<int?>(null, null, 68, 1400, 1500, 9000, 65535)
        from mac in Gen.Elements<string?>(null, null, "02:00:00:00:00:01", "02:00:00:00:00:02", "03:00:00:00:00:01")
        from id in Gen.Elements(1, 42, 888, 4094)
        from master in Gen.Elements<string?>(null, null, "br0", "a")
        from up in Gen.Elements<bool?>(null, true, false)
        select new Dictionary<string, object?>
        {
            ["name"] = name, ["kind"] = kind, ["ref"] = reference, ["mode"] = mode, ["addresses"] = addresses.ToList(),
            ["mtu"] = mtu, ["mac"] = mac, ["id"] = id, ["master"] = master, ["up"] = up,
        };

    private static LabText Structure(string name, int switchPorts, List<string> hosts, IList<string> nicPorts, int namespaceCount, IList<Dictionary<string, object?>> interfaces, IList<string> placements, LabFileFormat format)
    {
        var lab = new Dictionary<string, object?> { ["name"] = name };
        if (switchPorts > 0)
        {
            lab["switches"] = new Dictionary<string, object?>
            {
                ["sw1"] = new Dictionary<string, object?> { ["ports"] = Enumerable.Range(1, switchPorts).ToDictionary(p => $"p{p}", p => (object?)new Dictionary<string, object?> { ["hairpin"] = p == 2 }) },
            };
        }

        var elements = new Dictionary<string, Dictionary<string, object?>>();
        if (hosts.Count > 0)
        {
            var hostsNode = new Dictionary<string, object?>();
            for (var i = 0; i < hosts.Count; i++)
            {
                var host = new Dictionary<string, object?> { ["nics"] = new Dictionary<string, object?> { ["eth0"] = new Dictionary<string, object?> { ["switch"] = "sw1", ["port"] = nicPorts[i] } } };
                hostsNode[hosts[i]] = host;
                elements[hosts[i]] = host;
            }

            lab["hosts"] = hostsNode;
        }

        var namespaces = new Dictionary<string, object?>();
        for (var i = 1; i <= namespaceCount; i++)
        {
            var element = new Dictionary<string, object?> { ["loopback"] = i % 2 == 0 ? "up" : "down" };
            namespaces[$"ns{i}"] = element;
            elements[$"ns{i}"] = element;
        }

        if (namespaces.Count > 0)
        {
            lab["namespaces"] = namespaces;
        }

        for (var i = 0; i < interfaces.Count; i++)
        {
            if (!elements.TryGetValue(placements[i], out var element))
            {
                continue;
            }

            var spec = interfaces[i];
            var kind = (string)spec["kind"]!;
            var definition = new Dictionary<string, object?> { ["kind"] = kind };
            switch (kind)
            {
                case "veth":
                    definition["peer"] = spec["ref"];
                    break;
                case "macvlan" or "macvtap":
                    definition["parent"] = spec["ref"];
                    definition["mode"] = spec["mode"];
                    break;
                case "vlan":
                    definition["parent"] = spec["ref"];
                    definition["id"] = spec["id"];
                    break;
                case "vxlan":
                    definition["id"] = spec["id"];
                    definition["parent"] = spec["ref"];
                    definition["remote"] = "10.0.0.2";
                    break;
                default:
                    break;
            }

            foreach (var key in new[] { "addresses", "mtu", "mac", "master", "up" })
            {
                if (spec[key] is { } value && (value is not List<string> list || list.Count > 0))
                {
                    definition[key] = value;
                }
            }

            if (!element.TryGetValue("interfaces", out var existing) || existing is not Dictionary<string, object?> list2)
            {
                list2 = [];
                element["interfaces"] = list2;
            }

            list2[(string)spec["name"]!] = definition;
        }

        return new LabText(format == LabFileFormat.Json ? JsonSerializer.Serialize(lab) : Yaml(lab, flow: false), format, "structured lab");
    }

    /// <summary>Random characters and tokens: whatever a file may hold.</summary>
    public static Gen<LabText> Anything() =>
        from pieces in Gen.ListOf(Gen.Frequency((3, Gen.Elements(Tokens)), (2, Gen.Elements(Words)), (1, RandomChars())))
        from format in Gen.Elements(LabFileFormat.Yaml, LabFileFormat.Json)
        select new LabText(string.Concat(pieces), format, "random text");

    /// <summary>A piece of a seed repeated up to about the 1 MiB limit: what has to be read fast when it is large.</summary>
    public static Gen<LabText> Amplified() =>
        from seed in Gen.Elements<LabText>(Seeds)
        from start in Gen.Choose(0, 1000)
        from length in Gen.Choose(1, 200)
        from times in Gen.Choose(100, 6000)
        let piece = Slice(seed.Text, start, length)
        let text = seed.Text + string.Concat(Enumerable.Repeat(piece, Math.Min(times, (LabFormat.MaxDocumentBytes + 4096) / Math.Max(piece.Length, 1))))
        select seed with { Text = text, How = $"amplified example ({times} x {piece.Length} chars)" };

    private static Gen<Func<string, string>> Mutation() => Gen.OneOf(
        from at in Gen.Choose(0, 10_000)
        from length in Gen.Choose(1, 40)
        select (Func<string, string>)(t => t.Length == 0 ? t : t.Remove(at % t.Length, Math.Min(length, t.Length - (at % t.Length)))),
        from at in Gen.Choose(0, 10_000)
        from token in Gen.OneOf(Gen.Elements(Tokens), Gen.Elements(Words))
        select (Func<string, string>)(t => t.Insert(t.Length == 0 ? 0 : at % (t.Length + 1), token)),
        from at in Gen.Choose(0, 10_000)
        from c in Gen.Choose(0, 0xFFFF)
        select (Func<string, string>)(t => t.Length == 0 ? t : string.Concat(t.AsSpan(0, at % t.Length), ((char)c).ToString(), t.AsSpan(at % t.Length + 1))),
        from at in Gen.Choose(0, 10_000)
        from length in Gen.Choose(1, 80)
        from times in Gen.Choose(1, 50)
        select (Func<string, string>)(t => t.Length == 0 ? t : t.Insert(at % t.Length, string.Concat(Enumerable.Repeat(Slice(t, at, length), times)))),
        from a in Gen.Choose(0, 10_000)
        from b in Gen.Choose(0, 10_000)
        select (Func<string, string>)(t => SwapLines(t, a, b)),
        from line in Gen.Choose(0, 10_000)
        from indent in Gen.Choose(-4, 4)
        select (Func<string, string>)(t => Reindent(t, line, indent)),
        from word in Gen.Elements(Words)
        from nth in Gen.Choose(0, 50)
        select (Func<string, string>)(t => ReplaceValue(t, nth, word)));

    private static Gen<object?> Node(int depth, bool labShaped)
    {
        var scalar = Gen.OneOf(
            Gen.Elements(Words).Select(w => (object?)w),
            Gen.Choose(-5, 70_000).Select(n => (object?)n),
            Gen.Elements<object?>(true, false, null, 1.5, long.MaxValue));
        if (depth == 0)
        {
            return scalar;
        }

        var key = labShaped ? Gen.Frequency((8, Gen.Elements(Keys)), (1, Gen.Elements(Words))) : Gen.OneOf(Gen.Elements(Keys), Gen.Elements(Words), RandomChars());
        var mapping =
            from count in Gen.Choose(0, labShaped ? 6 : 4)
            from entries in Gen.ListOf(Gen.Zip(key, Node(depth - 1, labShaped)), count)
            select (object?)entries.GroupBy(e => e.Item1).ToDictionary(g => g.Key, g => g.First().Item2);
        var sequence =
            from count in Gen.Choose(0, 4)
            from items in Gen.ListOf(Node(depth - 1, labShaped), count)
            select (object?)items.ToList();
        return Gen.Frequency((labShaped ? 2 : 1, scalar), (labShaped ? 5 : 2, mapping), (1, sequence));
    }

    private static Gen<string> RandomChars() =>
        from length in Gen.Choose(1, 12)
        from chars in Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(0x20, 0x7e)), (1, Gen.Choose(0, 0x1f)), (1, Gen.Choose(0x80, 0xFFFF))), length)
        select new string([.. chars.Select(c => (char)c)]);

    /// <summary>A document as YAML: block style with every scalar double-quoted (JSON's escapes), or all flow (which is JSON).</summary>
    private static string Yaml(object? node, bool flow)
    {
        if (flow)
        {
            return JsonSerializer.Serialize(node);
        }

        var text = new StringBuilder();
        Block(text, node, 0);
        return text.ToString();
    }

    private static void Block(StringBuilder text, object? node, int indent)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case Dictionary<string, object?> { Count: > 0 } mapping:
                foreach (var (key, value) in mapping)
                {
                    text.Append(pad).Append(JsonSerializer.Serialize(key)).Append(':');
                    if (value is Dictionary<string, object?> { Count: > 0 } or List<object?> { Count: > 0 })
                    {
                        text.Append('\n');
                        Block(text, value, indent + 2);
                    }
                    else
                    {
                        text.Append(' ').Append(JsonSerializer.Serialize(value)).Append('\n');
                    }
                }

                break;
            case List<object?> { Count: > 0 } sequence:
                foreach (var item in sequence)
                {
                    text.Append(pad).Append("- ").Append(JsonSerializer.Serialize(item)).Append('\n');
                }

                break;
            default:
                text.Append(pad).Append(JsonSerializer.Serialize(node)).Append('\n');
                break;
        }
    }

    private static string Slice(string text, int at, int length)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var start = at % text.Length;
        return text.Substring(start, Math.Min(length, text.Length - start));
    }

    private static string SwapLines(string text, int a, int b)
    {
        var lines = text.Split('\n');
        (lines[a % lines.Length], lines[b % lines.Length]) = (lines[b % lines.Length], lines[a % lines.Length]);
        return string.Join('\n', lines);
    }

    private static string Reindent(string text, int line, int by)
    {
        var lines = text.Split('\n');
        var i = line % lines.Length;
        var lead = lines[i].Length - lines[i].TrimStart(' ').Length;
        lines[i] = by >= 0 ? new string(' ', by) + lines[i] : lines[i][Math.Min(-by, lead)..];
        return string.Join('\n', lines);
    }

    /// <summary>The value after the <paramref name="nth"/> ": " (YAML) or "\": " (JSON) becomes <paramref name="word"/>.</summary>
    private static string ReplaceValue(string text, int nth, string word)
    {
        var at = -1;
        for (var i = 0; i <= nth; i++)
        {
            var next = text.IndexOf(": ", at + 1, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            at = next;
        }

        if (at < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}', '\n', ']'], at + 2);
        return string.Concat(text.AsSpan(0, at + 2), word, end < 0 ? "" : text.AsSpan(end));
    }

    private static List<LabText> LoadSeeds()
    {
        var seeds = new List<LabText>();
        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            var yaml = File.ReadAllText(file);
            seeds.Add(new LabText(yaml, LabFileFormat.Yaml, Path.GetFileName(file)));
            if (LabFormat.Load(yaml, LabFileFormat.Yaml).Lab is { } lab)
            {
                seeds.Add(new LabText(LabFormat.ToJson(lab), LabFileFormat.Json, Path.GetFileName(file) + " as JSON"));
            }
        }

        return seeds;
    }
}
