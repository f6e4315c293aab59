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

    /// <summary>Every kernel namespace name of every shipped lab, as the planner names them.</summary>
    private static HashSet<string> RealNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            var lab = LabFormat.LoadAndValidate(File.ReadAllText(file), LabFileFormat.Yaml).Lab!;
            foreach (var element in lab.Switches.Select(s => s.Name).Concat(lab.InterfaceNamespaces.Select(n => n.Name)))
            {
                names.Add(NamingScheme.Default.Namespace(lab.Name, element));
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
        Assert.Empty(quoted.Where(q => !real.Contains(q.Name)).Select(q => $"{q.File}: {q.Name}"));
    }

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
