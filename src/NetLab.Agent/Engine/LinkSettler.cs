using System.Diagnostics;
using NetLab.Netlink;
using NetLab.Netlink.Links;

namespace NetLab.Agent.Engine;

/// <summary>
/// Waits, at the end of an apply, until the kernel can send on every link that is up and has a carrier. A carrier
/// change takes effect in the kernel's link watcher, a work item that needs the rtnl lock: until it has run, the
/// link's transmit queue is still the noop qdisc, which drops everything. A ping straight after an apply then loses
/// its first ARP request and waits a second for the kernel's retry - one second is ping's whole wait, so the pair
/// looks unreachable. On a busy machine (other namespaces being torn down hold the rtnl lock) that happens.
/// RTM_GETLINK for one link runs the link watcher for that link before it answers (rtnl_getlink's
/// linkwatch_sync_dev, kernel 6.8 and later); older kernels get a bounded poll until the operstate catches up.
/// </summary>
internal static class LinkSettler
{
    /// <summary>Long enough for a link watcher delayed behind a namespace teardown; an apply never fails on it.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(2);

    /// <summary>Settles the links of <paramref name="handles"/>; returns the names of those still unsettled at the limit.</summary>
    public static IReadOnlyList<string> Settle(IReadOnlyCollection<NetlinkHandle> handles, TimeSpan limit)
    {
        foreach (var handle in handles)
        {
            foreach (var link in handle.LinkList().Where(l => l.IsUp && l.Carrier == true && l.Index != LoopbackIndex))
            {
                // The answer is not needed: asking is what makes the kernel run the link watcher for this link.
                handle.LinkByIndex(link.Index);
            }
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var pending = handles.SelectMany(h => h.LinkList().Where(IsPending).Select(l => $"{h.Namespace}/{l.Name}")).ToList();
            if (pending.Count == 0 || clock.Elapsed >= limit)
            {
                return pending;
            }

            Thread.Sleep(PollInterval);
        }
    }

    /// <summary>
    /// Up with a carrier, yet operationally down: the link watcher has not seen the carrier come on. (A link whose
    /// driver never reports an operstate stays "unknown" and is sendable from the moment it is up.)
    /// </summary>
    internal static bool IsPending(Link link) =>
        link.IsUp && link.Carrier == true && link.OperState is OperState.Down or OperState.LowerLayerDown;

    private const int LoopbackIndex = 1;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
}
