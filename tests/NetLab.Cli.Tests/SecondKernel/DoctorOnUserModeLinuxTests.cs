using System.Text.Json;
using NetLab.Tests.SecondKernel;

namespace NetLab.Cli.Tests.SecondKernel;

/// <summary>`netlab doctor` inside user-mode Linux: the kinds the host kernel lacks are ok there.</summary>
public sealed class DoctorOnUserModeLinuxTests
{
    [Fact]
    public void Doctor_on_the_second_kernel_shows_vlan_dummy_and_ipvlan_ok()
    {
        UserModeLinux.RequireAvailable();
        var output = UserModeLinux.NewOutputDirectory("doctor");
        try
        {
            var (exit, stdout, stderr) = UserModeLinux.Run(output, TimeSpan.FromMinutes(3), "dotnet", Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "doctor", "--json");

            Assert.True(exit == 0, $"netlab doctor failed inside user-mode Linux (exit {exit}):\n{stdout}\n{stderr}");
            using var report = JsonDocument.Parse(stdout);
            Assert.StartsWith("6.1", report.RootElement.GetProperty("kernel").GetString(), StringComparison.Ordinal);
            var checks = report.RootElement.GetProperty("checks").EnumerateArray()
                .ToDictionary(c => $"{c.GetProperty("kind").GetString()} {(c.TryGetProperty("mode", out var mode) ? mode.GetString() : null)}".Trim(), c => c.GetProperty("status").GetString());
            foreach (var row in new[] { "vlan 802.1Q", "vlan 802.1ad", "dummy", "ipvlan l2", "macvlan passthru", "veth", "bridge port hairpin" })
            {
                Assert.True(checks.TryGetValue(row, out var status) && status == "ok", $"'{row}' is {status ?? "missing"} inside user-mode Linux:\n{stdout}");
            }

            Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        }
        finally
        {
            // The failure message already carries the output; keep /tmp clean either way.
            Directory.Delete(output, recursive: true);
        }
    }
}
