using System.Diagnostics;
using NetLab.Core.Links;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Benchmarks;

/// <summary>
/// The same recipe through NetLab.Netlink, as a caller of the library would write it: one handle on the lab host
/// kept for the whole run, one handle per new namespace, closed when that namespace is done.
/// </summary>
internal sealed class NetlinkSide(NetlinkHandle host, int parentIndex) : IBenchmarkSide
{
    public const string DisplayName = "NetLab.Netlink";

    /// <summary>A new network namespace holds only lo, and the kernel always gives it ifindex 1.</summary>
    private const int LoopbackIndex = 1;

    public string Name => DisplayName;

    public void Create(LabMember member, StepTimes steps)
    {
        var started = Stopwatch.GetTimestamp();
        var child = NetlinkHandle.CreateNamespace(member.Namespace);
        try
        {
            started = steps.Record("create namespace + its socket", started);

            // IFLA_NET_NS_FD in the create request puts the macvlan straight into the child, as
            // `ip link add ... netns NS` would; that saves the separate move the seed does.
            host.LinkAdd(new Macvlan
            {
                Name = member.Macvlan,
                ParentIndex = parentIndex,
                Mode = MacvlanMode.Bridge,
                TargetNamespace = child.Namespace,
            });
            started = steps.Record("add macvlan into the namespace", started);

            var index = child.LinkByName(member.Macvlan)?.Index
                ?? throw new BenchmarkFailedException($"{member.Macvlan} was created but is not in {member.Namespace}");
            started = steps.Record("look up the macvlan's ifindex", started);

            child.AddressAdd(new Address(index, member.Address, LabNames.PrefixLength));
            started = steps.Record("add address", started);

            child.LinkSetUp(index);
            started = steps.Record("macvlan up", started);

            child.LinkSetUp(LoopbackIndex);
            started = steps.Record("lo up", started);
        }
        finally
        {
            child.Dispose();
        }

        steps.Record("close the handle", started);
    }

    public void Delete(LabMember member, StepTimes steps)
    {
        var started = Stopwatch.GetTimestamp();
        NetworkNamespace.Delete(member.Namespace);
        steps.Record("delete namespace (unmount + unlink)", started);
    }
}
