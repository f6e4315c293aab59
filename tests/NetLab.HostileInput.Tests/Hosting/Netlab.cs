using System.Diagnostics;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>One run of the `netlab` command: its exit code and what it printed.</summary>
public sealed record NetlabRun(int Exit, string Output, string Errors)
{
    public string All => Output + Errors;

    public override string ToString() => $"exit {Exit}\nstdout: {Output}\nstderr: {Errors}";
}

/// <summary>
/// The `netlab` command as users run it: the native one scripts/test.sh publishes (named in NETLAB_NATIVE_CLI) when
/// there is one, else this build's netlab.dll through `dotnet`. A run that does not end within a minute is killed and
/// fails its case (nothing a file or an argument holds may make `netlab` hang).
/// </summary>
public static class Netlab
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static string Description => Environment.GetEnvironmentVariable("NETLAB_NATIVE_CLI") is { Length: > 0 } native ? native : "dotnet netlab.dll";

    public static async Task<NetlabRun> RunAsync(params string[] arguments)
    {
        var native = Environment.GetEnvironmentVariable("NETLAB_NATIVE_CLI");
        var start = native is { Length: > 0 } ? new ProcessStartInfo(native) : new ProcessStartInfo("dotnet");
        if (native is not { Length: > 0 })
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "netlab.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"netlab {string.Join(' ', arguments)} did not end within {Patience.TotalSeconds} s:\n{await output}{await errors}");
        }

        return new NetlabRun(process.ExitCode, await output, await errors);
    }
}
