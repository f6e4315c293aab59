using System.Diagnostics;
using NetLab.Netlink;

namespace NetLab.Agent.Engine;

/// <summary>
/// Waits, at the end of an apply, until the kernel can send on every link that is up and has a carrier
/// (<see cref="NetlinkHandle.LinkSettle"/> says why it might not yet). Without it a ping straight after an apply on a
/// busy machine loses its first ARP request and waits a second for the kernel's retry - ping's whole wait - so the
/// pair looks unreachable. Kernels before 6.8 get a bounded poll.
/// </summary>
internal static class LinkSettler
{
    /// <summary>Long enough for a link watcher delayed behind a namespace teardown; an apply never fails on it.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(2);

    /// <summary>Settles the links of <paramref name="handles"/>; returns those still unsettled at the limit.</summary>
    public static IReadOnlyList<string> Settle(IReadOnlyCollection<NetlinkHandle> handles, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var waiting = handles.ToList();
        while (true)
        {
            var pending = waiting.Select(h => (Handle: h, Links: h.LinkSettle())).Where(p => p.Links.Count > 0).ToList();
            if (pending.Count == 0 || clock.Elapsed >= limit)
            {
                return pending.SelectMany(p => p.Links.Select(l => $"{p.Handle.Namespace}/{l.Name}")).ToList();
            }

            waiting = pending.Select(p => p.Handle).ToList();
            Thread.Sleep(PollInterval);
        }
    }

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
}
