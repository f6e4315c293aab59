using System.Xml.Linq;
using NetLab.Tests.SecondKernel;

namespace NetLab.Netlink.Tests.SecondKernel;

/// <summary>
/// Runs this assembly's whole Kernel test namespace again inside user-mode Linux (Linux 6.1 with 8021q, dummy,
/// ipvlan), where the tests that skip on the host kernel must run and pass, the seed's vlan-888 experiment first.
/// </summary>
public sealed class KernelSuiteOnUserModeLinuxTests
{
    /// <summary>Tests that skip on a kernel without these features and so must pass here.</summary>
    private static readonly string[] MustPassInside =
    [
        "Vlan_888_between_two_hosts_through_a_switch_pings_and_the_wire_carries_tag_888",
        "Vlan_reads_back_id_and_protocol_or_skips_where_the_kernel_lacks_8021q",
        "Dummy_and_ipvlan_are_created_or_skipped_where_the_kernel_lacks_them",
        "Vlan_888_capture_on_the_switch_port_puts_the_offloaded_tag_back",
    ];

    [Fact]
    public void Kernel_tests_pass_on_the_second_kernel_with_vlan_dummy_and_ipvlan_not_skipped()
    {
        UserModeLinux.RequireAvailable();
        var output = UserModeLinux.NewOutputDirectory("netlink");
        var results = Path.Combine(output, "results.xml");
        try
        {
            var (exit, stdout, stderr) = UserModeLinux.Run(
                output,
                TimeSpan.FromMinutes(8),
                "dotnet",
                Path.Combine(AppContext.BaseDirectory, "NetLab.Netlink.Tests.dll"),
                "-namespace",
                "NetLab.Netlink.Tests.Kernel",
                "-xml",
                results);

            Assert.True(exit == 0, $"the kernel suite failed inside user-mode Linux (exit {exit}):\n{stdout}\n{stderr}");
            Assert.StartsWith("6.1", File.ReadAllText(Path.Combine(output, "kernel")).Trim(), StringComparison.Ordinal);
            var tests = XDocument.Load(results).Descendants("test").ToList();
            Assert.True(tests.Count >= 40, $"expected the whole kernel suite, found {tests.Count} tests");
            Assert.Empty(tests.Where(t => (string?)t.Attribute("result") == "Fail").Select(t => (string?)t.Attribute("name")));
            foreach (var method in MustPassInside)
            {
                var runs = tests.Where(t => (string?)t.Attribute("method") == method).ToList();
                Assert.NotEmpty(runs);
                Assert.All(runs, t => Assert.True((string?)t.Attribute("result") == "Pass", $"{t.Attribute("name")} was {t.Attribute("result")} inside user-mode Linux: {t.Element("reason")?.Value}"));
            }
        }
        finally
        {
            // The failure message already carries the output; keep /tmp clean either way.
            Directory.Delete(output, recursive: true);
        }
    }
}
