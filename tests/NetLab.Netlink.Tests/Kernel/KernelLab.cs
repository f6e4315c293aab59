using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// Scratch namespaces for one kernel test, all named with a per-test prefix, and all deleted on dispose, also
/// when the test fails. Kernel tests skip (with the reason) when not root, so they never pass silently.
/// </summary>
internal sealed class KernelLab : IDisposable
{
    public const string Prefix = "nltest-";

    private readonly List<NetlinkHandle> _handles = [];

    public KernelLab()
    {
        RequireRoot();
        Id = $"{Prefix}{Environment.ProcessId % 100000}-{Interlocked.Increment(ref _counter)}";
    }

    private static int _counter;

    public string Id { get; }

    /// <summary>Creates namespace "{Id}-{suffix}" and a handle inside it.</summary>
    public NetlinkHandle Namespace(string suffix)
    {
        var handle = NetlinkHandle.CreateNamespace($"{Id}-{suffix}");
        _handles.Add(handle);
        return handle;
    }

    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            Assert.Skip("Kernel tests need root (CAP_NET_ADMIN, CAP_SYS_ADMIN); run the suite as root.");
        }
    }

    /// <summary>Skips the test, saying why, when the kernel lacks a link kind.</summary>
    public static void SkipIfUnsupported(NetlinkException error, string what)
    {
        if (error.IsUnsupported)
        {
            Assert.Skip($"This kernel ({Environment.OSVersion.Version}) cannot create {what}: {error.Message}");
        }
    }

    /// <summary>
    /// `ip netns exec NS ping` as the test's oracle (product code never runs iproute2), once the kernel can send on
    /// every link of this lab (a ping straight after a link comes up can lose its first ARP to the noop qdisc).
    /// </summary>
    public bool Ping(NetlinkHandle from, string target, int count = 1)
    {
        Settle();
        return Run("ip", "netns", "exec", from.Namespace.Name!, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "1", "-q", target).ExitCode == 0;
    }

    /// <summary>Runs the kernel's link watcher for every up link of this lab (see <see cref="NetlinkHandle.LinkSettle(IEnumerable{NetlinkHandle}, TimeSpan)"/>).</summary>
    public void Settle() => NetlinkHandle.LinkSettle(_handles, TimeSpan.FromSeconds(2));

    public static (int ExitCode, string Output) Run(string program, params string[] arguments) => ExternalCommand.Run(program, arguments);

    public void Dispose()
    {
        List<Exception> failures = [];
        foreach (var handle in _handles)
        {
            var name = handle.Namespace.Name!;
            handle.Dispose();
            try
            {
                if (NetworkNamespace.Exists(name))
                {
                    NetworkNamespace.Delete(name);
                }
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("cleaning up test namespaces failed", failures);
        }
    }

    private static bool IsRoot()
    {
        var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return status?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
    }
}
