using System.Diagnostics;
using System.Net;
using NetLab.Core.Diagnostics;
using NetLab.Core.Links;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Netlink.Diagnostics;

/// <summary>
/// Creates every link kind and mode NetLab supports in a scratch namespace, reads each back by dump, compares
/// the fields, removes it, and reports ok / unsupported (with the kernel's own message) / failed.
/// Nothing is created outside the scratch namespace, which is deleted at the end whatever happens.
/// </summary>
public static class KernelDoctor
{
    public const string NamespacePrefix = "netlab-doctor-";

    private sealed record Probe(string Kind, string? Mode, Func<NetlinkHandle, int, Link> Make, Func<Link, Link, string?> Compare, Action<NetlinkHandle, Link>? After = null);

    private static int _runs;

    public static IReadOnlyList<KernelCheck> Run(IProgress<KernelCheck>? progress = null)
    {
        // Unique per run: several engines in one process (tests, an agent and an in-process CLI) may probe at once.
        var name = $"{NamespacePrefix}{Environment.ProcessId}-{Interlocked.Increment(ref _runs)}";
        var results = new List<KernelCheck>();
        using var handle = NetlinkHandle.CreateNamespace(name);
        try
        {
            handle.LinkAdd(new Veth { Name = "parent0", PeerName = "parent0peer" });
            var parent = handle.LinkByName("parent0")?.Index ?? throw new InvalidOperationException("the scratch parent veth vanished");
            foreach (var probe in Probes())
            {
                var result = RunProbe(handle, parent, probe);
                results.Add(result);
                progress?.Report(result);
            }
        }
        finally
        {
            NetworkNamespace.Delete(name);
        }

        return results;
    }

    private static KernelCheck RunProbe(NetlinkHandle handle, int parent, Probe probe)
    {
        var clock = Stopwatch.StartNew();
        var wanted = probe.Make(handle, parent);
        try
        {
            handle.LinkAdd(wanted);
        }
        catch (NetlinkException error) when (error.IsUnsupported)
        {
            return new KernelCheck(probe.Kind, probe.Mode, CheckStatus.Unsupported, error.KernelMessage ?? error.Message, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception error) when (error is NetlinkException or InvalidLinkRequestException)
        {
            return new KernelCheck(probe.Kind, probe.Mode, CheckStatus.Failed, error.Message, clock.Elapsed.TotalMilliseconds);
        }

        try
        {
            var observed = handle.LinkByName(wanted.Name);
            if (observed is null)
            {
                return Fail("created, but a dump does not show it");
            }

            probe.After?.Invoke(handle, observed);
            observed = handle.LinkByName(wanted.Name)!;
            var mismatch = observed.Kind != wanted.Kind
                ? $"kind reads back as '{observed.Kind}', not '{wanted.Kind}'"
                : probe.Compare(wanted, observed);
            handle.LinkDelete(observed.Index);
            if (handle.LinkByName(wanted.Name) is not null)
            {
                return Fail("deleted, but a dump still shows it");
            }

            return mismatch is null
                ? new KernelCheck(probe.Kind, probe.Mode, CheckStatus.Ok, "created, read back, deleted", clock.Elapsed.TotalMilliseconds)
                : Fail(mismatch);
        }
        catch (Exception error) when (error is NetlinkException or NetlinkParseException)
        {
            return Fail(error.Message);
        }

        KernelCheck Fail(string why) => new(probe.Kind, probe.Mode, CheckStatus.Failed, why, clock.Elapsed.TotalMilliseconds);
    }

    private static IEnumerable<Probe> Probes()
    {
        yield return new Probe("veth", null, (_, _) => new Veth { Name = "dr-veth", PeerName = "dr-vethpeer", Mtu = 1400 }, (w, o) => Same("mtu", w.Mtu, o.Mtu));
        foreach (var mode in Enum.GetValues<MacvlanMode>())
        {
            var sources = mode == MacvlanMode.Source ? new[] { MacAddress.Parse("02:00:00:00:00:99") } : [];
            yield return new Probe("macvlan", mode.Word(), (_, p) => new Macvlan { Name = "dr-mv", ParentIndex = p, Mode = mode, SourceAddresses = sources }, CompareMacvlan);
            yield return new Probe("macvtap", mode.Word(), (_, p) => new Macvtap { Name = "dr-mvt", ParentIndex = p, Mode = mode, SourceAddresses = sources }, CompareMacvlan);
        }

        yield return new Probe("macvlan", "passthru nopromisc", (_, p) => new Macvlan { Name = "dr-mv", ParentIndex = p, Mode = MacvlanMode.Passthru, NoPromisc = true }, CompareMacvlan);
        yield return new Probe("vlan", "802.1Q", (_, p) => new Vlan { Name = "dr-vlan", ParentIndex = p, VlanId = 888 }, CompareVlan);
        yield return new Probe("vlan", "802.1ad", (_, p) => new Vlan { Name = "dr-vlan", ParentIndex = p, VlanId = 889, Protocol = VlanProtocol.Dot1AD }, CompareVlan);
        yield return new Probe("bridge", null, (_, _) => new Bridge { Name = "dr-br" }, (_, _) => null);
        yield return new Probe(
            "bridge",
            "port hairpin",
            (_, _) => new Bridge { Name = "dr-br" },
            (_, _) => null,
            After: (h, bridge) =>
            {
                h.LinkAdd(new Veth { Name = "dr-port", PeerName = "dr-portpeer" });
                var port = h.LinkByName("dr-port")!.Index;
                h.LinkSetMaster(port, bridge.Index);
                h.LinkSetHairpin(port, on: true);
                var observed = h.LinkByName("dr-port")!;
                h.LinkDelete(port);
                if (observed.Hairpin != true || observed.MasterIndex != bridge.Index)
                {
                    throw new NetlinkException(0, "check the bridge port", null, $"hairpin reads back as {observed.Hairpin?.ToString() ?? "absent"}, master as {observed.MasterIndex}");
                }
            });
        yield return new Probe("vxlan", null, (_, p) => new Vxlan { Name = "dr-vx", Vni = 42, Port = 4789, UnderlayIndex = p, Local = IPAddress.Parse("10.255.0.1") }, CompareVxlan);
        yield return new Probe("dummy", null, (_, _) => new Dummy { Name = "dr-dummy" }, (_, _) => null);
        yield return new Probe("ipvlan", "l2", (_, p) => new Ipvlan { Name = "dr-ipvlan", ParentIndex = p }, (w, o) => Same("parent", w.ParentIndex, o.ParentIndex));
    }

    private static string? CompareMacvlan(Link wanted, Link observed)
    {
        var w = (Macvlan)wanted;
        var o = (Macvlan)observed;
        return Same("mode", w.Mode, o.Mode)
            ?? Same("parent", w.ParentIndex, o.ParentIndex)
            ?? Same("nopromisc", w.NoPromisc, o.NoPromisc)
            ?? (w.SourceAddresses.SequenceEqual(o.SourceAddresses) ? null : $"source MACs read back as [{string.Join(", ", o.SourceAddresses)}]");
    }

    private static string? CompareVlan(Link wanted, Link observed)
    {
        var w = (Vlan)wanted;
        var o = (Vlan)observed;
        return Same("vlan id", w.VlanId, o.VlanId) ?? Same("protocol", w.Protocol, o.Protocol) ?? Same("parent", w.ParentIndex, o.ParentIndex);
    }

    private static string? CompareVxlan(Link wanted, Link observed)
    {
        var w = (Vxlan)wanted;
        var o = (Vxlan)observed;
        return Same("vni", w.Vni, o.Vni) ?? Same("port", w.Port, o.Port) ?? Same("underlay", w.UnderlayIndex, o.UnderlayIndex) ?? Same("local", w.Local, o.Local);
    }

    private static string? Same<T>(string field, T wanted, T observed) =>
        EqualityComparer<T>.Default.Equals(wanted, observed) ? null : $"{field} reads back as '{observed}', not '{wanted}'";
}
