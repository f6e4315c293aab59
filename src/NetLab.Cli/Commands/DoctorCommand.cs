using System.CommandLine;
using System.Globalization;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink;
using NetLab.Core.Diagnostics;
using NetLab.Netlink.Diagnostics;

namespace NetLab.Cli.Commands;

/// <summary>`netlab doctor [--json]`: which link kinds and modes this kernel can make, tried for real.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("doctor", "Create every link kind and mode in a scratch namespace, read each back, remove it, and report what this kernel supports. Needs root.")
        {
            json,
        };
        command.SetAction(result => Run(result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    internal static int Run(bool asJson, TextWriter output, TextWriter errors)
    {
        var kernel = KernelRelease();
        IReadOnlyList<KernelCheck> checks;
        try
        {
            var progress = asJson ? null : new Progress(output, kernel);
            checks = KernelDoctor.Run(progress is null ? null : new SynchronousProgress(progress.Row));
        }
        catch (NetlinkException error) when (error.Errno is Netlink.Interop.Errno.EPERM or Netlink.Interop.Errno.EACCES)
        {
            errors.WriteLine($"netlab doctor: {error.Message}");
            errors.WriteLine("netlab doctor needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create a scratch network namespace. Run it with sudo.");
            return ExitCodes.CannotRun;
        }
        catch (Exception error) when (error is NetlinkException or UnauthorizedAccessException or IOException)
        {
            errors.WriteLine($"netlab doctor: could not set up the scratch namespace: {error.Message}");
            errors.WriteLine("Run it as root; it needs CAP_NET_ADMIN and CAP_SYS_ADMIN.");
            return ExitCodes.CannotRun;
        }

        var failed = checks.Count(c => c.Status == CheckStatus.Failed);
        if (asJson)
        {
            output.WriteLine(AgentJson.Serialize(new DoctorReport(kernel, checks), AgentJson.Indented));
        }
        else
        {
            var unsupported = checks.Count(c => c.Status == CheckStatus.Unsupported);
            output.WriteLine();
            output.WriteLine($"{checks.Count - failed - unsupported} ok, {unsupported} unsupported by this kernel, {failed} failed.");
        }

        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    internal static string StatusWord(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "ok",
        CheckStatus.Unsupported => "unsupported by this kernel",
        _ => "failed",
    };

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Prints each row as soon as its check ends, so a slow kernel shows progress.</summary>
    private sealed class Progress
    {
        private readonly TextWriter _output;

        public Progress(TextWriter output, string kernel)
        {
            _output = output;
            output.WriteLine($"NetLab doctor on kernel {kernel}");
            output.WriteLine($"{"KIND",-9} {"MODE",-19} {"STATUS",-27} DETAIL");
        }

        public void Row(KernelCheck check) => _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{check.Kind,-9} {check.Mode ?? string.Empty,-19} {StatusWord(check.Status),-27} {check.Detail}"));
    }

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder rows).</summary>
    private sealed class SynchronousProgress(Action<KernelCheck> report) : IProgress<KernelCheck>
    {
        public void Report(KernelCheck value) => report(value);
    }
}
