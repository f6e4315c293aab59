using System.Globalization;
using NetLab.Core.Formats;
using NetLab.Core.Links;

namespace NetLab.Core.Grading;

/// <summary>A <see cref="ChecksDocument"/> as a document tree: one check a line, as docs/checks.md writes them.</summary>
internal static class ChecksWriter
{
    public static MappingNode Write(ChecksDocument document)
    {
        var entries = new List<KeyValuePair<ScalarNode, DocumentNode>>();
        if (document.Lab is not null)
        {
            entries.Add(new(Key("lab"), Text(document.Lab)));
        }

        entries.Add(new(Key("checks"), new SequenceNode([.. document.Checks.Select(WriteCheck)])));
        return new MappingNode(entries);
    }

    private static MappingNode WriteCheck(LabCheck check)
    {
        var entries = check switch
        {
            ReachabilityCheck ping => [("from", Text(ping.From)), (ping.Reachable ? "reaches" : "doesNotReach", Text(ping.Address))],
            InterfaceExistsCheck exists => [Interface(exists), ("exists", Bool(true))],
            InterfaceUpCheck up => [Interface(up), ("up", Bool(up.Up))],
            InterfaceKindCheck kind => kind.Mode is { } mode
                ? [Interface(kind), ("kind", Text(kind.Kind.KernelName())), ("mode", Text(mode.Word()))]
                : [Interface(kind), ("kind", Text(kind.Kind.KernelName()))],
            InterfaceVlanCheck vlan => [Interface(vlan), ("vlan", new ScalarNode(vlan.VlanId.ToString(CultureInfo.InvariantCulture), ScalarKind.Number))],
            InterfaceAddressCheck address => [Interface(address), ("address", Text(address.Address.ToString()))],
            _ => new List<(string, ScalarNode)>(),
        };
        return new MappingNode([.. entries.Select(e => new KeyValuePair<ScalarNode, DocumentNode>(Key(e.Item1), e.Item2))]) { Flow = true };
    }

    private static (string, ScalarNode) Interface(InterfaceCheck check) => ("interface", Text(check.InterfacePath));

    private static ScalarNode Key(string key) => new(key, ScalarKind.Text);

    private static ScalarNode Text(string text) => new(text, ScalarKind.Text);

    private static ScalarNode Bool(bool value) => new(value ? "true" : "false", ScalarKind.Boolean);
}
