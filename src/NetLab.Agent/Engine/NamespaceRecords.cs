using System.Globalization;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>What the agent wrote down about a namespace it made: being made (pending), or made with this identity.</summary>
internal sealed record NamespaceRecord(FileStatus? Made, ulong? Cookie)
{
    public bool IsPending => Made is null;
}

/// <summary>
/// The agent's record of the namespaces it made: one file per namespace, named after it, in a directory only root can
/// write (/run/netlab/namespaces). A namespace has no alias to tag the way NetLab tags its links, and a tag inside it
/// (an alias on its `lo`) could be copied by whoever makes a namespace by hand; a record under the agent's own
/// root-owned directory cannot be forged by anyone but root, and it names the very namespace made, not just the name:
/// its nsfs device and inode, and its cookie (SO_NETNS_COOKIE), because the kernel reuses inode numbers once a
/// namespace is gone, so one deleted and made again under the same name by someone else would otherwise pass as
/// NetLab's. /run survives an agent restart and is emptied at boot together with /run/netns, so records and
/// namespaces come and go together.
/// A record is written as "pending" before the name's file is created, and completed with the namespace's identity
/// (read inside the new namespace) before the namespace is mounted on the name; so a creation cut short (kill -9 between
/// the name's file and its mount) leaves a record that lets the next agent remove the empty name, and a namespace the
/// agent mounted always has its complete record.
/// </summary>
internal sealed class NamespaceRecords
{
    private const string Pending = "pending";

    public NamespaceRecords(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public NamespaceRecord? Read(string name)
    {
        string text;
        try
        {
            text = File.ReadAllText(PathOf(name));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        // Both separators in one array: Split(' ', '\n', options) would bind '\n' as a count of 10 and split on spaces
        // only, leaving the cookie as "N\n", which no strict number parse takes, so every record read had no cookie.
        var words = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (words is [Pending])
        {
            return new NamespaceRecord(null, null);
        }

        // "netns DEVICE INODE COOKIE" (COOKIE "-" on a kernel without cookies); anything else is no record of ours.
        if (words is ["netns", var device, var inode, var cookie]
            && ulong.TryParse(device, NumberStyles.None, CultureInfo.InvariantCulture, out var deviceNumber)
            && ulong.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out var inodeNumber))
        {
            return new NamespaceRecord(
                new FileStatus(deviceNumber, inodeNumber, 0, 0, false),
                ulong.TryParse(cookie, NumberStyles.None, CultureInfo.InvariantCulture, out var cookieNumber) ? cookieNumber : null);
        }

        return null;
    }

    /// <summary>
    /// Removes records of namespaces that are gone (a destroy cut short between the namespace and its record, or a
    /// namespace deleted by hand), among names with <paramref name="prefix"/>; run when an engine starts. A record
    /// younger than <see cref="PruneGrace"/> is kept whatever it says: it may belong to a creation under way, this
    /// agent's or another's whose prefix starts with this one (a pending record comes before the name's file, and
    /// the mount after it), and deleting it would make that agent disown the namespace it is making.
    /// </summary>
    public void PruneStale(string prefix) => PruneStale(prefix, DateTime.UtcNow);

    internal void PruneStale(string prefix, DateTime now)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var name in System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (now - File.GetLastWriteTimeUtc(PathOf(name)) < PruneGrace)
            {
                continue;
            }

            var record = Read(name);
            // One look at the name: a second one (as HoldsNamespace takes) can see a mount the first did not, and
            // compare the namespace with the empty file it replaced.
            var status = NetworkNamespace.StatusOf(name);
            // A name that holds no namespace (a creation cut short before the mount) keeps its record, so the next look
            // at the lab removes the empty name as the agent's own.
            if (status is null || (record?.Made is { } made && NetworkNamespace.IsNamespace(status) && !status.IsSameFileAs(made)))
            {
                Delete(name);
            }
        }
    }

    /// <summary>How old a record must be before <see cref="PruneStale(string)"/> may remove it; a creation takes milliseconds.</summary>
    public static TimeSpan PruneGrace { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether a record (pending or made) exists for the name: a file check, no namespace is opened.</summary>
    public bool Has(string name) => File.Exists(PathOf(name));

    public void WritePending(string name) => Write(name, Pending);

    public void WriteMade(string name, FileStatus made, ulong? cookie) =>
        Write(name, string.Create(CultureInfo.InvariantCulture, $"netns {made.Device} {made.Inode} {(cookie is { } c ? c.ToString(CultureInfo.InvariantCulture) : "-")}\n"));

    public void Delete(string name) => File.Delete(PathOf(name));

    private void Write(string name, string text)
    {
        RootOnlyDirectory.Ensure(Directory, "namespace records");

        // Written aside and renamed over: a record is never seen half-written, also after a crash.
        var temporary = Path.Combine(Directory, $".writing-{Environment.ProcessId}-{Guid.NewGuid():N}");
        File.WriteAllText(temporary, text);
        File.Move(temporary, PathOf(name), overwrite: true);
    }

    private string PathOf(string name) => Path.Combine(Directory, name);
}
