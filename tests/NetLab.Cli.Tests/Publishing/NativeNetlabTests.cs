using System.Diagnostics;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Diagnostics;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Publishing;

/// <summary>
/// The `netlab` users run: compiled ahead of time (Native AOT), where JSON and handlers exist only as generated at
/// build time, so what reflection would have papered over in the JIT build breaks here. scripts/test.sh publishes it
/// and names it in NETLAB_NATIVE_CLI; each command runs as a real process, a lab is applied for real (in-process
/// engine, as root) and every --json answer is read back with the API's own types.
/// </summary>
public sealed class NativeNetlabTests
{
    private const string Variable = "NETLAB_NATIVE_CLI";

    [Fact]
    public void Validate_and_plan_read_every_example_lab_and_refuse_an_invalid_one()
    {
        var netlab = NativeNetlab();

        foreach (var file in RepositoryFiles.ExampleLabs())
        {
            var validate = Run(netlab, "validate", file);
            Assert.True(validate.Exit == 0, $"{Path.GetFileName(file)}: {validate.Output}{validate.Errors}");
            Assert.Contains("is valid", validate.Output, StringComparison.Ordinal);
        }

        var invalid = Run(netlab, "validate", Path.Combine(RepositoryFiles.LabsFolder, "invalid", "macvlan-passthru-two-children.yaml"));
        Assert.Equal(1, invalid.Exit);
        Assert.Contains("passthru", invalid.Output + invalid.Errors, StringComparison.Ordinal);

        var plan = Run(netlab, "plan", Path.Combine(RepositoryFiles.LabsFolder, "macvlan-bridge.yaml"), "--json", "--socket", NoAgent);
        Assert.True(plan.Exit == 0, plan.Errors);
        var view = AgentJson.Deserialize<PlanView>(plan.Output);
        Assert.Contains(view!.Operations, o => o.Command.EndsWith(" link add link eth0 name macvlan2 type macvlan mode bridge", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lab_applied_probed_and_destroyed_by_the_native_binary_answers_in_the_apis_json()
    {
        var netlab = NativeNetlab();
        if (Environment.UserName != "root")
        {
            Assert.Skip("Applying a lab needs root (the in-process engine creates namespaces); run the suite as root.");
        }

        var name = $"nltest-native-{Environment.ProcessId % 100000}";
        var lab = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        File.WriteAllText(lab, RepositoryFiles.Lab("macvlan-bridge.yaml").Replace("name: macvlan-bridge", $"name: {name}", StringComparison.Ordinal));
        try
        {
            var apply = Run(netlab, "apply", lab, "--json", "--socket", NoAgent);
            Assert.True(apply.Exit == 0, apply.Output + apply.Errors);
            var items = apply.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => AgentJson.Deserialize<ApplyStreamItem>(l)!).ToList();
            var result = Assert.Single(items, i => i.Result is not null).Result!;
            Assert.True(result.Succeeded);
            Assert.Equal(result.Total, items.Count(i => i.Progress?.Status == OperationStatus.Done));

            var state = Run(netlab, "state", name, "--json", "--socket", NoAgent);
            Assert.True(state.Exit == 0, state.Errors);
            var kernel = AgentJson.Deserialize<LabState>(state.Output)!;
            Assert.Equal(name, kernel.Lab);
            var macvlan2 = Assert.Single(kernel.Namespaces.Single(n => n.Element == "ns2").Interfaces, i => i.Name == "macvlan2");
            Assert.Contains("100.0.0.2/24", macvlan2.Addresses);

            // ns2 reaches macvlan3, but not its own address while lo is down: the probe exits 1 for the failed pair.
            var probe = Run(netlab, "probe", name, "--json", "--socket", NoAgent);
            Assert.Equal(1, probe.Exit);
            var report = AgentJson.Deserialize<ProbeReport>(probe.Output)!;
            Assert.Contains(report.Results, r => r is { From: "ns2", Address: "100.0.0.3", Replied: true });
            Assert.Contains(report.Results, r => r is { From: "ns2", Address: "100.0.0.2", Replied: false });

            var destroy = Run(netlab, "destroy", name, "--socket", NoAgent);
            Assert.True(destroy.Exit == 0, destroy.Output + destroy.Errors);
            Assert.DoesNotContain(NetworkNamespace.ListNames(), n => n.Contains(name, StringComparison.Ordinal));
        }
        finally
        {
            Run(netlab, "destroy", name, "--socket", NoAgent);
            File.Delete(lab);
        }
    }

    [Fact]
    public void Doctor_json_is_the_apis_report()
    {
        var netlab = NativeNetlab();
        if (Environment.UserName != "root")
        {
            Assert.Skip("The doctor tries each link kind in a scratch namespace and needs root.");
        }

        var doctor = Run(netlab, "doctor", "--json");

        var report = AgentJson.Deserialize<DoctorReport>(doctor.Output)!;
        Assert.False(string.IsNullOrEmpty(report.Kernel));
        Assert.Contains(report.Checks, c => c.Kind == "macvlan" && c.Status == CheckStatus.Ok);
    }

    /// <summary>A socket nobody listens on: as root the CLI then runs the engine in its own process.</summary>
    private static readonly string NoAgent = Path.Combine(Path.GetTempPath(), $"nltest-native-no-agent-{Environment.ProcessId}.sock");

    private static string NativeNetlab()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path))
        {
            Assert.Skip($"{Variable} is not set: scripts/test.sh publishes the native netlab (dotnet publish src/NetLab.Cli) and sets it; run the suite that way to test the binary users run.");
        }

        Assert.True(File.Exists(path), $"{Variable} names {path}, which does not exist.");
        return path;
    }

    private static (int Exit, string Output, string Errors) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }
}
