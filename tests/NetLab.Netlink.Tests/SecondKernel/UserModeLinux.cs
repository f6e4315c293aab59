using System.Diagnostics;

namespace NetLab.Tests.SecondKernel;

/// <summary>
/// Runs a command inside Debian's user-mode Linux kernel (scripts/uml-run.sh, docs/testing.md) for what the
/// host kernel lacks (802.1Q, dummy, ipvlan). Shared by the test projects as a linked source file.
/// </summary>
internal static class UserModeLinux
{
    public const string Kernel = "/usr/bin/linux.uml";

    /// <summary>Skips (with the reason) where user-mode Linux cannot run, or when already inside it.</summary>
    public static void RequireAvailable()
    {
        if (Environment.GetEnvironmentVariable("NETLAB_UML") == "1")
        {
            Assert.Skip("Already running inside user-mode Linux; the second-kernel run is started from the host.");
        }

        if (Environment.UserName != "root")
        {
            Assert.Skip("The second-kernel tests need root (the guest creates namespaces as its root).");
        }

        if (!File.Exists(Kernel))
        {
            Assert.Skip($"{Kernel} is missing: install Debian's user-mode-linux and kmod (the README's test command does).");
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string outputDirectory, TimeSpan timeout, params string[] command)
    {
        var script = Path.Combine(RepositoryFiles.Root, "scripts", "uml-run.sh");
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "--timeout", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), outputDirectory, "--" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start scripts/uml-run.sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string NewOutputDirectory(string name)
    {
        // Under the host's /tmp: reachable by the guest through hostfs (the guest mounts its own /run, not /tmp).
        var directory = Path.Combine("/tmp", $"netlab-uml-{name}-{Environment.ProcessId}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        return directory;
    }
}
