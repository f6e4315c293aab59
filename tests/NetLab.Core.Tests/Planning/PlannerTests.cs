using System.Net;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Planning;

public sealed class PlannerTests
{
    private static readonly NamingScheme Naming = NamingScheme.Default;

    private static ObservedState Applied(Lab lab) => Planner.Simulate(ObservedState.Empty, Planner.Plan(ObservedState.Empty, lab));

    private static Lab MacvlanBridge => ExampleLabs.Load("macvlan-bridge");

    private static Lab ChangeNs2Interface(Lab lab, Func<InterfaceDefinition, InterfaceDefinition> change) => lab with
    {
        Namespaces = lab.Namespaces.Select(n => n.Name == "ns2" ? n with { Interfaces = n.Interfaces.Select(change).ToValueList() } : n).ToValueList(),
    };

    [Theory]
    [InlineData("vlan-888")]
    [InlineData("macvlan-bridge")]
    [InlineData("macvlan-vepa")]
    [InlineData("macvlan-vepa-hairpin")]
    [InlineData("macvlan-private")]
    [InlineData("macvlan-passthru")]
    [InlineData("macvtap")]
    [InlineData("bridge-vxlan")]
    public void Applying_an_example_lab_twice_gives_an_empty_second_plan(string name)
    {
        var lab = ExampleLabs.Load(name);

        Assert.True(Planner.Plan(Applied(lab), lab).IsEmpty);
    }

    [Fact]
    public void Namespaces_come_first_and_parents_before_children()
    {
        var operations = Planner.Plan(ObservedState.Empty, MacvlanBridge).Operations;

        var lastNamespace = operations.Select((o, i) => (o, i)).Last(x => x.o is CreateNamespace).i;
        var firstLink = operations.Select((o, i) => (o, i)).First(x => x.o is CreateLink).i;
        Assert.True(lastNamespace < firstLink);
        var nic = operations.Select((o, i) => (o, i)).First(x => x.o is CreateLink { Spec.Peer.Name: "eth0" }).i;
        var child = operations.Select((o, i) => (o, i)).First(x => x.o is CreateLink { Name: "macvlan2" }).i;
        Assert.True(nic < child);
    }

    [Fact]
    public void A_child_is_made_beside_its_parent_then_moved_then_addressed_then_brought_up()
    {
        var operations = Planner.Plan(ObservedState.Empty, MacvlanBridge).Operations.Where(o => o.Source == "namespaces.ns2.interfaces.macvlan2").ToList();

        Assert.Collection(operations,
            o => Assert.Equal(new CreateLink("nl-macvlan-bridge.h1", "macvlan2", new LinkSpec
            {
                Kind = LinkKind.Macvlan,
                Parent = new LinkReference("nl-macvlan-bridge.h1", "eth0"),
                MacvlanMode = MacvlanMode.Bridge,
            }) { Source = o.Source }, o),
            o => Assert.Equal(new MoveLink("nl-macvlan-bridge.h1", "macvlan2", "nl-macvlan-bridge.ns2") { Source = o.Source }, o),
            o => Assert.Equal(new AddAddress("nl-macvlan-bridge.ns2", "macvlan2", InterfaceAddress.Parse("100.0.0.2/24")) { Source = o.Source }, o),
            o => Assert.Equal(new SetLinkUp("nl-macvlan-bridge.ns2", "macvlan2") { Source = o.Source }, o));
    }

    [Fact]
    public void A_mode_change_recreates_only_that_link_and_its_addresses()
    {
        var before = Applied(MacvlanBridge);
        var changed = ChangeNs2Interface(MacvlanBridge, i => ((MacvlanInterface)i) with { Mode = MacvlanMode.Vepa });

        var operations = Planner.Plan(before, changed).Operations;

        Assert.Equal(["DeleteLink", "CreateLink", "MoveLink", "AddAddress", "SetLinkUp"], operations.Select(o => o.GetType().Name));
        Assert.All(operations, o => Assert.Contains("macvlan2", o.Source, StringComparison.Ordinal));
    }

    [Fact]
    public void An_address_change_is_address_operations_only()
    {
        var before = Applied(MacvlanBridge);
        var changed = ChangeNs2Interface(MacvlanBridge, i => i with { Addresses = ["100.0.0.22/24"] });

        var operations = Planner.Plan(before, changed).Operations;

        Assert.Equal(
            [
                new DeleteAddress("nl-macvlan-bridge.ns2", "macvlan2", InterfaceAddress.Parse("100.0.0.2/24")) { Source = "namespaces.ns2.interfaces.macvlan2" },
                new AddAddress("nl-macvlan-bridge.ns2", "macvlan2", InterfaceAddress.Parse("100.0.0.22/24")) { Source = "namespaces.ns2.interfaces.macvlan2" },
            ],
            operations);
    }

    [Fact]
    public void Bringing_lo_up_is_one_operation()
    {
        var before = Applied(MacvlanBridge);
        var changed = MacvlanBridge with { Namespaces = MacvlanBridge.Namespaces.Select(n => n with { LoopbackUp = n.Name == "ns2" }).ToValueList() };

        Assert.Equal([new SetLoopback("nl-macvlan-bridge.ns2", true) { Source = "namespaces.ns2.loopback" }], Planner.Plan(before, changed).Operations);
    }

    [Fact]
    public void Turning_hairpin_on_is_one_operation()
    {
        var vepa = ExampleLabs.Load("macvlan-vepa");
        var hairpin = vepa with { Switches = vepa.Switches.Select(s => s with { Ports = s.Ports.Select(p => p with { Hairpin = true }).ToValueList() }).ToValueList() };

        Assert.Equal([new SetHairpin("nl-macvlan-vepa.sw1", "p1", true) { Source = "switches.sw1.ports.p1" }], Planner.Plan(Applied(vepa), hairpin).Operations);
    }

    [Fact]
    public void A_removed_namespace_is_deleted_and_nothing_else_changes()
    {
        var before = Applied(MacvlanBridge);
        var smaller = MacvlanBridge with { Namespaces = MacvlanBridge.Namespaces.Where(n => n.Name != "ns3") };

        Assert.Equal([new DeleteNamespace("nl-macvlan-bridge.ns3") { Source = "ns3" }], Planner.Plan(before, smaller).Operations);
    }

    [Fact]
    public void Recreating_a_parent_deletes_children_first_and_makes_them_again()
    {
        var before = Applied(MacvlanBridge);
        // The NIC moves to another switch port: its veth is a different link, and the kernel would take the children with it.
        var moved = MacvlanBridge with
        {
            Switches = [MacvlanBridge.Switches[0] with { Ports = [new SwitchPort { Name = "p2" }] }],
            Hosts = [MacvlanBridge.Hosts[0] with { Nics = [MacvlanBridge.Hosts[0].Nics[0] with { Port = "p2" }] }],
        };

        var plan = Planner.Plan(before, moved);
        var deletions = plan.Operations.OfType<DeleteLink>().Select(d => d.Name).ToList();

        Assert.Equal(["macvlan2", "macvlan3", "eth0"], deletions);
        Assert.Contains(plan.Operations, o => o is CreateLink { Name: "macvlan2" });
        Assert.True(Planner.Plan(Planner.Simulate(before, plan), moved).IsEmpty);
    }

    [Fact]
    public void Removal_deletes_every_namespace_of_the_lab_and_nothing_of_others()
    {
        var other = new ObservedNamespace("nl-other.ns2") { Links = [new ObservedLink("lo", LinkSpec.Loopback)] };
        var before = Applied(MacvlanBridge) with { };
        before = before with { Namespaces = before.Namespaces.Add(other).Add(new ObservedNamespace("nl-macvlan-bridge-2.ns2")) };

        var plan = Planner.PlanRemoval(before, "macvlan-bridge");

        Assert.All(plan.Operations, o => Assert.IsType<DeleteNamespace>(o));
        Assert.Equal(["nl-macvlan-bridge-2.ns2", "nl-other.ns2"], Planner.Simulate(before, plan).Namespaces.Select(n => n.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Links_the_lab_does_not_know_in_its_namespaces_are_removed()
    {
        var before = Applied(MacvlanBridge);
        var ns2 = before.Namespace("nl-macvlan-bridge.ns2")!;
        before = before with { Namespaces = before.Namespaces.Replace(n => n == ns2, n => n with { Links = n.Links.Add(new ObservedLink("tun0", new LinkSpec { OtherKind = "tun" })) }) };

        Assert.Equal([new DeleteLink("nl-macvlan-bridge.ns2", "tun0") { Source = "ns2/tun0" }], Planner.Plan(before, MacvlanBridge).Operations);
    }

    [Fact]
    public void Kernel_made_ipv6_link_local_addresses_are_left_alone()
    {
        var before = Applied(MacvlanBridge);
        var linkLocal = new InterfaceAddress(IPAddress.Parse("fe80::1"), 64);
        before = before with
        {
            Namespaces = before.Namespaces.Select(n => n with { Links = n.Links.Select(l => l.Up && !l.Spec.IsLoopback ? l with { Addresses = l.Addresses.Add(linkLocal) } : l).ToValueList() }).ToValueList(),
        };

        Assert.True(Planner.Plan(before, MacvlanBridge).IsEmpty);
    }

    [Fact]
    public void An_invalid_lab_is_refused_before_any_operation_exists()
    {
        var invalid = ChangeNs2Interface(MacvlanBridge, i => ((MacvlanInterface)i) with { ParentName = "h1/eth9" });

        var error = Assert.Throws<InvalidLabException>(() => Planner.Plan(ObservedState.Empty, invalid));

        Assert.Equal("namespaces.ns2.interfaces.macvlan2.parent", Assert.Single(error.Problems).Path);
    }

    [Fact]
    public void The_simulator_refuses_a_second_passthru_child_as_the_kernel_does()
    {
        var lab = ExampleLabs.Load("macvlan-passthru");
        var state = Applied(lab);
        var second = new CreateLink("nl-macvlan-passthru.h1", "macvlan3", new LinkSpec
        {
            Kind = LinkKind.Macvlan,
            Parent = new LinkReference("nl-macvlan-passthru.h1", "eth0"),
            MacvlanMode = MacvlanMode.Bridge,
        }) { Source = "test" };

        var error = Assert.Throws<SimulationException>(() => PlanSimulator.Simulate(state, [second]));

        Assert.Contains("EINVAL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_naming_scheme_keeps_labs_apart()
    {
        var naming = new NamingScheme("nl-alice-");

        Assert.Equal("nl-alice-lab1.ns2", naming.Namespace("lab1", "ns2"));
        Assert.Equal("ns2", naming.ElementName("nl-alice-lab1.ns2", "lab1"));
        Assert.Null(naming.ElementName("nl-alice-lab1-b.ns2", "lab1"));
        Assert.False(Naming.BelongsTo("nl-alice-lab1.ns2", "lab1"));
    }

    [Fact]
    public void Every_operation_names_the_lab_element_it_comes_from()
    {
        var plan = Planner.Plan(ObservedState.Empty, MacvlanBridge);

        Assert.All(plan.Operations, o => Assert.Matches(@"^(switches|hosts|namespaces)\.", o.Source));
    }
}
