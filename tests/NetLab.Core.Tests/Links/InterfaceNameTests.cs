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

    [Theory]
    [InlineData("eth0")]
    [InlineData("eth0.888")]
    [InlineData("h1_eth-0")]
    [InlineData("0abc")]
    public void Plain_names_are_valid_in_a_lab(string name) => Assert.Null(InterfaceName.LabProblem(name));

    [Theory]
    [InlineData("a$b", "contains '$'")]
    [InlineData("a@b", "contains '@'")]
    [InlineData("a b", "' ' (whitespace)")]
    [InlineData("-a", "starts with '-'")]
    [InlineData(".a", "starts with '.'")]
    [InlineData("ab\u00e9", "contains 'é'")]
    [InlineData("sixteen-bytes-xx", "at most 15")]
    public void Names_a_shell_or_iproute2_would_not_take_as_they_are_are_refused_in_a_lab(string name, string expected) =>
        Assert.Contains(expected, InterfaceName.LabProblem(name), StringComparison.Ordinal);
}
