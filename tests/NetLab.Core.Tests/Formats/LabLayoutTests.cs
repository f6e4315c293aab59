using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Planning;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Formats;

public sealed class LabLayoutTests
{
    private static Lab BridgeLabWithLayout() => ExampleLabs.Load("macvlan-bridge") with
    {
        Layout =
        [
            new ElementPosition("sw1", 40, 40),
            new ElementPosition("h1", 40.5, 220.25),
            new ElementPosition("ns2", 360, 0.1 + 0.2),
            new ElementPosition("ns3/macvlan3", -12.75, 1e6),
        ],
    };

    [Fact]
    public void A_layout_round_trips_through_yaml_without_loss() =>
        Assert.Equal(BridgeLabWithLayout(), LabFormat.LoadYaml(LabFormat.ToYaml(BridgeLabWithLayout())).Lab);

    [Fact]
    public void A_layout_round_trips_through_json_without_loss() =>
        Assert.Equal(BridgeLabWithLayout(), LabFormat.LoadJson(LabFormat.ToJson(BridgeLabWithLayout())).Lab);

    [Fact]
    public void The_layout_is_written_last_one_flow_mapping_per_element()
    {
        var yaml = LabFormat.ToYaml(BridgeLabWithLayout());

        Assert.EndsWith("layout:\n  sw1: {x: 40, y: 40}\n  h1: {x: 40.5, y: 220.25}\n  ns2: {x: 360, y: 0.30000000000000004}\n  ns3/macvlan3: {x: -12.75, y: 1000000}\n", yaml);
    }

    [Fact]
    public void A_lab_without_layout_writes_no_layout_key() =>
        Assert.DoesNotContain("layout", LabFormat.ToYaml(ExampleLabs.Load("macvlan-bridge")), StringComparison.Ordinal);

    [Fact]
    public void Validation_ignores_the_layout_even_for_elements_that_do_not_exist()
    {
        var lab = BridgeLabWithLayout().WithPosition("no-such-element", 1, 2);

        Assert.Empty(LabValidator.Validate(lab));
        Assert.True(LabFormat.LoadAndValidate(LabFormat.ToYaml(lab), LabFileFormat.Yaml).Succeeded);
    }

    [Fact]
    public void Planning_ignores_the_layout()
    {
        var withLayout = BridgeLabWithLayout();
        var without = withLayout with { Layout = [] };

        Assert.Equal(Planner.Plan(ObservedState.Empty, without), Planner.Plan(ObservedState.Empty, withLayout));
    }

    [Fact]
    public void A_position_that_is_not_a_number_is_a_file_problem_with_its_line()
    {
        var yaml = LabFormat.ToYaml(ExampleLabs.Load("macvlan-bridge")) + "layout:\n  ns2: { x: left, y: 3 }\n";

        var problem = Assert.Single(LabFormat.Load(yaml, LabFileFormat.Yaml).Problems);

        Assert.Equal("layout.ns2.x", problem.Path);
        Assert.Contains("must be a number", problem.Message, StringComparison.Ordinal);
        Assert.NotNull(problem.Location);
    }

    [Fact]
    public void An_unknown_key_in_a_position_is_reported_with_a_suggestion()
    {
        var yaml = LabFormat.ToYaml(ExampleLabs.Load("macvlan-bridge")) + "layout:\n  ns2: { x: 1, yy: 3 }\n";

        var problem = Assert.Single(LabFormat.Load(yaml, LabFileFormat.Yaml).Problems);

        Assert.Equal("layout.ns2.yy", problem.Path);
        Assert.Contains("Did you mean 'y'?", problem.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_an_element_replaces_its_position_in_place_and_a_new_one_goes_last()
    {
        var lab = BridgeLabWithLayout().WithPosition("h1", 7, 8).WithPosition("ns3", 9, 10);

        Assert.Equal(["sw1", "h1", "ns2", "ns3/macvlan3", "ns3"], lab.Layout.Select(p => p.Element));
        Assert.Equal(new ElementPosition("h1", 7, 8), lab.PositionOf("h1"));
        Assert.Equal(new ElementPosition("ns3", 9, 10), lab.PositionOf("ns3"));
    }

    [Fact]
    public void Forgetting_an_element_forgets_its_interfaces_positions_too()
    {
        var lab = BridgeLabWithLayout().WithPosition("ns3", 1, 1).WithoutPosition("ns3");

        Assert.Equal(["sw1", "h1", "ns2"], lab.Layout.Select(p => p.Element));
    }
}
