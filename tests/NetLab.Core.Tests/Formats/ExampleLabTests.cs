using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Formats;

public sealed class ExampleLabTests
{
    public static TheoryData<string> ExampleLabNames() => new(RepositoryFiles.ExampleLabs().Select(Path.GetFileName)!);

    private static LoadResult LoadExample(string fileName) =>
        LabFormat.LoadAndValidate(File.ReadAllText(Path.Combine(RepositoryFiles.LabsFolder, fileName)), LabFileFormat.Yaml);

    [Theory]
    [MemberData(nameof(ExampleLabNames))]
    public void Every_example_lab_loads_and_is_valid(string fileName)
    {
        var result = LoadExample(fileName);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Problems));
    }

    [Theory]
    [MemberData(nameof(ExampleLabNames))]
    public void Every_example_lab_survives_a_round_trip_through_yaml_and_json(string fileName)
    {
        var lab = LoadExample(fileName).Lab!;

        Assert.Equal(lab, LabFormat.LoadYaml(LabFormat.ToYaml(lab)).Lab);
        Assert.Equal(lab, LabFormat.LoadJson(LabFormat.ToJson(lab)).Lab);
    }

    [Fact]
    public void The_seed_experiments_are_all_there()
    {
        var names = RepositoryFiles.ExampleLabs().Select(Path.GetFileNameWithoutExtension).ToList();

        Assert.Subset(names.ToHashSet(), new HashSet<string?>
        {
            "vlan-888", "macvlan-bridge", "macvlan-vepa", "macvlan-vepa-hairpin", "macvlan-private", "macvlan-passthru", "macvtap",
        });
    }

    [Fact]
    public void The_macvlan_bridge_example_reads_as_the_seed_describes_it()
    {
        var lab = LoadExample("macvlan-bridge.yaml").Lab!;

        var ns2 = Assert.Single(lab.Namespaces, n => n.Name == "ns2");
        Assert.False(ns2.LoopbackUp);
        var macvlan2 = Assert.IsType<MacvlanInterface>(Assert.Single(ns2.Interfaces));
        Assert.Equal("h1/eth0", macvlan2.ParentName);
        Assert.Equal(MacvlanMode.Bridge, macvlan2.Mode);
        Assert.Equal(["100.0.0.2/24"], macvlan2.Addresses);
        Assert.True(macvlan2.Up);
    }

    [Fact]
    public void The_passthru_example_with_a_second_child_is_reported_invalid()
    {
        var result = LabFormat.LoadAndValidate(
            File.ReadAllText(Path.Combine(RepositoryFiles.LabsFolder, "invalid", "macvlan-passthru-two-children.yaml")), LabFileFormat.Yaml);

        var problem = Assert.Single(result.Problems);
        Assert.Null(result.Lab);
        Assert.Equal("namespaces.ns3.interfaces.macvlan3.parent", problem.Path);
        Assert.Contains("passthru allows exactly one child", problem.Message, StringComparison.Ordinal);
        Assert.NotNull(problem.Location);
    }
}
