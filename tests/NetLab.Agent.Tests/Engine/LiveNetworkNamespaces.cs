using System.Globalization;
using System.Runtime.InteropServices;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// Every network namespace something still keeps alive, by its nsfs inode, found the ways a namespace can be held:
/// a thread in it (/proc/*/task/*/ns/net, what `lsns -t net` lists), an open namespace file (/proc/*/fd/* showing
/// `net:[INODE]`, as `ip netns` and NetLab's handles hold them), and a socket made in it (NetLab's netlink, packet and
/// ICMP sockets; asked with SIOCGSKNETNS of this process's own sockets, since the engine under test runs here, and of the
/// sockets of the agent processes named, copied into this process with pidfd_getfd). A namespace that lost its name
/// under /run/netns but is found here lives on without a name.
/// </summary>
internal static partial class LiveNetworkNamespaces
{
    /// <summary>linux/sockios.h: a new descriptor of the socket's network namespace.</summary>
    private const nuint SIOCGSKNETNS = 0x894C;

    /// <summary>
    /// The inodes of every network namespace alive now, as far as this process can see; the sockets of
    /// <paramref name="socketOwners"/> (other processes, e.g. an agent of its own) are asked too.
    /// </summary>
    public static HashSet<ulong> Inodes(IEnumerable<int>? socketOwners = null)
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

        foreach (var fd in Sockets("self"))
        {
            AddSocketNamespace(inodes, fd);
        }

        foreach (var owner in socketOwners ?? [])
        {
            AddSocketNamespaces(inodes, owner);
        }

        return inodes;
    }

    /// <summary>
    /// The namespaces one process holds: its threads' (as `lsns` counts them), its open namespace files, and its sockets'
    /// (its own sockets are asked directly when it is this process, else copied in with pidfd_getfd).
    /// </summary>
    public static HashSet<ulong> HeldBy(int pid)
    {
        var process = pid == Environment.ProcessId ? "self" : pid.ToString(CultureInfo.InvariantCulture);
        var inodes = new HashSet<ulong>();
        foreach (var task in Enumerate(() => Directory.EnumerateDirectories($"/proc/{process}/task")))
        {
            Add(inodes, Link(Path.Combine(task, "ns", "net")));
        }

        foreach (var descriptor in Enumerate(() => Directory.EnumerateFiles($"/proc/{process}/fd")))
        {
            Add(inodes, Link(descriptor));
        }

        if (process == "self")
        {
            foreach (var fd in Sockets("self"))
            {
                AddSocketNamespace(inodes, fd);
            }
        }
        else
        {
            AddSocketNamespaces(inodes, pid);
        }

        return inodes;
    }

    /// <summary>
    /// The namespaces <paramref name="pid"/> holds that have no name: neither its own (the machine's, where it runs) nor
    /// one named under /run/netns. An agent that leaks a handle, a socket or a thread into a deleted lab namespace shows
    /// it here, with its inode.
    /// </summary>
    public static IReadOnlyList<ulong> NamelessHeldBy(int pid)
    {
        var held = HeldBy(pid);
        held.ExceptWith(Named());
        var own = new HashSet<ulong>();
        Add(own, Link($"/proc/{(pid == Environment.ProcessId ? "self" : pid.ToString(CultureInfo.InvariantCulture))}/ns/net"));
        held.ExceptWith(own);
        return [.. held.Order()];
    }

    /// <summary>What in <paramref name="pid"/> holds <paramref name="inode"/>: its threads in it, its descriptors of it, its sockets made in it.</summary>
    public static IReadOnlyList<string> HoldersOf(int pid, ulong inode)
    {
        var process = pid == Environment.ProcessId ? "self" : pid.ToString(CultureInfo.InvariantCulture);
        var target = $"net:[{inode.ToString(CultureInfo.InvariantCulture)}]";
        var holders = new List<string>();
        foreach (var task in Enumerate(() => Directory.EnumerateDirectories($"/proc/{process}/task")))
        {
            if (Link(Path.Combine(task, "ns", "net")) == target)
            {
                holders.Add($"thread {Path.GetFileName(task)} ({ReadQuietly(Path.Combine(task, "comm"))})");
            }
        }

        foreach (var descriptor in Enumerate(() => Directory.EnumerateFiles($"/proc/{process}/fd")))
        {
            if (Link(descriptor) == target)
            {
                holders.Add($"descriptor {Path.GetFileName(descriptor)} (the namespace file)");
            }
        }

        var pidFd = process == "self" ? -1 : PidFdOpen(pid, 0);
        try
        {
            foreach (var fd in Sockets(process))
            {
                var copy = process == "self" ? fd : PidFdGetFd(pidFd, fd, 0);
                if (copy < 0)
                {
                    continue;
                }

                var found = new HashSet<ulong>();
                AddSocketNamespace(found, copy);
                if (copy != fd)
                {
                    _ = Close(copy);
                }

                if (found.Contains(inode))
                {
                    holders.Add($"descriptor {fd} ({Link($"/proc/{process}/fd/{fd}")}, a socket made in it)");
                }
            }
        }
        finally
        {
            if (pidFd >= 0)
            {
                _ = Close(pidFd);
            }
        }

        return holders;
    }

    private static string ReadQuietly(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    /// <summary>The socket descriptors of a process ("self" or a pid), by number.</summary>
    private static List<int> Sockets(string process)
    {
        var sockets = new List<int>();
        foreach (var descriptor in Enumerate(() => Directory.EnumerateFiles($"/proc/{process}/fd")))
        {
            if (Link(descriptor)?.StartsWith("socket:", StringComparison.Ordinal) == true
                && int.TryParse(Path.GetFileName(descriptor), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                sockets.Add(fd);
            }
        }

        return sockets;
    }

    private static void AddSocketNamespace(HashSet<ulong> inodes, int socketFd)
    {
        var namespaceFd = Ioctl(socketFd, SIOCGSKNETNS, 0);
        if (namespaceFd >= 0)
        {
            Add(inodes, Link($"/proc/self/fd/{namespaceFd}"));
            _ = Close(namespaceFd);
        }
    }

    /// <summary>
    /// Another process's sockets: each is copied into this process (pidfd_getfd, Linux 5.6; root may, as ptrace would)
    /// just long enough to ask its namespace. A process gone meanwhile has nothing left to hold.
    /// </summary>
    private static void AddSocketNamespaces(HashSet<ulong> inodes, int pid)
    {
        var pidFd = PidFdOpen(pid, 0);
        if (pidFd < 0)
        {
            return;
        }

        try
        {
            foreach (var fd in Sockets(pid.ToString(CultureInfo.InvariantCulture)))
            {
                var copy = PidFdGetFd(pidFd, fd, 0);
                if (copy >= 0)
                {
                    AddSocketNamespace(inodes, copy);
                    _ = Close(copy);
                }
            }
        }
        finally
        {
            _ = Close(pidFd);
        }
    }

    /// <summary>The inodes of the named namespaces under /run/netns now.</summary>
    public static HashSet<ulong> Named() =>
        NetworkNamespace.ListNames().Select(NetworkNamespace.StatusOf).OfType<FileStatus>().Select(s => s.Inode).ToHashSet();

    /// <summary>
    /// Which of <paramref name="inodes"/> (a lab's namespaces, recorded before they were deleted) are alive without a
    /// name. An inode number is reused once its namespace is gone, so one that a named namespace (another test's) has
    /// now is not counted.
    /// </summary>
    public static IReadOnlyList<ulong> AliveWithoutName(IEnumerable<ulong> inodes, IEnumerable<int>? socketOwners = null)
    {
        var alive = Inodes(socketOwners);
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

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidFdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "pidfd_getfd", SetLastError = true)]
    private static partial int PidFdGetFd(int pidFd, int targetFd, uint flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
