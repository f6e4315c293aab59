using System.Diagnostics;
using System.Text.Json;
using NetLab.Netlink.Links;

namespace NetLab.Netlink.Benchmarks;

/// <summary>
/// The fixed part of the lab: a "host" namespace whose eth0 is a veth, its peer in a "switch" namespace. The
/// macvlans hang off that eth0, never off a real NIC of the machine.
/// </summary>
internal sealed class LabEnvironment : IDisposable
{
    private static readonly TimeSpan TeardownPollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan TeardownTimeout = TimeSpan.FromSeconds(120);

    // Traced on kernel 6.18 (workqueue events): the last cleanup_net batch ended within 10 ms of the parent's
    // promiscuity dropping to 0 for 200 namespaces. The pause covers that tail; it is not part of any timing.
    private static readonly TimeSpan TeardownTail = TimeSpan.FromMilliseconds(100);

    private readonly LabNames _names;

    private LabEnvironment(LabNames names, NetlinkHandle host, int parentIndex)
    {
        _names = names;
        Host = host;
        ParentIndex = parentIndex;
    }

    /// <summary>A handle on the lab host namespace, kept open for the whole run.</summary>
    public NetlinkHandle Host { get; }

    /// <summary>ifindex of the lab host's eth0 (the veth) inside the lab host namespace.</summary>
    public int ParentIndex { get; }

    public static LabEnvironment Create(LabNames names)
    {
        using var lanSwitch = NetlinkHandle.CreateNamespace(names.SwitchNamespace);
        var host = NetlinkHandle.CreateNamespace(names.HostNamespace);
        try
        {
            host.LinkAdd(new Veth { Name = LabNames.ParentLink, PeerName = LabNames.SwitchPort, PeerNamespace = lanSwitch.Namespace });
            var parent = host.LinkByName(LabNames.ParentLink)
                ?? throw new BenchmarkFailedException($"the veth {LabNames.ParentLink} is missing from {names.HostNamespace} right after it was created");
            var port = lanSwitch.LinkByName(LabNames.SwitchPort)
                ?? throw new BenchmarkFailedException($"the veth peer {LabNames.SwitchPort} is missing from {names.SwitchNamespace}");

            // Up on both ends: the macvlans' unicast addresses make the parent promiscuous only while it is up, and
            // that promiscuity is how the end of the kernel's teardown is seen (WaitForTeardown).
            host.LinkSetUp(parent.Index);
            lanSwitch.LinkSetUp(port.Index);
            return new LabEnvironment(names, host, parent.Index);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How many holds on promiscuous mode the lab eth0 has. Every macvlan that is up on it puts its MAC in eth0's
    /// unicast list and a veth has no unicast filter, so the count is 1 while any such macvlan exists, in any
    /// namespace, and 0 once the kernel has destroyed the last one. NetLab's Link does not carry IFLA_PROMISCUITY,
    /// so `ip -d -j` reads it (outside every timed region).
    /// </summary>
    public int ParentPromiscuity()
    {
        var json = IpCommand.Run("-n", _names.HostNamespace, "-d", "-j", "link", "show", "dev", LabNames.ParentLink);
        using var document = JsonDocument.Parse(json);
        var link = document.RootElement.EnumerateArray().FirstOrDefault();
        return link.ValueKind == JsonValueKind.Object && link.TryGetProperty("promiscuity", out var value)
            ? value.GetInt32()
            : throw new BenchmarkFailedException($"`ip -d -j link show dev {LabNames.ParentLink}` in {_names.HostNamespace} did not report promiscuity");
    }

    /// <summary>
    /// Waits until the kernel has destroyed every deleted namespace's macvlan (the work `ip netns del` leaves to a
    /// kernel worker), so that one side's leftover teardown never slows the next side's measurement. Returns how
    /// long after <paramref name="deleteStartedAt"/> that was.
    /// </summary>
    public TimeSpan WaitForTeardown(long deleteStartedAt, CancellationToken cancellation)
    {
        var waitStarted = Stopwatch.GetTimestamp();
        while (ParentPromiscuity() != 0)
        {
            if (Stopwatch.GetElapsedTime(waitStarted) > TeardownTimeout)
            {
                throw new BenchmarkFailedException($"the kernel had not destroyed the deleted namespaces' macvlans {TeardownTimeout.TotalSeconds:0} s after deletion ({LabNames.ParentLink} in {_names.HostNamespace} is still promiscuous)");
            }

            cancellation.WaitHandle.WaitOne(TeardownPollInterval);
            cancellation.ThrowIfCancellationRequested();
        }

        var done = Stopwatch.GetElapsedTime(deleteStartedAt);
        cancellation.WaitHandle.WaitOne(TeardownTail);
        cancellation.ThrowIfCancellationRequested();
        return done;
    }

    public void Dispose() => Host.Dispose();
}
