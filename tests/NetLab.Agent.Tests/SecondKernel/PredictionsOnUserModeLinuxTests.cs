using System.Xml.Linq;
using NetLab.Tests.SecondKernel;

namespace NetLab.Agent.Tests.SecondKernel;

/// <summary>The vlan predictions against user-mode Linux (Linux 6.1 with 8021q), the kernel the host's lacks vlan for.</summary>
public sealed class PredictionsOnUserModeLinuxTests
{
    private const string VlanTest = "NetLab.Agent.Tests.Experiments.PredictionKernelTests.The_vlan_888_lab_and_a_mismatched_id_do_what_the_predictor_says_where_the_kernel_has_8021q";

    [Fact]
    public void The_vlan_predictions_hold_on_the_second_kernel_and_are_not_skipped_there()
    {
        UserModeLinux.RequireAvailable();
        var output = UserModeLinux.NewOutputDirectory("predictions");
        try
        {
            var results = Path.Combine(output, "results.xml");
            var (exit, stdout, stderr) = UserModeLinux.Run(
                output, TimeSpan.FromMinutes(6), "dotnet", Path.Combine(AppContext.BaseDirectory, "NetLab.Agent.Tests.dll"), "-method", VlanTest, "-xml", results);

            Assert.True(exit == 0, $"the vlan predictions failed inside user-mode Linux (exit {exit}):\n{stdout}\n{stderr}");
            var test = Assert.Single(XDocument.Load(results).Descendants("test"));
            Assert.Equal("Pass", (string?)test.Attribute("result"));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
