using System.Text.RegularExpressions;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Labs;

public sealed class LabRenamesTests
{
    /// <summary>
    /// A valid lab holding every kind of reference, written in both forms where a form can vary: bare names in the
    /// same namespace (eth0.10's parent, c and d's peers, the masters) and ELEMENT/NAME across namespaces, plus one
    /// qualified reference into its own namespace (tap2's parent).
    /// </summary>
    private const string EveryReference = """
        name: renames
        description: h1 and ns2 and eth0 are words here, which a rename leaves alone
        switches:
          sw1: { ports: { p1: {}, p2: { hairpin: true } } }
        hosts:
          h1:
            nics:
              eth0: { switch: sw1, port: p1 }
            interfaces:
              eth0.10: { kind: vlan, parent: eth0, id: 10, addresses: [10.10.0.1/24] }
          h2:
            nics:
              uplink: { switch: sw1, port: p2, addresses: [10.0.0.2/24] }
        namespaces:
          ns2:
            interfaces:
              macvlan2: { kind: macvlan, parent: h1/eth0, mode: bridge, addresses: [10.0.0.12/24] }
              tap2: { kind: macvtap, parent: ns2/macvlan2, mode: bridge }
              v20: { kind: vlan, parent: h1/eth0, id: 20 }
              a: { kind: veth, peer: ns3/b }
              br2: { kind: bridge }
              d2: { kind: dummy, master: br2 }
              vx0: { kind: vxlan, id: 42, parent: macvlan2, remote: 10.0.0.2 }
          ns3:
            interfaces:
              b: { kind: veth, peer: ns2/a, master: br3 }
              br3: { kind: bridge }
              c: { kind: veth, peer: d }
              d: { kind: veth, peer: c }
        layout:
          sw1: { x: 0, y: 0 }
          h1: { x: 0, y: 200 }
          ns2: { x: 300, y: 200 }
          ns2/macvlan2: { x: 310, y: 230 }
          sw1/p1: { x: 10, y: 30 }
          h1/eth0: { x: 10, y: 230 }
        """;

    private static Lab Load(string yaml)
    {
        var loaded = LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml);
        Assert.True(loaded.Succeeded, string.Join(Environment.NewLine, loaded.Problems));
        return loaded.Lab!;
    }

    private static Lab Renamed(RenameOutcome outcome)
    {
        Assert.True(outcome.Succeeded, outcome.Refusal);
        return outcome.Lab!;
    }

    private static void AssertValid(Lab lab)
    {
        var problems = LabValidator.Validate(lab);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems) + Environment.NewLine + LabFormat.ToYaml(lab));

        // The renamed lab also survives the file format: what the editor writes reads back the same and valid.
        Assert.Equal(lab, Load(LabFormat.ToYaml(lab)));
    }

    private static List<(LabReferenceKind Kind, string Element, string? Interface)> Targets(Lab lab) =>
        [.. LabRenames.References(lab).Select(r => (r.Kind, r.Element, r.Interface))];

    /// <summary>The YAML as words (names are never parts of other words: eth0 is not in eth0.10), without the free-text description.</summary>
    private static bool Mentions(Lab lab, string name) =>
        Regex.IsMatch(LabFormat.ToYaml(lab with { Description = null }), $@"(?<![\w.\-]){Regex.Escape(name)}(?![\w.\-])");

    [Fact]
    public void The_reference_kinds_are_exactly_these_and_the_test_lab_has_every_one()
    {
        // Read off LabValidator (CheckSwitches, CheckParent, CheckPeer, CheckMaster) and the layout section; a new kind
        // of reference must be added here, to LabRenames.References, and to both renames.
        Assert.Equal(
            [LabReferenceKind.NicSwitch, LabReferenceKind.NicPort, LabReferenceKind.Parent, LabReferenceKind.Underlay, LabReferenceKind.Peer,
             LabReferenceKind.Master, LabReferenceKind.LayoutElement, LabReferenceKind.LayoutInterface],
            Enum.GetValues<LabReferenceKind>());
        Assert.Equal(Enum.GetValues<LabReferenceKind>().Order(), Targets(Load(EveryReference)).Select(t => t.Kind).Distinct().Order());
    }

    [Theory]
    [InlineData("sw1", "core-switch", new[] { LabReferenceKind.NicSwitch, LabReferenceKind.NicPort, LabReferenceKind.LayoutElement, LabReferenceKind.LayoutInterface })]
    [InlineData("h1", "server", new[] { LabReferenceKind.Parent, LabReferenceKind.LayoutElement, LabReferenceKind.LayoutInterface })]
    [InlineData("ns2", "red", new[] { LabReferenceKind.Parent, LabReferenceKind.Underlay, LabReferenceKind.Peer, LabReferenceKind.Master, LabReferenceKind.LayoutElement, LabReferenceKind.LayoutInterface })]
    [InlineData("ns3", "blue", new[] { LabReferenceKind.Peer, LabReferenceKind.Master })]
    public void Renaming_an_element_carries_every_reference_to_it(string element, string newName, LabReferenceKind[] kindsNamingIt)
    {
        var lab = Load(EveryReference);

        var renamed = Renamed(LabRenames.RenameElement(lab, element, newName));

        AssertValid(renamed);
        var expected = Targets(lab).Select(t => t.Element == element ? t with { Element = newName } : t).ToList();
        Assert.Equal(expected, Targets(renamed));
        Assert.Equal(kindsNamingIt.Order(), Targets(lab).Where(t => t.Element == element).Select(t => t.Kind).Distinct().Order());
        Assert.False(Mentions(renamed, element), $"{element} is still in the lab:{Environment.NewLine}{LabFormat.ToYaml(renamed)}");
        Assert.True(Mentions(renamed, newName));
        Assert.Equal(lab.Description, renamed.Description);
    }

    [Theory]
    [InlineData("h1", "eth0", "wan0", new[] { LabReferenceKind.Parent, LabReferenceKind.LayoutInterface })]
    [InlineData("h2", "uplink", "eth7", new[] { LabReferenceKind.Underlay })]
    [InlineData("sw1", "p1", "port1", new[] { LabReferenceKind.NicPort, LabReferenceKind.LayoutInterface })]
    [InlineData("ns2", "macvlan2", "mv2", new[] { LabReferenceKind.Parent, LabReferenceKind.Underlay, LabReferenceKind.LayoutInterface })]
    [InlineData("ns2", "br2", "bridge2", new[] { LabReferenceKind.Master })]
    [InlineData("ns3", "b", "b-end", new[] { LabReferenceKind.Peer })]
    [InlineData("ns3", "br3", "bridge3", new[] { LabReferenceKind.Master })]
    [InlineData("ns3", "c", "c-end", new[] { LabReferenceKind.Peer })]
    public void Renaming_an_interface_nic_or_port_carries_every_reference_to_it(string element, string name, string newName, LabReferenceKind[] kindsNamingIt)
    {
        var yaml = name == "uplink"
            ? EveryReference.Replace("vx0: { kind: vxlan, id: 42, parent: macvlan2", "vx0: { kind: vxlan, id: 42, parent: h2/uplink", StringComparison.Ordinal)
            : EveryReference;
        var lab = Load(yaml);

        var renamed = Renamed(LabRenames.RenameInterface(lab, element, name, newName));

        AssertValid(renamed);
        var expected = Targets(lab).Select(t => t.Element == element && t.Interface == name ? t with { Interface = newName } : t).ToList();
        Assert.Equal(expected, Targets(renamed));
        Assert.Equal(kindsNamingIt.Order(), Targets(lab).Where(t => t.Element == element && t.Interface == name).Select(t => t.Kind).Distinct().Order());
        Assert.DoesNotContain(Targets(renamed), t => t.Element == element && t.Interface == name);
        Assert.False(Mentions(renamed, name), $"{name} is still in the lab:{Environment.NewLine}{LabFormat.ToYaml(renamed)}");
    }

    [Fact]
    public void A_reference_keeps_the_form_it_was_written_in()
    {
        var lab = Load(EveryReference);

        var nicRenamed = Renamed(LabRenames.RenameInterface(lab, "h1", "eth0", "wan0"));
        var macvlanRenamed = Renamed(LabRenames.RenameInterface(lab, "ns2", "macvlan2", "mv2"));
        var namespaceRenamed = Renamed(LabRenames.RenameElement(lab, "ns2", "red"));

        Assert.Equal("wan0", nicRenamed.FindNamespace("h1")!.Interfaces.Single(i => i.Name == "eth0.10").Parent);
        Assert.Equal("h1/wan0", nicRenamed.FindNamespace("ns2")!.Interfaces.Single(i => i.Name == "macvlan2").Parent);
        Assert.Equal("ns2/mv2", macvlanRenamed.FindNamespace("ns2")!.Interfaces.Single(i => i.Name == "tap2").Parent);
        Assert.Equal("mv2", macvlanRenamed.FindNamespace("ns2")!.Interfaces.Single(i => i.Name == "vx0").Parent);
        Assert.Equal("red/macvlan2", namespaceRenamed.FindNamespace("red")!.Interfaces.Single(i => i.Name == "tap2").Parent);
        Assert.Equal("macvlan2", namespaceRenamed.FindNamespace("red")!.Interfaces.Single(i => i.Name == "vx0").Parent);
        Assert.Equal(new ElementPosition("red/macvlan2", 310, 230), namespaceRenamed.PositionOf("red/macvlan2"));
        Assert.Equal(new ElementPosition("red", 300, 200), namespaceRenamed.PositionOf("red"));
        Assert.Equal(lab.Layout.Select(p => (p.X, p.Y)), namespaceRenamed.Layout.Select(p => (p.X, p.Y)));
    }

    [Fact]
    public void Both_ends_of_a_veth_pair_follow_when_one_is_renamed()
    {
        var lab = Load(EveryReference);

        var renamed = Renamed(LabRenames.RenameInterface(lab, "ns2", "a", "a-end"));

        var a = Assert.IsType<VethInterface>(renamed.FindNamespace("ns2")!.Interfaces.Single(i => i.Name == "a-end"));
        var b = Assert.IsType<VethInterface>(renamed.FindNamespace("ns3")!.Interfaces.Single(i => i.Name == "b"));
        Assert.Equal(("ns3/b", "ns2/a-end"), (a.Peer, b.Peer));
    }

    [Theory]
    [InlineData("ns2", null, "ns3", "the name 'ns3' is already used by namespaces.ns3")]
    [InlineData("h1", null, "sw1", "the name 'sw1' is already used by switches.sw1")]
    [InlineData("ns2", null, "bad name", "'bad name' contains ' '; only letters, digits, '-' and '_' are allowed")]
    [InlineData("ns2", null, "", "a name is required")]
    [InlineData("ns2", null, "a-name-much-longer-than-thirty-two-characters", "at most 32 are allowed")]
    [InlineData("nowhere", null, "x", "'nowhere' is not a switch, host or namespace of this lab")]
    [InlineData("ns2", "a", "br2", "ns2 already has an interface named 'br2'")]
    [InlineData("h1", "eth0", "eth0.10", "h1 already has an interface named 'eth0.10'")]
    [InlineData("ns2", "a", "lo", "'lo' is the loopback device every namespace already has")]
    [InlineData("ns2", "a", "ns3/b", "contains '/', which Linux forbids in interface names")]
    [InlineData("ns2", "a", "$(reboot)", "'$(reboot)' starts with '$'; an interface name must start with a letter or digit")]
    [InlineData("ns2", "a", "a;reboot", "contains ';', which a shell or iproute2 would not take as part of a name")]
    [InlineData("ns2", "a", "sixteen-bytes-xx", "Linux allows at most 15")]
    [InlineData("ns2", "nothing", "x", "'ns2/nothing' is not an interface of this lab")]
    [InlineData("sw1", "p1", "p2", "switch sw1 already has a port named 'p2'")]
    [InlineData("sw1", "p1", "br0", "'br0' is taken inside every switch")]
    [InlineData("ns2", "macvlan2", "eth0.10", "eth0.10 would be made in h1 (beside its parent) and then moved to ns2, but h1 already has an interface named eth0.10")]
    [InlineData("h1", "eth0.10", "v20", "ns2/v20 is made in h1 (beside its parent) and then moved, so h1 cannot also have an interface named v20")]
    public void A_taken_or_invalid_name_is_refused_with_the_reason_and_nothing_changes(string element, string? name, string newName, string reason)
    {
        var lab = Load(EveryReference);
        var yamlBefore = LabFormat.ToYaml(lab);

        var outcome = name is null ? LabRenames.RenameElement(lab, element, newName) : LabRenames.RenameInterface(lab, element, name, newName);

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.Lab);
        Assert.Contains(reason, outcome.Refusal, StringComparison.Ordinal);
        Assert.Equal(yamlBefore, LabFormat.ToYaml(lab));
    }

    [Fact]
    public void Renaming_to_the_same_name_returns_the_lab_unchanged()
    {
        var lab = Load(EveryReference);

        Assert.Same(lab, LabRenames.RenameElement(lab, "ns2", "ns2").Lab);
        Assert.Same(lab, LabRenames.RenameInterface(lab, "sw1", "p1", "p1").Lab);
        Assert.Same(lab, LabRenames.RenameInterface(lab, "ns2", "a", "a").Lab);
    }

    public static TheoryData<string> ExampleLabFiles() =>
        [.. Directory.GetFiles(RepositoryFiles.LabsFolder, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).OfType<string>()];

    /// <summary>
    /// Every switch, host, namespace, port, NIC and interface of each example lab renamed in turn, to a random name
    /// that is free, with the renames piling up: after each one the lab is valid and its references point where they
    /// pointed before, under the new name.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExampleLabFiles))]
    public void Renaming_every_element_of_an_example_lab_in_turn_keeps_it_valid_and_its_references_in_place(string file)
    {
        // string.GetHashCode differs between runs; a failure must be repeatable.
        var random = new Random(unchecked(file.Aggregate(20261128, (hash, c) => (hash * 31) + c)));
        var lab = ExampleLabs.Load(file);
        var ids = lab.Switches.SelectMany(s => s.Ports.Select(p => (s.Name, (string?)p.Name)).Prepend((s.Name, null)))
            .Concat(lab.InterfaceNamespaces.SelectMany(n => n.InterfaceNames.Select(i => (n.Name, (string?)i)).Prepend((n.Name, null))))
            .ToList();
        var renamedElements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (originalElement, name) in ids)
        {
            var element = renamedElements.GetValueOrDefault(originalElement, originalElement);
            var newName = FreeName(lab, random);
            var before = Targets(lab);

            var renamed = Renamed(name is null
                ? LabRenames.RenameElement(lab, element, newName)
                : LabRenames.RenameInterface(lab, element, name, newName));

            AssertValid(renamed);
            var expected = name is null
                ? before.Select(t => t.Element == element ? t with { Element = newName } : t)
                : before.Select(t => t.Element == element && t.Interface == name ? t with { Interface = newName } : t);
            Assert.Equal(expected, Targets(renamed));
            if (name is null)
            {
                renamedElements[originalElement] = newName;
            }

            lab = renamed;
        }

        Assert.DoesNotContain(ids, id => Mentions(lab, id.Item2 ?? id.Item1));
    }

    /// <summary>Random letters and digits, short enough for both rules, used nowhere in the lab yet.</summary>
    private static string FreeName(Lab lab, Random random)
    {
        while (true)
        {
            var name = "r" + new string([.. Enumerable.Range(0, random.Next(2, 10)).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789-_"[random.Next(38)])]);
            if (!Mentions(lab, name))
            {
                return name;
            }
        }
    }

    [Fact]
    public void An_element_name_whose_kernel_namespace_would_be_too_long_is_refused()
    {
        var lab = Load(EveryReference) with { Name = new string('l', 32) };

        var outcome = LabRenames.RenameElement(lab, "ns2", new string('n', 32));

        Assert.Null(outcome.Lab);
        Assert.Contains("is 68 bytes long; NetLab allows at most 64. Shorten the lab name (32 bytes) or this name (32 bytes) by 4 bytes in all", outcome.Refusal, StringComparison.Ordinal);
        Assert.True(LabRenames.RenameElement(lab, "ns2", new string('n', 28)).Succeeded);
    }
}
