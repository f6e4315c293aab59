using NetLab.Core.Formats;
using NetLab.Core.Grading;

namespace NetLab.Core.Tests.Grading;

public sealed class ChecksValidatorTests
{
    private static readonly Core.Labs.Lab Vepa = ExampleLabs.Load("macvlan-vepa");

    private static ChecksLoadResult Validate(string checks) =>
        ChecksFormat.LoadAndValidate("lab: macvlan-vepa\nchecks:\n" + checks, LabFileFormat.Yaml, Vepa);

    [Fact]
    public void Checks_that_name_only_what_the_lab_has_are_valid_whatever_they_expect()
    {
        // The template fails these pings and has no interface down: a check may expect what the student must change.
        var result = Validate("""
            - { from: ns2, reaches: 100.0.0.3 }
            - { from: h1, reaches: 100.0.0.2 }
            - { interface: ns2/macvlan2, up: false }
            - { interface: ns2/lo, up: true }
            - { interface: h1/eth0, kind: macvlan, mode: bridge }
            - { interface: sw1/p1, exists: true }
            - { interface: sw1/br0, kind: bridge }

            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(7, result.Document!.Checks.Count);
    }

    [Theory]
    [InlineData("- { from: ns4, reaches: 100.0.0.3 }", "checks[0].from", "lab 'macvlan-vepa' has no host or namespace 'ns4'", "Use one of: h1, ns2, ns3")]
    [InlineData("- { from: sw1, reaches: 100.0.0.3 }", "checks[0].from", "'sw1' is a switch; a switch holds no address and sends no ping", "h1, ns2, ns3")]
    [InlineData("- { from: ns2, doesNotReach: 100.0.0.9 }", "checks[0].doesNotReach", "100.0.0.9 is no address of lab 'macvlan-vepa'", "100.0.0.2 (ns2/macvlan2), 100.0.0.3 (ns3/macvlan3)")]
    [InlineData("- { interface: ns9/eth0, up: true }", "checks[0].interface", "lab 'macvlan-vepa' has no element 'ns9'", "sw1, h1, ns2, ns3")]
    [InlineData("- { interface: ns2/eth0, up: true }", "checks[0].interface", "ns2 has no interface 'eth0' in lab 'macvlan-vepa'", "Use one of ns2's interfaces: lo, macvlan2")]
    [InlineData("- { interface: sw1/p2, exists: true }", "checks[0].interface", "sw1 has no interface 'p2'", "br0, p1")]
    public void A_check_naming_what_the_lab_lacks_says_what_the_lab_has(string check, string path, string message, string hint)
    {
        var result = Validate(check + "\n");

        Assert.Null(result.Document);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(path, problem.Path);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Contains(hint, problem.Hint, StringComparison.Ordinal);
        Assert.Equal(3, problem.Location?.Line);
    }

    [Fact]
    public void The_same_check_twice_is_a_problem_even_with_another_expectation()
    {
        var result = Validate("- { from: ns2, reaches: 100.0.0.3 }\n- { interface: ns2/macvlan2, up: true }\n- { from: ns2, doesNotReach: 100.0.0.3 }\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("checks[2]", problem.Path);
        Assert.Equal("'ns2 does not reach 100.0.0.3' checks what checks[0] already checks (id reach/ns2/100.0.0.3)", problem.Message);
        Assert.Equal(5, problem.Location?.Line);
    }

    [Fact]
    public void Addresses_of_one_interface_are_distinct_checks()
    {
        var result = Validate("- { interface: ns2/macvlan2, address: 100.0.0.2/24 }\n- { interface: ns2/macvlan2, address: 100.0.0.2/25 }\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Checks_written_for_another_lab_say_so()
    {
        var result = ChecksFormat.LoadAndValidate("lab: macvlan-bridge\nchecks: []\n", LabFileFormat.Yaml, Vepa);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("lab", problem.Path);
        Assert.Equal("the checks were written for lab 'macvlan-bridge', not 'macvlan-vepa'", problem.Message);
        Assert.Equal(1, problem.Location?.Line);
    }

    [Fact]
    public void A_document_made_in_memory_is_held_to_the_files_limit_of_checks()
    {
        var checks = Enumerable.Range(0, ChecksFormat.MaxChecks + 1)
            .Select(i => (LabCheck)new InterfaceAddressCheck("ns2", "macvlan2", Core.Links.InterfaceAddress.Parse($"10.{i / 250}.{i % 250}.1/24")));

        var problems = ChecksValidator.Validate(new ChecksDocument { Checks = checks.ToValueList() }, Vepa);

        var problem = Assert.Single(problems);
        Assert.Equal($"checks[{ChecksFormat.MaxChecks}]", problem.Path);
        Assert.Contains($"at most {ChecksFormat.MaxChecks}", problem.Message, StringComparison.Ordinal);
    }
}
