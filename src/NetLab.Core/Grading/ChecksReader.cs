using System.Globalization;
using System.Net;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Validation;

namespace NetLab.Core.Grading;

/// <summary>
/// Turns a document tree into a <see cref="ChecksDocument"/>, reporting unknown keys, wrong types, bad names and
/// addresses with their path, line and column (names by the lab validator's rules, so a check can only name what a
/// lab can hold), and remembering where each path was written so the validation against a lab can point there too.
/// </summary>
internal sealed class ChecksReader(List<Problem> problems)
{
    private static readonly string[] DocumentKeys = ["lab", "checks"];
    private static readonly string[] PingVerbs = ["reaches", "doesNotReach"];
    private static readonly string[] StateVerbs = ["exists", "up", "kind", "vlan", "address"];
    private static readonly string[] CheckKeys = ["from", .. PingVerbs, "interface", .. StateVerbs, "mode"];
    private static readonly string[] KindWords = ["veth", "macvlan", "macvtap", "vlan", "bridge", "vxlan", "dummy"];
    private static readonly string[] ModeWords = ["private", "vepa", "bridge", "passthru", "source"];

    private const string CheckExamples =
        "Write e.g. `- { from: ns2, reaches: 100.0.0.3 }`, `- { interface: ns2/macvlan2, up: true }` or `- { interface: ns2/macvlan2, kind: macvlan, mode: vepa }` (docs/checks.md)";

    public Dictionary<string, SourceLocation> Locations { get; } = new(StringComparer.Ordinal);

    public ChecksDocument? Read(DocumentNode root)
    {
        if (Mapping(root, "", "a checks file", DocumentKeys) is not { } fields)
        {
            return null;
        }

        string? lab = null;
        if (fields.TryGetValue("lab", out var labNode) && Scalar(labNode, "lab", "a lab name") is { } labName)
        {
            if (LabName.Problem(labName) is { } problem)
            {
                Report("lab", labNode, $"the lab name {problem}", "Write the name of the lab these checks grade, as its `name:` says");
            }
            else
            {
                lab = labName;
            }
        }

        return new ChecksDocument { Lab = lab, Checks = ReadChecks(fields.GetValueOrDefault("checks")) };
    }

    private ValueList<LabCheck> ReadChecks(DocumentNode? node)
    {
        switch (node)
        {
            case null or ScalarNode { Kind: ScalarKind.Null }:
                return [];
            case SequenceNode sequence when sequence.Items.Count > ChecksFormat.MaxChecks:
                // Reported at the first check beyond the limit, and nothing more is read: a list this long is not worth
                // a problem per item.
                Report($"checks[{ChecksFormat.MaxChecks}]", sequence.Items[ChecksFormat.MaxChecks],
                    $"the file holds {sequence.Items.Count} checks; a checks file may hold at most {ChecksFormat.MaxChecks}",
                    "Keep the checks that grade what the assignment teaches, or split them over several assignments");
                return [];
            case SequenceNode sequence:
                var checks = new List<LabCheck>();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (ReadCheck(sequence.Items[i], $"checks[{i}]") is { } check)
                    {
                        checks.Add(check);
                    }
                }

                return checks.ToValueList();
            default:
                Report("checks", node, $"'checks' must be a list, not {node.Describe()}", CheckExamples);
                return [];
        }
    }

    private LabCheck? ReadCheck(DocumentNode node, string path)
    {
        if (node.Location is { } location)
        {
            Locations.TryAdd(path, location);
        }

        var problemsBefore = problems.Count;
        if (Mapping(node, path, "a check", CheckKeys) is not { } fields || problems.Count > problemsBefore)
        {
            // An unknown key is most often a misspelt verb: saying also that the check checks nothing would be noise.
            return null;
        }

        var verbs = PingVerbs.Concat(StateVerbs).Where(fields.ContainsKey).ToList();
        if (verbs.Count != 1)
        {
            Report(path, node, verbs.Count == 0
                    ? "the check says nothing to check"
                    : $"the check has {string.Join(" and ", verbs.Select(v => $"'{v}'"))}; one check checks one thing",
                (verbs.Count == 0 ? "" : "Write one check per line. ") + CheckExamples);
            return null;
        }

        var verb = verbs[0];
        var isPing = PingVerbs.Contains(verb);
        var (needed, refused) = isPing ? ("from", "interface") : ("interface", "from");
        if (fields.TryGetValue(refused, out var extra))
        {
            Report(Join(path, refused), extra, $"'{refused}' does not go with '{verb}'",
                isPing ? "A ping check names its source with `from:`" : "A state check names its interface with `interface: element/name`");
            return null;
        }

        if (verb != "kind" && fields.TryGetValue("mode", out var mode))
        {
            Report(Join(path, "mode"), mode, "'mode' goes only with 'kind' (a macvlan or macvtap mode)", "Write `{ interface: ns2/macvlan2, kind: macvlan, mode: vepa }`");
            return null;
        }

        if (!fields.TryGetValue(needed, out var subject))
        {
            Report(Join(path, needed), node, $"'{verb}' needs '{needed}'",
                isPing ? $"Write `{{ from: ns2, {verb}: 100.0.0.3 }}`" : $"Write `{{ interface: ns2/macvlan2, {verb}: ... }}`");
            return null;
        }

        return isPing ? ReadPing(path, verb, fields[verb], subject) : ReadState(path, verb, fields, subject);
    }

    private ReachabilityCheck? ReadPing(string path, string verb, DocumentNode target, DocumentNode source)
    {
        var from = ElementName(Join(path, "from"), source);
        var address = PingAddress(Join(path, verb), target);
        return from is null || address is null ? null : new ReachabilityCheck(from, address, verb == "reaches");
    }

    private InterfaceCheck? ReadState(string path, string verb, Dictionary<string, DocumentNode> fields, DocumentNode subject)
    {
        if (InterfacePath(Join(path, "interface"), subject) is not var (element, name))
        {
            return null;
        }

        var valuePath = Join(path, verb);
        var value = fields[verb];
        switch (verb)
        {
            case "exists":
                return Bool(valuePath, value) switch
                {
                    true => new InterfaceExistsCheck(element, name),
                    false => Refuse<InterfaceCheck>(valuePath, value, "'exists: false' is not a check NetLab grades", "Write `exists: true`, or leave the check out"),
                    null => null,
                };
            case "up":
                return Bool(valuePath, value) is { } up ? new InterfaceUpCheck(element, name, up) : null;
            case "kind":
                return Kind(path, value, fields.GetValueOrDefault("mode")) is var (kind, mode) ? new InterfaceKindCheck(element, name, kind, mode) : null;
            case "vlan":
                return VlanId(valuePath, value) is { } id ? new InterfaceVlanCheck(element, name, id) : null;
            default:
                var text = Scalar(value, valuePath, "an address with its prefix length");
                if (text is null)
                {
                    return null;
                }

                return InterfaceAddress.Problem(text) is { } problem
                    ? Refuse<InterfaceCheck>(valuePath, value, problem, "Write the address as `ip addr` shows it, e.g. `address: 100.0.0.2/24`")
                    : new InterfaceAddressCheck(element, name, InterfaceAddress.Parse(text));
        }
    }

    private (LinkKind Kind, MacvlanMode? Mode)? Kind(string path, DocumentNode kindNode, DocumentNode? modeNode)
    {
        var word = Scalar(kindNode, Join(path, "kind"), "one word");
        if (word is null)
        {
            return null;
        }

        if (!KindWords.Contains(word))
        {
            return Refuse<(LinkKind, MacvlanMode?)?>(Join(path, "kind"), kindNode, $"'{word}' is not an interface kind NetLab knows", $"Use one of: {string.Join(", ", KindWords)}");
        }

        var kind = LinkKindNames.FromKernelName(word)!.Value;
        if (modeNode is null || modeNode is ScalarNode { Kind: ScalarKind.Null })
        {
            return (kind, null);
        }

        if (kind is not (LinkKind.Macvlan or LinkKind.Macvtap))
        {
            return Refuse<(LinkKind, MacvlanMode?)?>(Join(path, "mode"), modeNode, $"a {word} has no mode", "'mode' goes with kind macvlan or macvtap; leave it out");
        }

        var modeWord = Scalar(modeNode, Join(path, "mode"), "one word");
        if (modeWord is null)
        {
            return null;
        }

        return ModeWords.Contains(modeWord)
            ? (kind, LinkKindNames.ParseMacvlanMode(modeWord))
            : Refuse<(LinkKind, MacvlanMode?)?>(Join(path, "mode"), modeNode, $"'{modeWord}' is not a macvlan mode", $"Use one of: {string.Join(", ", ModeWords)}");
    }

    private int? VlanId(string path, DocumentNode node)
    {
        var text = Scalar(node, path, "a vlan id");
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id is >= 1 and <= 4094
            ? id
            : Refuse<int?>(path, node, $"'{text}' is not a vlan id", "Write a whole number from 1 to 4094 (0 and 4095 are reserved by 802.1Q), e.g. `vlan: 888`");
    }

    private string? ElementName(string path, DocumentNode node)
    {
        var name = Scalar(node, path, "an element name");
        if (name is null)
        {
            return null;
        }

        return LabName.Problem(name) is { } problem
            ? Refuse<string>(path, node, $"the element name {problem}", "Name a host or namespace of the lab as its file does, e.g. `from: ns2`")
            : name;
    }

    /// <summary>The target of a ping: an address without prefix length, written as .NET writes it so a checks file reads back unchanged.</summary>
    private string? PingAddress(string path, DocumentNode node)
    {
        var text = Scalar(node, path, "an address");
        if (text is null)
        {
            return null;
        }

        if (text.Contains('/', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var address))
        {
            return Refuse<string>(path, node, $"'{text}' is not an IPv4 or IPv6 address",
                "Write the address a ping goes to without prefix length or zone, e.g. `reaches: 100.0.0.3`");
        }

        var canonical = address.ToString();
        return canonical == text
            ? text
            : Refuse<string>(path, node, $"'{text}' is written unusually", $"Write it as `{canonical}`");
    }

    private (string Element, string Name)? InterfacePath(string path, DocumentNode node)
    {
        var text = Scalar(node, path, "element/interface");
        if (text is null)
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Refuse<(string, string)?>(path, node, $"'{text}' does not say whose interface it is", $"Write it as element/interface, e.g. `interface: ns2/{text}`");
        }

        var (element, name) = (text[..slash], text[(slash + 1)..]);
        if (LabName.Problem(element) is { } elementProblem)
        {
            return Refuse<(string, string)?>(path, node, $"the element name {elementProblem}", "Write it as element/interface, e.g. `interface: ns2/macvlan2`");
        }

        return InterfaceName.LabProblem(name) is { } nameProblem
            ? Refuse<(string, string)?>(path, node, $"the interface name {nameProblem}", "Write it as element/interface, e.g. `interface: ns2/macvlan2`")
            : (element, name);
    }

    private bool? Bool(string path, DocumentNode node)
    {
        var text = Scalar(node, path, "true or false");
        return text?.ToLowerInvariant() switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => Refuse<bool?>(path, node, $"'{text}' is not true or false", "Write `true` or `false`"),
        };
    }

    /// <summary>The mapping's entries by key, after reporting unknown and repeated keys; null (after reporting) when the node is not a mapping.</summary>
    private Dictionary<string, DocumentNode>? Mapping(DocumentNode node, string path, string what, string[] allowed)
    {
        if (node is not MappingNode mapping)
        {
            Report(path, node, $"{what} must be a mapping of keys to values, not {node.Describe()}",
                path.Length == 0 ? "Start with `checks:` (docs/checks.md)" : CheckExamples);
            return null;
        }

        var fields = new Dictionary<string, DocumentNode>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            var name = key.Value ?? "";
            var keyPath = Join(path, name);
            if (key.Location is { } location)
            {
                Locations.TryAdd(keyPath, location);
            }

            if (!allowed.Contains(name))
            {
                Report(keyPath, key, $"unknown key '{name}' in {what}", $"Allowed keys: {string.Join(", ", allowed)}");
            }
            else if (value is ScalarNode { Kind: ScalarKind.Null })
            {
                // An empty value is no value, as in lab files (`mode:` with nothing after it).
            }
            else if (!fields.TryAdd(name, value))
            {
                Report(keyPath, key, $"'{name}' is given twice", "Keep one of them");
            }
        }

        return fields;
    }

    private string? Scalar(DocumentNode node, string path, string expected)
    {
        if (node is ScalarNode { Value: { } value })
        {
            return value;
        }

        var key = path[(path.LastIndexOf('.') + 1)..];
        return Refuse<string>(path, node, $"'{key}' must be {expected}, not {node.Describe()}", $"Write `{key}: ...` with a single value");
    }

    /// <summary>Reports and returns nothing, so a refusal reads as one return.</summary>
    private T? Refuse<T>(string path, DocumentNode node, string message, string hint)
    {
        Report(path, node, message, hint);
        return default;
    }

    private void Report(string path, DocumentNode node, string message, string hint) =>
        problems.Add(new Problem(path, message, hint) { Location = node.Location });

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
