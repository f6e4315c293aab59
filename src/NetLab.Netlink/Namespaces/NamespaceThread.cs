using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using NetLab.Netlink.Interop;

namespace NetLab.Netlink.Namespaces;

/// <summary>
/// Runs code inside a network namespace on a dedicated OS thread. setns and unshare change only the calling
/// thread, so doing them on a pool thread (or across an await) would leak the namespace into unrelated work.
/// The thread ends right after the work, so it never has to be switched back.
/// </summary>
internal static class NamespaceThread
{
    private const int StackSize = 256 * 1024;

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
