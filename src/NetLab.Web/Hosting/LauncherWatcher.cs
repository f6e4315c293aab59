using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Hosting;

namespace NetLab.Web.Hosting;

/// <summary>How the web looks at another process; the real one reads /proc, tests give their own.</summary>
public interface IProcessProbe
{
    ProcessSighting Look(int pid);
}

/// <summary>Reads /proc (no privileges needed).</summary>
public sealed class ProcProcessProbe : IProcessProbe
{
    public ProcessSighting Look(int pid) => ProcessSighting.Of(pid);
}

/// <summary>
/// Stops the web when `netlab up`, which started it, is gone, even when `up` was killed with SIGKILL and could not stop
/// it. Polls about once a second, since a parent-death signal (PR_SET_PDEATHSIG) fires when the launcher's forking
/// *thread* exits, and .NET forks from pool threads that come and go. A web started on its own is not watched.
/// </summary>
public sealed partial class LauncherWatcher(
    IOptions<WebOptions> options,
    IProcessProbe probe,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<LauncherWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gone: not running, or a process with another start time holds the pid now. A launcher /proc hides from the web
    /// (hidepid) shows no start time and is judged by its existence alone.
    /// </summary>
    public static bool IsGone(ProcessSighting sighting, long? expectedStartTime)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        return !sighting.Running || (expectedStartTime is { } expected && sighting.StartTime is { } actual && actual != expected);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.LauncherPid is not { } pid)
        {
            return;
        }

        var startTime = options.Value.LauncherStartTime;
        LogWatching(logger, pid);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            // The first look is immediate: the launcher may have died while the web was starting.
            do
            {
                if (IsGone(probe.Look(pid), startTime))
                {
                    LogLauncherGone(logger, pid);
                    // A graceful stop: requests end and the store's connections close as on SIGTERM.
                    lifetime.StopApplication();
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The web is stopping for another reason.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the launcher (netlab up, pid {Pid}); the web stops when it is gone")]
    private static partial void LogWatching(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The launcher (netlab up, pid {Pid}) is gone; stopping")]
    private static partial void LogLauncherGone(ILogger logger, int pid);
}
