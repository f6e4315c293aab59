using System.Globalization;
using System.Runtime.InteropServices;

namespace NetLab.Agent.Client.Hosting;

/// <summary>
/// What /proc says about a process: whether it still runs, and its start time (field 22 of /proc/PID/stat, clock
/// ticks after boot), which tells a process from a later one that was given the same pid. Shared by `netlab up`,
/// which reads its own, and the web, which watches its launcher's.
/// </summary>
/// <param name="Running">False when the process is gone or a zombie (it runs nothing; only its reaper is late).</param>
/// <param name="StartTime">Null when the process runs but /proc hides it from this user (mounted with hidepid).</param>
public sealed partial record ProcessSighting(bool Running, long? StartTime)
{
    private const int ESRCH = 3;

    public static ProcessSighting Gone { get; } = new(Running: false, StartTime: null);

    /// <summary>Looks at <paramref name="pid"/> now. Needs no privileges.</summary>
    public static ProcessSighting Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Gone, or hidden by hidepid: signal 0 tells them apart (EPERM means it exists but is not ours).
            return Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH ? new(Running: true, StartTime: null) : Gone;
        }

        return Parse(stat) ?? Gone;
    }

    /// <summary>This process's own start time (its /proc entry is always visible to it).</summary>
    public static long OwnStartTime() =>
        Of(Environment.ProcessId).StartTime ?? throw new InvalidOperationException("/proc/self/stat has no start time; is /proc mounted?");

    /// <summary>
    /// Reads one /proc/PID/stat line, or null when it is not one. The command name (field 2) is in parentheses and may
    /// itself hold spaces and parentheses, so the fields are counted from the last ')'.
    /// </summary>
    public static ProcessSighting? Parse(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var end = stat.LastIndexOf(')');
        if (end < 0 || end + 2 > stat.Length)
        {
            return null;
        }

        // After ')': field 3 (state) is index 0, so field 22 (starttime) is index 19.
        var fields = stat[(end + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0].Length != 1
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        // Z: zombie, X: dead; neither runs anything.
        return new ProcessSighting(Running: fields[0] is not ("Z" or "X"), startTime);
    }

    /// <summary>
    /// This process's parent, from getppid(2), which needs no /proc: when the parent dies (a SIGKILL included) the
    /// kernel hands its children to a reaper as the parent exits, before anyone collects it, so the answer changes at
    /// once, also while the dead parent lingers as a zombie and also when /proc is mounted with hidepid.
    /// </summary>
    public static int OwnParentPid() => GetParentPid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();
}
