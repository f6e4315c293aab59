using NetLab.Core.Formats;
using NetLab.Core.Labs;

namespace NetLab.Core.Tests.Formats;

public sealed class YamlCommentsTests
{
    public static TheoryData<string> ExampleLabNames() => new(RepositoryFiles.ExampleLabs().Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(ExampleLabNames))]
    public void An_example_lab_written_anew_keeps_every_comment_in_order_and_its_meaning(string fileName)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFiles.LabsFolder, fileName));
        var lab = LabFormat.LoadYaml(text).Lab!;

        var carried = YamlComments.Carry(text, LabFormat.ToYaml(lab));

        Assert.Equal(CommentsOf(text), CommentsOf(carried));
        Assert.Equal(lab, LabFormat.LoadYaml(carried).Lab);
    }

    private const string Commented = """
        # header: the bridge lab
        name: demo
        namespaces:
          # ns2 holds the first child
          ns2:
            interfaces:
              macvlan2: { kind: macvlan, parent: h1/eth0, mode: bridge }  # the seed's macvlan2
          # ns3 goes away in the edit
          ns3:
            interfaces:
              macvlan3: { kind: macvlan, parent: h1/eth0, mode: bridge }
        hosts:
          h1:
            nics:
              eth0: { switch: sw1, port: p1 }
        switches:
          sw1:
            ports:
              p1: {}
        # footer
        """;

    [Fact]
    public void Comments_follow_their_keys_into_the_new_text_and_go_with_a_removed_key()
    {
        var lab = LabFormat.LoadYaml(Commented).Lab!;
        var edited = lab with { Namespaces = lab.Namespaces.Where(n => n.Name != "ns3") };

        var carried = YamlComments.Carry(Commented, LabFormat.ToYaml(edited));

        var lines = carried.TrimEnd('\n').Split('\n');
        Assert.Equal("# header: the bridge lab", lines[0]);
        Assert.Equal("# footer", lines[^1]);
        var ns2 = Array.FindIndex(lines, l => l.TrimEnd() == "  ns2:");
        Assert.Equal("  # ns2 holds the first child", lines[ns2 - 1]);
        Assert.Contains(lines, l => l.Contains("macvlan2", StringComparison.Ordinal) && l.EndsWith("# the seed's macvlan2", StringComparison.Ordinal));
        Assert.DoesNotContain("ns3 goes away", carried, StringComparison.Ordinal);
        Assert.Equal(edited, LabFormat.LoadYaml(carried).Lab);
    }

    [Fact]
    public void Comments_on_a_renamed_element_or_interface_follow_it_to_its_new_name()
    {
        var lab = LabFormat.LoadYaml(Commented).Lab!;
        var element = LabRenames.RenameElement(lab, "ns2", "left").Lab!;
        var row = LabRenames.RenameInterface(lab, "ns2", "macvlan2", "mv2").Lab!;

        var afterElement = YamlComments.Carry(Commented, LabFormat.ToYaml(element), YamlComments.Renamed("ns2", null, "left"));
        var afterRow = YamlComments.Carry(Commented, LabFormat.ToYaml(row), YamlComments.Renamed("ns2", "macvlan2", "mv2"));

        Assert.Equal(CommentsOf(Commented), CommentsOf(afterElement));
        Assert.Contains("  # ns2 holds the first child\n  left:", afterElement, StringComparison.Ordinal);
        Assert.Equal(CommentsOf(Commented), CommentsOf(afterRow));
        Assert.Contains(afterRow.Split('\n'), l => l.TrimStart().StartsWith("mv2:", StringComparison.Ordinal) && l.EndsWith("# the seed's macvlan2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hash_inside_a_quoted_value_is_no_comment_and_text_without_comments_is_left_as_written()
    {
        const string quoted = "name: demo\ndescription: \"vlan #888 across a switch\"\n";
        var lab = LabFormat.LoadYaml(quoted).Lab!;
        var rewritten = LabFormat.ToYaml(lab);

        Assert.Equal(rewritten, YamlComments.Carry(quoted, rewritten));
        Assert.Equal("vlan #888 across a switch", LabFormat.LoadYaml(YamlComments.Carry(quoted, rewritten)).Lab!.Description);
    }

    [Fact]
    public void A_long_line_that_is_no_key_is_passed_in_linear_time()
    {
        // A folded description line as long as a lab file may be, with no colon: a backtracking key pattern tried it
        // from every position (12 s here before the pattern became NonBacktracking, on the web's circuit).
        var text = "name: demo\ndescription: >\n  a" + new string(' ', LabFormat.MaxDocumentBytes - 40) + "#\n# kept\n";
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var carried = YamlComments.Carry(text, "name: demo\n");

        Assert.EndsWith("# kept\n", carried, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    private static List<string> CommentsOf(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('#')).ToList();
}
