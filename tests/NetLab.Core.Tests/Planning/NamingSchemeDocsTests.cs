using System.Text.RegularExpressions;
using NetLab.Core.Formats;
using NetLab.Core.Planning;

namespace NetLab.Core.Tests.Planning;

/// <summary>
/// The docs and guides quote kernel namespace names as examples a reader types (<c>ip netns exec nl-macvlan-bridge.ns2 ...</c>);
/// each must be the name <see cref="NamingScheme"/> gives an element of a shipped lab, or the reader's command fails.
/// </summary>
public sealed partial class NamingSchemeDocsTests
{
    /// <summary>
    /// A kernel-name-like token: "nl-" and name characters, dots included. A trailing '*' marks a prefix pattern (the
    /// test suites' <c>nl-nltest*</c>), which names no element and is left out.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.-])nl-[A-Za-z0-9_.-]*[A-Za-z0-9_](?![\w*])")]
    private static partial Regex KernelName();

    /// <summary>The documented placeholder form itself, <c>nl-LAB.ELEMENT</c>.</summary>
    private const string Placeholder = "nl-LAB.ELEMENT";

    private static IEnumerable<string> DocumentFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(RepositoryFiles.LabsFolder, "*.md"))
            .Order(StringComparer.Ordinal);

    /// <summary>Stands in for a lab's id in a kernel lab name, then becomes the pattern of one.</summary>
    private const string IdPlaceholder = "IDIDID";

    /// <summary>
    /// Every kernel namespace name of every shipped lab, as the planner names them: under the lab's own name (the CLI's
    /// <c>netlab apply</c>), or under the web's kernel name for it (the name cut to 16 characters, '-' and a per-lab id
    /// of at least five hex digits, see LabStore), as patterns.
    /// </summary>
    private static List<Regex> RealNames()
    {
        var names = new List<Regex>();
        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            var lab = LabFormat.LoadAndValidate(File.ReadAllText(file), LabFileFormat.Yaml).Lab!;
            var webName = NamingScheme.KernelLabStem(lab.Name) + IdPlaceholder;
            foreach (var element in lab.Switches.Select(s => s.Name).Concat(lab.InterfaceNamespaces.Select(n => n.Name)))
            {
                names.Add(new Regex("^" + Regex.Escape(NamingScheme.Default.Namespace(lab.Name, element)) + "$"));
                names.Add(new Regex("^" + Regex.Escape(NamingScheme.Default.Namespace(webName, element)).Replace(IdPlaceholder, "[0-9a-f]{5,}", StringComparison.Ordinal) + "$"));
            }
        }

        return names;
    }

    [Fact]
    public void Every_kernel_name_quoted_in_the_docs_and_guides_is_one_the_planner_gives_a_shipped_lab()
    {
        var real = RealNames();
        var quoted = DocumentFiles()
            .SelectMany(file => KernelName().Matches(File.ReadAllText(file))
                .Select(m => (File: Path.GetRelativePath(RepositoryFiles.Root, file), Name: m.Value)))
            .Where(q => q.Name != Placeholder)
            .ToList();

        Assert.NotEmpty(quoted);
        Assert.Empty(quoted.Where(q => !real.Any(name => name.IsMatch(q.Name))).Select(q => $"{q.File}: {q.Name}"));
    }

    [Theory]
    [InlineData("nl-macvlan-bridge.ns2")]
    [InlineData("nl-macvlan-bridge-3f2a1.ns2")]
    [InlineData("nl-macvlan-private-0c41a7.sw1")]
    public void A_shipped_lab_s_element_is_a_real_name_under_the_lab_s_name_or_the_web_s_kernel_name(string name) =>
        Assert.Contains(RealNames(), real => real.IsMatch(name));

    [Theory]
    [InlineData("nl-macvlan-bridge-3f2a.ns2")] // an id of four digits: too short
    [InlineData("nl-macvlan-bridge-3F2A1.ns2")] // the id is lower-case hex
    [InlineData("nl-macvlan-bridge-3f2a1.ns9")] // no such element
    [InlineData("nl-macvlan-bridge-ns2")] // the old, wrong separator
    public void A_name_no_shipped_lab_gives_is_not_real(string name) =>
        Assert.DoesNotContain(RealNames(), real => real.IsMatch(name));

    [Theory]
    [InlineData("see `nl-macvlan-bridge-ns2` here", "nl-macvlan-bridge-ns2")]
    [InlineData("\"kernelName\":\"nl-macvlan-bridge.ns2\",", "nl-macvlan-bridge.ns2")]
    [InlineData("ip netns exec nl-vlan-888.h1 ip a", "nl-vlan-888.h1")]
    [InlineData("ends a sentence with nl-macvtap.ns2.", "nl-macvtap.ns2")]
    public void The_scan_finds_a_kernel_name_however_it_is_quoted(string text, string name) =>
        Assert.Equal(name, Assert.Single(KernelName().Matches(text)).Value);

    [Theory]
    [InlineData("the suites' `nltest-*`, `nl-nltest*` namespaces")]
    [InlineData("a word like snl-x.y or some-nl-a.b")]
    public void The_scan_leaves_prefix_patterns_and_other_words_alone(string text) =>
        Assert.Empty(KernelName().Matches(text));
}
