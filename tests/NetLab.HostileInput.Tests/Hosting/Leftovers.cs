using System.Globalization;
using System.Text.RegularExpressions;
using NetLab.Netlink.Namespaces;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// What a run of this suite that was killed before its cleanup (a CI timeout, Ctrl-C) left behind: namespaces named
/// <c>nltest-h{pid}-...</c> and <c>nltest-hc{pid}</c> (see <see cref="NetlabUp"/> and <see cref="Canaries"/>) whose
/// pid runs no test process any more, and the agent's records of them. Deleted when the suite starts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static partial class Leftovers
{
    public static IReadOnlyList<string> DeleteOfDeadRuns()
    {
        var deleted = new List<string>();
        foreach (var name in NetworkNamespace.ListNames())
        {
            if (SuiteName().Match(name) is { Success: true } match
                && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) is var pid
                && !IsTestProcess(pid))
            {
                NetworkNamespace.Delete(name);
                deleted.Add(name);
            }
        }

        const string records = "/run/netlab/namespaces";
        if (Directory.Exists(records))
        {
            foreach (var record in Directory.GetFiles(records, "nltest-h*"))
            {
                if (SuiteName().Match(Path.GetFileName(record)) is { Success: true } match
                    && !IsTestProcess(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)))
                {
                    File.Delete(record);
                }
            }
        }

        return deleted;
    }

    /// <summary>The pid in a name is its test process's; only a live process of this suite keeps its namespaces.</summary>
    private static bool IsTestProcess(int pid)
    {
        try
        {
            return pid == Environment.ProcessId || File.ReadAllText($"/proc/{pid}/cmdline").Contains("NetLab.HostileInput.Tests", StringComparison.Ordinal);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false; // no such process
        }
    }

    [GeneratedRegex(@"^nltest-hc?(\d+)(-|$)")]
    private static partial Regex SuiteName();
}
