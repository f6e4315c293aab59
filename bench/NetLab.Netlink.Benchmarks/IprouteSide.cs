using System.Diagnostics;

namespace NetLab.Netlink.Benchmarks;

/// <summary>The seed notebook's recipe: one `ip` process per step, the macvlan made in the host and then moved.</summary>
internal sealed class IprouteSide(string hostNamespace) : IBenchmarkSide
{
    public const string DisplayName = "iproute2";

    public string Name => DisplayName;

    public void Create(LabMember member, StepTimes steps)
    {
        var started = Stopwatch.GetTimestamp();
        IpCommand.Run("-n", hostNamespace, "link", "add", "link", LabNames.ParentLink, "dev", member.Macvlan, "type", "macvlan", "mode", "bridge");
        started = steps.Record("ip -n HOST link add link eth0 dev MV type macvlan mode bridge", started);

        IpCommand.Run("netns", "add", member.Namespace);
        started = steps.Record("ip netns add NS", started);

        IpCommand.Run("-n", hostNamespace, "link", "set", member.Macvlan, "netns", member.Namespace);
        started = steps.Record("ip -n HOST link set MV netns NS", started);

        IpCommand.Run("-n", member.Namespace, "addr", "add", member.Cidr, "dev", member.Macvlan);
        started = steps.Record("ip -n NS addr add A/16 dev MV", started);

        IpCommand.Run("-n", member.Namespace, "link", "set", member.Macvlan, "up");
        started = steps.Record("ip -n NS link set MV up", started);

        IpCommand.Run("-n", member.Namespace, "link", "set", "lo", "up");
        steps.Record("ip -n NS link set lo up", started);
    }

    public void Delete(LabMember member, StepTimes steps)
    {
        var started = Stopwatch.GetTimestamp();
        IpCommand.Run("netns", "del", member.Namespace);
        steps.Record("ip netns del NS", started);
    }
}
