using System.Globalization;
using System.Runtime.InteropServices;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Every network namespace something still keeps alive, by its nsfs inode, found the ways a namespace can be held:
/// a thread in it (/proc/*/task/*/ns/net, what `lsns -t net` lists), an open namespace file (/proc/*/fd/* showing
/// `net:[INODE]`, as `ip netns` and NetLab's handles hold them), and a socket made in it (NetLab's netlink, packet and
/// ICMP sockets; asked of this process's own sockets with SIOCGSKNETNS, since the engine under test runs here). A
/// namespace that lost its name under /run/netns but is found here lives on without a name.
/// </summary>
internal static partial class LiveNetworkNamespaces
{
    /// <summary>linux/sockios.h: a new descriptor of the socket's network namespace.</summary>
    private const nuint SIOCGSKNETNS = 0x894C;

    /// <summary>The inodes of every network namespace alive now, as far as this process can see.</summary>
    public static HashSet<ulong> Inodes()
    {
        var inodes = new HashSet<ulong>();
        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            foreach (var task in Enumerate(() => Directory.EnumerateDirectories(Path.Combine(process, "task"))))
            {
                Add(inodes, Link(Path.Combine(task, "ns", "net")));
            }

            foreach (var descriptor in Enumerate(() => Directory.EnumerateFiles(Path.Combine(process, "fd"))))
            {
                Add(inodes, Link(descriptor));
            }
        }

        foreach (var descriptor in Enumerate(() => Directory.EnumerateFiles("/proc/self/fd")))
        {
            if (Link(descriptor)?.StartsWith("socket:", StringComparison.Ordinal) == true
                && int.TryParse(Path.GetFileName(descriptor), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                var namespaceFd = Ioctl(fd, SIOCGSKNETNS, 0);
                if (namespaceFd >= 0)
                {
                    Add(inodes, Link($"/proc/self/fd/{namespaceFd}"));
                    _ = Close(namespaceFd);
                }
            }
        }

        return inodes;
    }

    /// <summary>The inodes of the named namespaces under /run/netns now.</summary>
    public static HashSet<ulong> Named() =>
        NetworkNamespace.ListNames().Select(NetworkNamespace.StatusOf).OfType<FileStatus>().Select(s => s.Inode).ToHashSet();

    /// <summary>
    /// Which of <paramref name="inodes"/> (a lab's namespaces, recorded before they were deleted) are alive without a
    /// name. An inode number is reused once its namespace is gone, so one that a named namespace (another test's) has
    /// now is not counted.
    /// </summary>
    public static IReadOnlyList<ulong> AliveWithoutName(IEnumerable<ulong> inodes)
    {
        var alive = Inodes();
        alive.ExceptWith(Named());
        return inodes.Where(alive.Contains).ToList();
    }

    private static void Add(HashSet<ulong> inodes, string? link)
    {
        // "net:[4026532281]"
        if (link is not null && link.StartsWith("net:[", StringComparison.Ordinal) && link.EndsWith(']')
            && ulong.TryParse(link.AsSpan(5, link.Length - 6), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        {
            inodes.Add(inode);
        }
    }

    private static string? Link(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile (a process, a thread or a descriptor).
            return null;
        }
    }

    private static List<string> Enumerate(Func<IEnumerable<string>> entries)
    {
        try
        {
            return entries().ToList();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
