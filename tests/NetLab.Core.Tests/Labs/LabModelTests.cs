using NetLab.Core.Labs;
using NetLab.Core.Links;

namespace NetLab.Core.Tests.Labs;

public sealed class LabModelTests
{
    [Fact]
    public void Labs_with_the_same_contents_are_equal()
    {
        static Lab Make() => new()
        {
            Name = "a",
            Namespaces = [new LabNamespace { Name = "ns1", Interfaces = [new DummyInterface { Name = "d0", Addresses = ["10.0.0.1/24"] }] }],
        };

        Assert.Equal(Make(), Make());
        Assert.NotEqual(Make(), Make() with { Namespaces = [] });
    }

    [Theory]
    [InlineData("eth0", "ns2", "ns2", "eth0")]
    [InlineData("h1/eth0", "ns2", "h1", "eth0")]
    public void An_interface_reference_without_a_namespace_means_the_same_namespace(string text, string current, string ns, string name) =>
        Assert.Equal(new InterfaceReference(ns, name), InterfaceReference.Parse(text, current));

    [Fact]
    public void A_host_lists_its_nics_before_its_interfaces()
    {
        var host = new Host
        {
            Name = "h1",
            Nics = [new HostNic { Name = "eth0", Switch = "sw1", Port = "p1" }],
            Interfaces = [new VlanInterface { Name = "eth0.5", ParentName = "eth0", Id = 5 }],
        };

        Assert.Equal(["eth0", "eth0.5"], host.InterfaceNames);
        Assert.Equal("hosts.h1", host.Path);
    }

    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.200/24", true)]
    [InlineData("10.0.0.1/16", "10.0.9.1/24", true)]
    [InlineData("10.0.0.1/24", "10.0.1.1/24", false)]
    [InlineData("10.0.0.1/24", "2001:db8::1/64", false)]
    [InlineData("2001:db8::1/64", "2001:db8::2/64", true)]
    public void Subnets_overlap_when_one_contains_the_other(string a, string b, bool overlap) =>
        Assert.Equal(overlap, InterfaceAddress.Parse(a).Overlaps(InterfaceAddress.Parse(b)));

    [Fact]
    public void Addresses_print_as_ip_addr_takes_them() =>
        Assert.Equal("2001:db8::1/64", InterfaceAddress.Parse("2001:0db8:0::1/64").ToString());

    [Fact]
    public void Lab_names_must_be_plain_words()
    {
        Assert.Null(LabName.Problem("macvlan-bridge_2"));
        Assert.NotNull(LabName.Problem("a.b"));
        Assert.NotNull(LabName.Problem(new string('a', 33)));
    }
}
