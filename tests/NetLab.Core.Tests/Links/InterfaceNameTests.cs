using NetLab.Core.Links;

namespace NetLab.Core.Tests.Links;

public sealed class InterfaceNameTests
{
    [Theory]
    [InlineData("eth0")]
    [InlineData("macvlan2")]
    [InlineData("eth0.888")]
    [InlineData("fifteen-bytes-x")]
    [InlineData("h1_eth-0")]
    public void Names_the_kernel_accepts_are_valid(string name) => Assert.Null(InterfaceName.Problem(name));

    [Theory]
    [InlineData("sixteen-bytes-xx", "at most 15")]
    [InlineData("ééééééééé", "18 bytes")]
    [InlineData("a/b", "'/'")]
    [InlineData("a:b", "':'")]
    [InlineData("a b", "whitespace")]
    [InlineData("a\tb", "whitespace")]
    [InlineData("a\0b", "NUL")]
    [InlineData(".", "reserved")]
    [InlineData("..", "reserved")]
    [InlineData("", "required")]
    public void Names_the_kernel_refuses_are_explained(string name, string expected)
    {
        var problem = InterfaceName.Problem(name);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
