using System.Diagnostics;

namespace NetLab.Cli.Tests;

/// <summary>
/// `netlab user ...` run for real (`dotnet netlab.dll`, which runs the web published next to it in its admin mode): the
/// one way the tests that reach a running web make the account they sign in with.
/// </summary>
internal static class NetlabUsers
{
    /// <summary>The password every test account gets; the tests' stores are thrown away.</summary>
    public const string TestPassword = "netlab-test-password";

    public sealed record Run(int Exit, string Output, string Errors);

    /// <summary>Runs `netlab user WORDS... --data DATA` with <paramref name="input"/> on standard input.</summary>
    public static async Task<Run> RunAsync(string dataFolder, string input, CancellationToken cancellationToken, params string[] words)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "user" }.Concat(words).Concat(["--data", dataFolder]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return new Run(process.ExitCode, await output, await errors);
    }

    /// <summary>Adds an account with <see cref="TestPassword"/>; fails the test when `netlab user add` does not succeed.</summary>
    public static async Task AddAsync(string dataFolder, string name, string role, CancellationToken cancellationToken)
    {
        var run = await RunAsync(dataFolder, TestPassword + "\n", cancellationToken, "add", name, "--role", role);
        Assert.True(run.Exit == 0, $"netlab user add {name} exited with {run.Exit}: {run.Errors}");
    }
}
