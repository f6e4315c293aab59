using System.Globalization;
using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Benchmarks;

/// <summary>Removes the benchmark's namespaces: this run's at the end (also after a failure or Ctrl-C), dead runs' at the start.</summary>
internal static class LabCleanup
{
    /// <summary>Deletes every namespace whose name starts with <paramref name="prefix"/>; returns what could not be deleted.</summary>
    public static IReadOnlyList<string> RemoveAll(string prefix, string hostNamespace, string switchNamespace)
    {
        // Children before the lab host and switch, so that no macvlan outlives its parent's namespace name.
        var names = NetworkNamespace.ListNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(name => name == hostNamespace || name == switchNamespace)
            .ToList();
        var failures = new List<string>();
        foreach (var name in names)
        {
            try
            {
                NetworkNamespace.Delete(name);
            }
            catch (Exception exception) when (exception is NetlinkException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"{name}: {exception.Message}");
            }
        }

        return failures;
    }

    /// <summary>Deletes namespaces of earlier runs whose process no longer exists (killed with SIGKILL, for instance).</summary>
    public static IReadOnlyList<string> RemoveStale()
    {
        var removed = new List<string>();
        foreach (var name in NetworkNamespace.ListNames().Where(name => name.StartsWith(LabNames.Tag, StringComparison.Ordinal)))
        {
            var rest = name[LabNames.Tag.Length..];
            var dash = rest.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0
                || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId
                || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            try
            {
                NetworkNamespace.Delete(name);
                removed.Add(name);
            }
            catch (Exception exception) when (exception is NetlinkException or IOException or UnauthorizedAccessException)
            {
                // Another run's leftovers must not fail this run; the next run tries again.
            }
        }

        return removed;
    }
}
