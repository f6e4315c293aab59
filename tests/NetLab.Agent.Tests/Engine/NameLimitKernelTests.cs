using NetLab.Core.Planning;
using NetLab.Core.Validation;
using static NetLab.Agent.Tests.Engine.EngineLab;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Kernel namespace names are the agent's prefix + lab + '.' + element, and the netlink layer opens none longer than
/// <see cref="NamingScheme.MaxNamespaceBytes"/>: a lab exactly at the limit applies, and one byte more is refused by
/// the validator with the agent's own prefix before anything reaches the kernel (it used to fail half-way at apply).
/// </summary>
public sealed class NameLimitKernelTests
{
    private static string Yaml(string lab, string element) => $"""
        name: {lab}
        namespaces:
          {element}: {"{ loopback: up }"}
        """;

    [Fact]
    public async Task A_kernel_namespace_name_of_exactly_the_limit_applies_and_one_byte_more_is_refused_before_the_kernel()
    {
        using var lab = new EngineLab();
        var element = new string('n', 32);
        var labName = new string('l', NamingScheme.MaxNamespaceBytes - lab.Prefix.Length - 1 - element.Length);

        AssertSucceeded(await lab.Engine.ApplyAsync(ParseLab(Yaml(labName, element))));

        Assert.Equal([lab.Kernel(labName, element)], lab.Namespaces());
        Assert.Equal(NamingScheme.MaxNamespaceBytes, lab.Namespaces()[0].Length);
        AssertSucceeded(await lab.Engine.DestroyAsync(labName));
        Assert.Empty(lab.Namespaces());

        // Valid with the default "nl-" prefix, too long with this agent's longer one.
        var longer = ParseLab(Yaml(labName + "x", element));
        var refused = await Assert.ThrowsAsync<InvalidLabException>(() => lab.Engine.ApplyAsync(longer));

        var problem = Assert.Single(refused.Problems);
        Assert.Equal($"namespaces.{element}", problem.Path);
        Assert.Contains($"is {NamingScheme.MaxNamespaceBytes + 1} bytes long; NetLab allows at most {NamingScheme.MaxNamespaceBytes}", problem.Message, StringComparison.Ordinal);
        Assert.Empty(lab.Namespaces());
    }
}
