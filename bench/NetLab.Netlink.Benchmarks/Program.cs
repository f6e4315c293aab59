using System.ComponentModel;
using System.Runtime.InteropServices;
using NetLab.Netlink;
using NetLab.Netlink.Benchmarks;
using NetLab.Netlink.Namespaces;

BenchmarkOptions? options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (UsageException error)
{
    Console.Error.WriteLine($"netlab-netlink-bench: {error.Message}");
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("netlab-netlink-bench must run as root: it creates network namespaces, veths and macvlans (try sudo).");
    return 2;
}

using var cancellation = new CancellationTokenSource();

// Ctrl-C and SIGTERM only ask the run to stop, so that the finally block below always gets to clean up.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancellation.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var names = new LabNames(Environment.ProcessId);
var exitCode = 1;
try
{
    var result = new BenchmarkRunner(options, names, Console.Error).Run(cancellation.Token);
    if (options.Json)
    {
        using var stdout = Console.OpenStandardOutput();
        ReportWriter.WriteJson(result, stdout);
    }
    else
    {
        ReportWriter.WriteText(result, Console.Out);
    }

    exitCode = 0;
}
catch (Exception error) when (cancellation.IsCancellationRequested)
{
    // An interrupted `ip` child fails too; whatever surfaced, the cause was the signal.
    Console.Error.WriteLine($"interrupted ({error.GetType().Name}); cleaning up");
    exitCode = 130;
}
catch (Exception error) when (error is BenchmarkFailedException or IpCommandException or NetlinkException or InvalidOperationException or IOException or Win32Exception or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"netlab-netlink-bench: {error.Message}");
    exitCode = 1;
}
finally
{
    var failures = LabCleanup.RemoveAll(names.Prefix, names.HostNamespace, names.SwitchNamespace);
    var left = NetworkNamespace.ListNames().Where(name => name.StartsWith(names.Prefix, StringComparison.Ordinal)).ToList();
    if (failures.Count > 0 || left.Count > 0)
    {
        Console.Error.WriteLine($"cleanup left {left.Count} namespace(s) of this run: {string.Join(", ", left)}");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"  {failure}");
        }

        Console.Error.WriteLine($"remove them with: ip netns del NAME (names start with {names.Prefix})");
        exitCode = 1;
    }
}

return exitCode;
