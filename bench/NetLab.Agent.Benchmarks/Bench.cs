using System.Diagnostics;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Benchmarks;

/// <summary>What both benchmarks need: processes started and run (output read so that they never block), timing, checks.</summary>
internal static class Bench
{
    public static int Namespaces(string lab) => NetworkNamespace.ListNames().Count(n => n.StartsWith($"nl-{lab}.", StringComparison.Ordinal));

    public static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }

    public static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    public static Process Start(string[] command)
    {
        var process = Process.Start(StartInfo(command)) ?? throw new InvalidOperationException($"could not start {command[0]}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command to its end; anything but exit code 0 is a failure of the benchmark.</summary>
    public static void Run(string[] command)
    {
        var (exitCode, output, errors) = Capture(command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited {exitCode}:\n{output}\n{errors}");
        }
    }

    /// <summary>Runs a command to its end and returns its exit code and what it printed.</summary>
    public static (int ExitCode, string Output, string Errors) Capture(string[] command)
    {
        using var process = Process.Start(StartInfo(command)) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not appear within {timeout.TotalSeconds} s");
            }

            Thread.Sleep(50);
        }
    }

    private static ProcessStartInfo StartInfo(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
