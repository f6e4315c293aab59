using System.Diagnostics;

namespace NetLab;

/// <summary>Runs a program (the tests' oracles: ip, ping, tcpdump) to its end and returns its exit code and output.</summary>
internal static class ExternalCommand
{
    public static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");

        // Both pipes at once: a program that fills one while we wait on the other would never finish.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors.Result);
    }
}
