using System.Xml.Linq;
using NetLab.Tests.SecondKernel;

namespace NetLab.Agent.Tests.SecondKernel;

/// <summary>The engine's kernel tests again inside user-mode Linux (Linux 6.1 with 8021q): there the vlan-888 lab must apply and ping, its connectivity check must be as predicted, and a capture on its switch port must show tag 888.</summary>
public sealed class EngineOnUserModeLinuxTests
{
    [Fact]
    public void Engine_tests_pass_on_the_second_kernel_with_the_vlan_lab_not_skipped()
    {
        UserModeLinux.RequireAvailable();
        var output = UserModeLinux.NewOutputDirectory("engine");
        try
        {
            var results = Path.Combine(output, "results.xml");
            var (exit, stdout, stderr) = UserModeLinux.Run(
                output,
                TimeSpan.FromMinutes(8),
                "dotnet",
                Path.Combine(AppContext.BaseDirectory, "NetLab.Agent.Tests.dll"),
                "-namespace",
                "NetLab.Agent.Tests.Engine",
                "-xml",
                results);

            Assert.True(exit == 0, $"the engine tests failed inside user-mode Linux (exit {exit}):\n{stdout}\n{stderr}");
            var tests = XDocument.Load(results).Descendants("test").ToList();
            Assert.True(tests.Count >= 15, $"expected the engine suite, found {tests.Count} tests");
            var vlan = Assert.Single(tests, t => ((string?)t.Attribute("method"))?.StartsWith("Vlan_888", StringComparison.Ordinal) == true);
            Assert.Equal("Pass", (string?)vlan.Attribute("result"));
            var capture = Assert.Single(tests, t => (string?)t.Attribute("method") == "A_capture_of_the_vlan_888_lab_on_the_switch_port_shows_tag_888_in_the_summary_and_the_pcap");
            Assert.True((string?)capture.Attribute("result") == "Pass", $"the vlan-888 capture was {capture.Attribute("result")} inside user-mode Linux: {capture.Element("reason")?.Value}");
            var template = Assert.Single(tests, t => (string?)t.Attribute("method") == "A_template_applied_through_the_agent_checks_out_as_predicted_pair_by_pair" && ((string?)t.Attribute("name"))?.Contains("vlan-888", StringComparison.Ordinal) == true);
            Assert.True((string?)template.Attribute("result") == "Pass", $"the vlan-888 template's connectivity check was {template.Attribute("result")} inside user-mode Linux: {template.Element("reason")?.Value}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
