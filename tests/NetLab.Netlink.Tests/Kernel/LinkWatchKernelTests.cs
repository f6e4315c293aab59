using System.Diagnostics;
using NetLab.Netlink.Links;

namespace NetLab.Netlink.Tests.Kernel;

/// <summary>
/// The kernel behaviour the agent's link settler relies on: a carrier change takes effect only when the kernel's link
/// watcher runs, and RTM_GETLINK for one link runs it for that link before answering (kernel 6.8 and later).
/// </summary>
public sealed class LinkWatchKernelTests
{
    [Fact]
    public void Getting_one_link_runs_the_link_watcher_for_it()
    {
        KernelLab.RequireRoot();
        if (Environment.OSVersion.Version < new Version(6, 8))
        {
            Assert.Skip($"This kernel ({Environment.OSVersion.Version}) predates 6.8, whose RTM_GETLINK runs the link watcher first; the agent polls there instead.");
        }

        using var lab = new KernelLab();
        var ns = lab.Namespace("a");
        ns.LinkAdd(new Bridge { Name = "br0" });
        ns.LinkAdd(new Veth { Name = "p0", PeerName = "p1" });
        var bridge = ns.LinkByName("br0")!.Index;
        var port = ns.LinkByName("p0")!.Index;
        ns.LinkSetMaster(port, bridge);
        ns.LinkSetUp(bridge);
        ns.LinkSetUp(ns.LinkByName("p1")!.Index);
        ns.LinkSetUp(port);
        WaitFor(() => ns.LinkByIndex(bridge)!.OperState == OperState.Up);

        // The bridge loses its only port: its carrier goes off at once, but that is a link-watcher event the kernel
        // defers for up to a second after the watcher's last run (which was just now).
        ns.LinkSetDown(port);
        var answered = ns.LinkByIndex(bridge)!;

        Assert.False(answered.Carrier);
        Assert.Equal(OperState.Down, answered.OperState);
    }

    private static void WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "The bridge did not come up within 5 s.");
            Thread.Sleep(10);
        }
    }
}
