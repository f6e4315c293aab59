using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;

namespace NetLab.Core.Tests.Teaching;

public sealed class Iproute2RendererTests
{
    private static IReadOnlyList<string> Commands(string example, NamespaceNames names = NamespaceNames.Lab) =>
        Iproute2Renderer.Render(Planner.Plan(ObservedState.Empty, ExampleLabs.Load(example)), names);

    [Fact]
    public void The_macvlan_bridge_lab_reads_as_the_seeds_commands()
    {
        Assert.Equal(
            [
                "ip netns add sw1",
                "ip netns add h1",
                "ip netns add ns2",
                "ip netns add ns3",
                "ip -n sw1 link add br0 type bridge",
                "ip -n sw1 link set br0 up",
                "ip -n sw1 link add p1 type veth peer name eth0 netns h1",
                "ip -n sw1 link set p1 master br0",
                "ip -n sw1 link set p1 up",
                "ip -n h1 link set eth0 up",
                "ip -n h1 link add link eth0 name macvlan2 type macvlan mode bridge",
                "ip -n h1 link set macvlan2 netns ns2",
                "ip -n ns2 addr add 100.0.0.2/24 dev macvlan2",
                "ip -n ns2 link set macvlan2 up",
                "ip -n h1 link add link eth0 name macvlan3 type macvlan mode bridge",
                "ip -n h1 link set macvlan3 netns ns3",
                "ip -n ns3 addr add 100.0.0.3/24 dev macvlan3",
                "ip -n ns3 link set macvlan3 up",
            ],
            Commands("macvlan-bridge"));
    }

    [Fact]
    public void Kernel_names_reproduce_the_plan_exactly() =>
        Assert.Contains("ip -n nl-macvlan-bridge.h1 link set macvlan2 netns nl-macvlan-bridge.ns2", Commands("macvlan-bridge", NamespaceNames.Kernel));

    [Fact]
    public void The_vlan_lab_makes_tagged_sub_interfaces() =>
        Assert.Contains("ip -n h1 link add link eth0 name eth0.888 type vlan id 888", Commands("vlan-888"));

    [Fact]
    public void Ipv6_addresses_are_added_without_duplicate_address_detection_as_the_agent_adds_them()
    {
        var add = new AddAddress("ns1", "v1", InterfaceAddress.Parse("fd00::1/64")) { Source = "namespaces.ns1.interfaces.v1" };
        var add4 = add with { Address = InterfaceAddress.Parse("10.0.0.1/24") };

        Assert.Equal(
            ["ip -n ns1 addr add fd00::1/64 dev v1 nodad", "ip -n ns1 addr add 10.0.0.1/24 dev v1"],
            Iproute2Renderer.Render(new Plan([add, add4], "v6", new NamingScheme()), NamespaceNames.Lab));
    }

    [Fact]
    public void Hairpin_is_set_on_the_switch_port() =>
        Assert.Contains("ip -n sw1 link set p1 type bridge_slave hairpin on", Commands("macvlan-vepa-hairpin"));

    [Fact]
    public void Passthru_shows_nopromisc() =>
        Assert.Contains("ip -n h1 link add link eth0 name macvlan2 type macvlan mode passthru nopromisc", Commands("macvlan-passthru"));

    [Fact]
    public void Macvtap_uses_its_own_type() =>
        Assert.Contains("ip -n h1 link add link eth0 name macvtap1 type macvtap mode bridge", Commands("macvtap"));

    [Fact]
    public void Mac_and_loopback_settings_are_shown()
    {
        var commands = Commands("macvtap");

        Assert.Contains("ip -n vm1 link set lo up", commands);
        Assert.Contains("ip -n vm1 link set macvtap1 address 02:00:00:00:01:01", commands);
    }

    [Fact]
    public void Vxlan_shows_every_setting() =>
        Assert.Contains("ip -n ns-a link add vx42 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dev under-a dstport 4789", Commands("bridge-vxlan"));

    [Fact]
    public void Every_operation_has_its_command()
    {
        static T S<T>(T operation) where T : PlanOperation => operation;
        const string ns = "nl-x.ns1";
        var address = InterfaceAddress.Parse("10.0.0.1/24");
        var plan = new Plan(
            [
                S(new DeleteNamespace(ns) { Source = "s" }),
                S(new DeleteLink(ns, "a") { Source = "s" }),
                S(new SetLinkDown(ns, "a") { Source = "s" }),
                S(new SetMtu(ns, "a", 1400) { Source = "s" }),
                S(new DeleteAddress(ns, "a", address) { Source = "s" }),
                S(new SetMaster(ns, "a", null) { Source = "s" }),
                S(new SetLoopback(ns, false) { Source = "s" }),
                S(new CreateLink(ns, "v", new LinkSpec { Kind = LinkKind.Vlan, Parent = new(ns, "a"), VlanId = 5, VlanProtocol = VlanProtocol.Dot1AD }) { Source = "s" }),
                S(new CreateLink(ns, "m", new LinkSpec { Kind = LinkKind.Macvlan, Parent = new(ns, "a"), MacvlanMode = MacvlanMode.Source, SourceMacs = [MacAddress.Parse("02:00:00:00:00:01")] }) { Source = "s" }),
                S(new CreateLink(ns, "d", new LinkSpec { Kind = LinkKind.Dummy }) { Source = "s" }),
            ],
            "x",
            NamingScheme.Default);

        Assert.Equal(
            [
                "ip netns del ns1",
                "ip -n ns1 link del a",
                "ip -n ns1 link set a down",
                "ip -n ns1 link set a mtu 1400",
                "ip -n ns1 addr del 10.0.0.1/24 dev a",
                "ip -n ns1 link set a nomaster",
                "ip -n ns1 link set lo down",
                "ip -n ns1 link add link a name v type vlan protocol 802.1ad id 5",
                "ip -n ns1 link add link a name m type macvlan mode source macaddr set 02:00:00:00:00:01",
                "ip -n ns1 link add d type dummy",
            ],
            Iproute2Renderer.Render(plan));
    }
}
