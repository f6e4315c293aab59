using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Hosting;

namespace NetLab.Web.Hosting;

/// <summary>How the web looks at its launcher; the real one asks the kernel, tests give their own.</summary>
public interface IProcessProbe
{
    /// <summary>What /proc says about <paramref name="pid"/>.</summary>
    ProcessSighting Look(int pid);

    /// <summary>This process's parent now (getppid).</summary>
    int ParentPid();
}

/// <summary>Reads /proc and getppid(2) (no privileges needed for either).</summary>
public sealed class ProcProcessProbe : IProcessProbe
{
    public ProcessSighting Look(int pid) => ProcessSighting.Of(pid);

    public int ParentPid() => ProcessSighting.OwnParentPid();
}

/// <summary>
/// Stops the web when `netlab up`, which started it, is gone, even when `up` was killed with SIGKILL and could not stop
/// it. `up` starts the web as its own child (setsid and setpriv exec, they do not fork), so the first question, once a
/// second, is getppid: the kernel moves the children of a dying process to a reaper as it exits, so the parent stops
/// being the launcher at once, also while the dead launcher lingers as a zombie nobody reaps, and also when /proc is
/// mounted with hidepid and hides the launcher (root's) from the web (where kill(pid, 0) answers EPERM for a zombie
/// as for a running process, so /proc alone kept such a web running for good). /proc is the second opinion (a zombie
/// or a pid now held by another process). Not PR_SET_PDEATHSIG: it fires when the launcher's forking *thread* exits,
/// and .NET forks from pool threads that come and go. A web started on its own is not watched.
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

    /// <summary>Why the launcher counts as gone, or null while it is the web's living parent.</summary>
    public static string? WhyGone(int launcherPid, int parentPid, ProcessSighting sighting, long? expectedStartTime)
    {
        if (parentPid != launcherPid)
        {
            return $"the web's parent is now pid {parentPid}, not the launcher";
        }

        return IsGone(sighting, expectedStartTime) ? "/proc shows it ended or its pid held by another process" : null;
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
            // The first look is immediate: the launcher may have died while the web was starting (then the web has
            // been handed to a reaper already, and its parent is no longer the launcher).
            do
            {
                if (WhyGone(pid, probe.ParentPid(), probe.Look(pid), startTime) is { } why)
                {
                    LogLauncherGone(logger, pid, why);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the launcher (netlab up, pid {Pid}, the web's parent); the web stops when it is gone")]
    private static partial void LogWatching(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The launcher (netlab up, pid {Pid}) is gone ({Why}); stopping")]
    private static partial void LogLauncherGone(ILogger logger, int pid, string why);
}
