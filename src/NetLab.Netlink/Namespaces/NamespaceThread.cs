using System.Net.Sockets;
using System.Runtime;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using NetLab.Netlink.Interop;

namespace NetLab.Netlink.Namespaces;

/// <summary>
/// Runs code inside a network namespace on a dedicated OS thread. setns and unshare change only the calling
/// thread, so doing them on a pool thread (or across an await) would leak the namespace into unrelated work.
/// The thread ends right after the work, so it never has to be switched back.
/// A thread made by a thread inside a namespace is born inside it too, and the runtime makes some of its own threads
/// from whichever thread needs them first: its background GC thread is made by the thread that starts a background
/// collection, and lives on (it ends after 20 s without work, to be made again by the next one). Made by a namespace
/// thread, it kept that namespace alive without a name after a destroy: the load benchmark found one in about one run in
/// four with 50 clients. So background (concurrent) collections are off from the first use of a namespace thread on
/// (<see cref="GCLatencyMode.Batch"/>): collections run on the thread that needs them, which makes no thread. The
/// runtime's other thread of that kind, the JIT's tiering worker, exists only under the JIT (not in the native
/// `netlab`) and ends 4 s after its last work. The sockets' event thread (".NET Sockets", one epoll loop for every
/// asynchronous socket of the process) is made by the first asynchronous socket operation and lives as long as the
/// process: made by a namespace thread (a probe's ICMP socket in a process whose first asynchronous socket it was), it held
/// that lab's namespace for good. So it is started here, on the thread that first asks for a namespace thread.
/// </summary>
internal static class NamespaceThread
{
    private const int StackSize = 256 * 1024;

    static NamespaceThread()
    {
        GCSettings.LatencyMode = GCLatencyMode.Batch;
        StartSocketEventThread();
    }

    /// <summary>One asynchronous receive on a socket pair makes the runtime start its socket event thread(s) here.</summary>
    private static void StartSocketEventThread()
    {
        using var first = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var second = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var path = Path.Combine(Path.GetTempPath(), $"netlab-socket-start-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            first.Bind(new UnixDomainSocketEndPoint(path));
            first.Listen(1);
            second.Connect(new UnixDomainSocketEndPoint(path));
            using var accepted = first.Accept();
            var pending = accepted.ReceiveAsync(new byte[1], SocketFlags.None);
            second.Send([0]);
            pending.Wait(TimeSpan.FromSeconds(5));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Enters the namespace behind <paramref name="namespaceFile"/> (null: stay in the caller's) and runs <paramref name="work"/>.</summary>
    public static T Run<T>(SafeFileHandle? namespaceFile, Func<T> work) => RunOnThread(() =>
    {
        if (namespaceFile is not null)
        {
            var added = false;
            namespaceFile.DangerousAddRef(ref added);
            try
            {
                if (LibC.SetNs((int)namespaceFile.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                {
                    throw NetlinkSocket.LastError("enter the network namespace (setns)");
                }
            }
            finally
            {
                if (added)
                {
                    namespaceFile.DangerousRelease();
                }
            }
        }

        return work();
    });

    /// <summary>Creates a fresh network namespace for the thread (unshare) and runs <paramref name="work"/> inside it.</summary>
    public static T RunInNewNamespace<T>(Func<T> work) => RunOnThread(() =>
    {
        if (LibC.Unshare(LibC.CLONE_NEWNET) != 0)
        {
            throw NetlinkSocket.LastError("create a network namespace (unshare)");
        }

        return work();
    });

    private static T RunOnThread<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = body();
                }
                catch (Exception exception)
                {
                    failure = ExceptionDispatchInfo.Capture(exception);
                }
            },
            StackSize)
        {
            IsBackground = true,
            Name = "netlab-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
