using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace NetLab.Cli.Tests;

/// <summary>What the tests of `netlab up` and scripts/run.sh read about processes and ports: /proc, and up's own lines.</summary>
internal static partial class UpProcesses
{
    /// <summary>The web's pid from up's line "web: pid N, user ...".</summary>
    public static int WebPid(string webLine) =>
        int.Parse(WebPidLine().Match(webLine).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>A zombie counts as gone: it runs nothing, only its parent's reaper has not collected it yet.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Field <paramref name="number"/> of /proc/PID/stat (man 5 proc numbers them from 1; the command name may hold spaces).</summary>
    public static string StatField(int pid, int number)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[number - 3];
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^web: pid (\d+),")]
    private static partial Regex WebPidLine();
}
