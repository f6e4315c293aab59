using System.Diagnostics;

namespace NetLab.Web.BrowserTests;

/// <summary>Runs a command (the test's oracle and outside actor, e.g. ip) and returns its exit code.</summary>
internal static class Commands
{
    public static int Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            TestContext.Current.SendDiagnosticMessage($"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error.Result}");
        }

        return process.ExitCode;
    }
}
