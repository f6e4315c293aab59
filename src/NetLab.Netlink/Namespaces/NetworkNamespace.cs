using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetLab.Core.Planning;
using NetLab.Netlink.Interop;

namespace NetLab.Netlink.Namespaces;

/// <summary>
/// A network namespace held open by a file descriptor: a named one under /run/netns (as `ip netns` keeps them),
/// or the namespace this process started in.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    public const string NamedDirectory = "/run/netns";

    private NetworkNamespace(string? name, SafeFileHandle file)
    {
        Name = name;
        File = file;
    }

    /// <summary>The /run/netns name, or null for the process's own namespace.</summary>
    public string? Name { get; }

    internal SafeFileHandle File { get; }

    public string DisplayName => Name ?? "(host namespace)";

    /// <summary>The network namespace the process started in (pid 1's view is not assumed: the thread-group leader's).</summary>
    public static NetworkNamespace Host() => new(null, OpenFile("/proc/self/ns/net", "the process's own namespace"));

    public static bool Exists(string name) => System.IO.File.Exists(PathOf(name));

    /// <summary>The file this handle holds open: for a namespace, its inode is the namespace's number.</summary>
    public FileStatus Status => FileStatus.Of(File, DisplayName);

    /// <summary>What is at /run/netns/<paramref name="name"/> now, or null when the name does not exist.</summary>
    public static FileStatus? StatusOf(string name)
    {
        CheckName(name);
        return FileStatus.Of(PathOf(name));
    }

    /// <summary>
    /// The name holds a namespace (an nsfs bind mount), not the empty file `ip netns add` creates before it mounts one
    /// (what a creator killed in between leaves behind).
    /// </summary>
    public static bool HoldsNamespace(string name) => StatusOf(name) is { } status && IsNamespace(status);

    /// <summary>Whether a status read of a name is of a namespace (nsfs), not of the empty file under it.</summary>
    public static bool IsNamespace(FileStatus status) => status.Device == NamespaceDevice.Value;

    /// <summary>The device of nsfs, the kernel's file system of namespace files.</summary>
    private static readonly Lazy<ulong> NamespaceDevice = new(() => (FileStatus.Of("/proc/self/ns/net") ?? throw new NetlinkException(Errno.ENOENT, "stat /proc/self/ns/net")).Device);

    /// <summary>Opens an existing named namespace.</summary>
    public static NetworkNamespace Open(string name)
    {
        CheckName(name);
        if (!Exists(name))
        {
            throw new NetlinkException(Errno.ENOENT, $"open network namespace '{name}'", null, $"There is no {PathOf(name)}; create it first (NetLab does, or `ip netns add {name}`)");
        }

        return new NetworkNamespace(name, OpenFile(PathOf(name), $"namespace '{name}'"));
    }

    /// <summary>
    /// Creates a named namespace exactly as `ip netns add` does: /run/netns made a shared mount point, an empty file
    /// for the name, a new namespace from unshare, and /proc/thread-self/ns/net bind-mounted on the file.
    /// </summary>
    public static NetworkNamespace Create(string name) => CreateWith(name, () => 0).Namespace;

    /// <summary>
    /// Creates a named namespace and runs <paramref name="inside"/> on the creating thread, already inside it, then
    /// <paramref name="beforeNamed"/> with its result and the new namespace's identity (nsfs device and inode) before
    /// the namespace is mounted on its name: whatever the caller records there is written before anyone can see the
    /// name holding a namespace, so a process killed at any point never leaves a mounted namespace it has no record of.
    /// </summary>
    internal static (NetworkNamespace Namespace, T Result) CreateWith<T>(string name, Func<T> inside, Action<T, FileStatus>? beforeNamed = null)
    {
        CheckName(name);
        PrepareNamedDirectory();
        var path = PathOf(name);
        try
        {
            // O_EXCL: an existing name is an error, never silently reused.
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            throw new NetlinkException(Errno.EEXIST, $"create network namespace '{name}'", null, $"{path} already exists; delete that namespace first or choose another name");
        }

        T? result = default;
        try
        {
            result = NamespaceThread.RunInNewNamespace(() =>
            {
                var made = inside();
                try
                {
                    // /proc/thread-self: this thread's namespace, the new one (the process's stays the host's).
                    beforeNamed?.Invoke(made, FileStatus.Of("/proc/thread-self/ns/net") ?? throw new NetlinkException(Errno.ENOENT, "stat /proc/thread-self/ns/net"));
                    if (LibC.Mount("/proc/thread-self/ns/net", path, "none", LibC.MS_BIND, 0) != 0)
                    {
                        throw NetlinkSocket.LastError($"bind-mount the new namespace on {path}");
                    }
                }
                catch
                {
                    (made as IDisposable)?.Dispose();
                    throw;
                }

                return made;
            });
            return (new NetworkNamespace(name, OpenFile(path, $"namespace '{name}'")), result);
        }
        catch
        {
            // A socket made inside would keep the namespace alive after its name is gone.
            (result as IDisposable)?.Dispose();
            LibC.Umount2(path, LibC.MNT_DETACH);
            TryDeleteFile(path);
            throw;
        }
    }

    /// <summary>Deletes a named namespace as `ip netns del` does: detach the bind mount, remove the file.
    /// Its links die with it once no process and no open handle keeps it alive.</summary>
    public static void Delete(string name)
    {
        CheckName(name);
        var path = PathOf(name);
        if (!System.IO.File.Exists(path))
        {
            throw new NetlinkException(Errno.ENOENT, $"delete network namespace '{name}'", null, $"There is no {path}");
        }

        if (LibC.Umount2(path, LibC.MNT_DETACH) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINVAL)
            {
                throw new NetlinkException(errno, $"unmount {path}");
            }
        }

        System.IO.File.Delete(path);
    }

    /// <summary>Names under /run/netns, as `ip netns list` shows them.</summary>
    public static IReadOnlyList<string> ListNames() => Directory.Exists(NamedDirectory)
        ? Directory.GetFiles(NamedDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>Runs <paramref name="work"/> on a dedicated thread inside this namespace.</summary>
    public T Run<T>(Func<T> work) => NamespaceThread.Run(File, work);

    public void Dispose() => File.Dispose();

    public override string ToString() => DisplayName;

    internal static string PathOf(string name) => Path.Combine(NamedDirectory, name);

    private static void CheckName(string name)
    {
        // `ip netns` accepts any file name; NetLab keeps to short plain names, and its validator checks labs against the same limit.
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || name is "." or ".." || name.Any(char.IsWhiteSpace)
            || System.Text.Encoding.UTF8.GetByteCount(name) > NamingScheme.MaxNamespaceBytes)
        {
            throw new InvalidLinkRequestException($"'{name.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a usable namespace name: use 1-{NamingScheme.MaxNamespaceBytes} bytes without '/', whitespace or NUL");
        }
    }

    private static int _prepared;

    /// <summary>Makes /run/netns a shared mount point of its own, so that mounts in it propagate to other mount namespaces (iproute2's netns_add loop).</summary>
    private static void PrepareNamedDirectory()
    {
        if (Volatile.Read(ref _prepared) == 1)
        {
            return;
        }

        Directory.CreateDirectory(NamedDirectory);
        var madeShared = false;
        while (!madeShared)
        {
            if (LibC.Mount("", NamedDirectory, "none", LibC.MS_SHARED | LibC.MS_REC, 0) == 0)
            {
                madeShared = true;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINVAL)
            {
                throw new NetlinkException(errno, $"make {NamedDirectory} a shared mount");
            }

            // Not a mount point yet: bind it onto itself, then try again.
            if (LibC.Mount(NamedDirectory, NamedDirectory, "none", LibC.MS_BIND | LibC.MS_REC, 0) != 0)
            {
                throw NetlinkSocket.LastError($"bind-mount {NamedDirectory} onto itself");
            }
        }

        Volatile.Write(ref _prepared, 1);
    }

    private static SafeFileHandle OpenFile(string path, string what)
    {
        try
        {
            return System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new NetlinkException(Errno.EACCES, $"open {what} ({path})", null, exception.Message);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            System.IO.File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

}
