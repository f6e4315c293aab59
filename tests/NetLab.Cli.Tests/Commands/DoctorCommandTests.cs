using System.Text.Json;
using NetLab.Netlink.Diagnostics;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab doctor` run for real on this machine's kernel (root required).</summary>
public sealed class DoctorCommandTests
{
    /// <summary>Kinds every kernel NetLab targets has (the host kernel and the user-mode Linux one).</summary>
    private static readonly string[] AlwaysSupported = ["veth", "macvlan", "macvtap", "bridge", "vxlan"];

    [Fact]
    public void Json_report_has_a_row_per_kind_and_mode_and_nothing_failed()
    {
        RequireRoot();
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = NetlabCommandLine.Build().Parse(["doctor", "--json"]).Invoke(new() { Output = output, Error = errors });

        Assert.True(exit == ExitCodes.Ok, $"doctor exited {exit}: {output}{errors}");
        using var report = JsonDocument.Parse(output.ToString());
        var checks = report.RootElement.GetProperty("checks").EnumerateArray()
            .Select(c => (Kind: c.GetProperty("kind").GetString()!, Mode: (c.TryGetProperty("mode", out var mode) ? mode.GetString() : null), Status: c.GetProperty("status").GetString()!, Detail: c.GetProperty("detail").GetString()!))
            .ToList();
        Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        foreach (var mode in new[] { "private", "vepa", "bridge", "passthru", "source" })
        {
            Assert.Contains(checks, c => c.Kind == "macvlan" && c.Mode == mode && c.Status == "ok");
            Assert.Contains(checks, c => c.Kind == "macvtap" && c.Mode == mode && c.Status == "ok");
        }

        Assert.All(checks.Where(c => AlwaysSupported.Contains(c.Kind)), c => Assert.Equal("ok", c.Status));
        Assert.Contains(checks, c => c.Kind == "vlan" && c.Mode == "802.1Q");
        Assert.Contains(checks, c => c.Kind == "vlan" && c.Mode == "802.1ad");
        Assert.Contains(checks, c => c.Kind == "dummy");
        Assert.Contains(checks, c => c.Kind == "ipvlan");
        Assert.Contains(checks, c => c.Kind == "bridge" && c.Mode == "port hairpin" && c.Status == "ok");
        Assert.All(checks.Where(c => c.Status == "unsupported"), c => Assert.False(string.IsNullOrWhiteSpace(c.Detail)));
        // Only this process's scratch namespaces: other test processes may be probing the kernel at this moment.
        Assert.DoesNotContain(NetworkNamespace.ListNames(), n => n.StartsWith($"{KernelDoctor.NamespacePrefix}{Environment.ProcessId}-", StringComparison.Ordinal));
    }

    [Fact]
    public void Table_report_prints_a_row_per_check_and_a_summary()
    {
        RequireRoot();
        var output = new StringWriter();

        var exit = NetLab.Cli.Commands.DoctorCommand.Run(asJson: false, output, new StringWriter());

        var text = output.ToString();
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("KIND", text, StringComparison.Ordinal);
        Assert.Matches(@"macvlan\s+passthru nopromisc\s+ok", text);
        Assert.Matches(@"vlan\s+802\.1Q\s+(ok|unsupported by this kernel)", text);
        Assert.Matches(@"\d+ ok, \d+ unsupported by this kernel, 0 failed\.", text);
    }

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("netlab doctor needs root to create its scratch namespace; run the suite as root.");
        }
    }
}
