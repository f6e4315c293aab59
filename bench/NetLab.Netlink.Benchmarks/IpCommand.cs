using System.Diagnostics;

namespace NetLab.Netlink.Benchmarks;

/// <summary>
/// Runs iproute2's `ip` as its own process, without a shell, the way the seed notebook runs one command per step.
/// Only the benchmark does this; product code talks netlink itself.
/// </summary>
internal static class IpCommand
{
    // Resolved once so that a PATH search is not part of every measured step.
    private static readonly Lazy<string> Executable = new(FindExecutable);

    public static string Path => Executable.Value;

    /// <summary>Runs `ip ARGS`; returns its standard output, or throws with its standard error when it fails.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IpCommandException(arguments, -1, "the process did not start");

        // Both pipes are drained at once: a full pipe would stall `ip` and so the measurement.
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IpCommandException(arguments, process.ExitCode, error.GetAwaiter().GetResult().Trim());
        }

        return output;
    }

    private static string FindExecutable()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return directories.Select(directory => System.IO.Path.Combine(directory, "ip")).FirstOrDefault(File.Exists)
            ?? throw new BenchmarkFailedException("iproute2's `ip` was not found on PATH or in /usr/sbin, /sbin; install iproute2");
    }
}

internal sealed class IpCommandException(IReadOnlyList<string> arguments, int exitCode, string error)
    : Exception($"`ip {string.Join(' ', arguments)}` failed (exit status {exitCode}){(error.Length > 0 ? ": " + error : string.Empty)}");

/// <summary>The benchmark could not do or confirm what it measures; its figures would mean nothing.</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
