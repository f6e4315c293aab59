using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Planning;
using NetLab.Netlink;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Interop;
using NetLab.Netlink.Links;
using NetLab.Netlink.Probing;
using NetLab.Netlink.Protocol;

namespace NetLab.Agent.Engine;

/// <summary>
/// The connectivity check of a lab, read from the kernel alone (so it works for any lab the agent holds, also after a
/// restart): from every host and namespace of the lab to every address of the lab, its own included. All namespaces
/// probe at once and share one timeout, so a 50-namespace lab takes about the timeout, not 2,500 of them. A lab whose
/// pairs need more neighbour entries than the kernel's shared ARP/ND table has room for (see <see cref="ProbeWaves"/>)
/// is probed in waves of sources instead; the entries each wave created are deleted before the next, so it gets room.
/// Switch namespaces are not sources: a lab switch is a layer-2 device (a bridge and its ports, no address), and it
/// has no IP stack to ping from. Targets are the addresses of global scope on the lab's interfaces; lo's 127.0.0.1
/// and ::1 and IPv6 link-local addresses (which need an interface to be named) are not lab addresses.
/// </summary>
internal sealed class LabProber(KernelNamespaces namespaces, NamingScheme naming)
{
    /// <summary>
    /// Tests only: the neighbour entries a check may create in each family's table, instead of half the room /proc
    /// shows, so that waves can be tested whatever this machine's gc_thresh3.
    /// </summary>
    internal int? NeighborBudgetOverride { get; set; }

    /// <summary>Refuses a request the check cannot take, before the lab is locked.</summary>
    public static void CheckRequest(ProbeRequest request)
    {
        if (request.TimeoutMilliseconds is < 1 or > ProbeRequest.MaxTimeoutMilliseconds)
        {
            throw new ArgumentException($"A probe timeout of {request.TimeoutMilliseconds} ms is out of range: give 1 to {ProbeRequest.MaxTimeoutMilliseconds} ms (1000 is ping's own default wait for a lab; a check holds its lab, so its wait is bounded).");
        }
    }

    public async Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken)
    {
        CheckRequest(request);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var kernelNames = namespaces.List(n => naming.BelongsTo(n, labName)).Order(StringComparer.Ordinal).ToList();
        if (kernelNames.Count == 0)
        {
            throw new LabNotFoundException(labName);
        }

        var observed = await Task.WhenAll(kernelNames.Select(name => Task.Run(() => Read(labName, name), cancellationToken))).ConfigureAwait(false);
        var targets = observed.SelectMany(TargetsOf).ToList();
        var addresses = targets.Select(t => t.Address).ToList();
        var timeout = TimeSpan.FromMilliseconds(request.TimeoutMilliseconds);
        var sources = observed.Where(ns => !IsSwitch(ns)).ToList();
        await Task.WhenAll(sources.Select(ns => Task.Run(() => ForgetFailedNeighbors(ns.Handle), cancellationToken))).ConfigureAwait(false);
        var waves = ProbeWaves.Split(sources.Count, ProbeWaves.WaveSize(sources.Count, LoadsOf(addresses)));
        var outcomes = waves.Count == 1
            ? await ProbeAtOnceAsync(sources, addresses, timeout, cancellationToken).ConfigureAwait(false)
            : await ProbeInWavesAsync(observed, sources, waves, addresses, timeout, cancellationToken).ConfigureAwait(false);

        var results = new List<ProbeResult>(sources.Count * targets.Count);
        for (var s = 0; s < sources.Count; s++)
        {
            for (var t = 0; t < targets.Count; t++)
            {
                var outcome = outcomes[s][t];
                results.Add(new ProbeResult(
                    sources[s].Element,
                    targets[t].Element,
                    targets[t].Interface,
                    targets[t].Address.ToString(),
                    outcome.Replied,
                    NeighborOutcomeOf(outcome),
                    outcome.RttMilliseconds is { } rtt ? Math.Round(rtt, 3) : null,
                    ErrorOf(outcome)));
            }
        }

        return new ProbeReport(labName, startedAt, clock.Elapsed.TotalMilliseconds, results, waves.Count);
    }

    /// <summary>Each namespace's route lookups and sends run on a pool thread of their own, so that 50 namespaces send at once.</summary>
    private static async Task<IReadOnlyList<EchoOutcome>[]> ProbeAtOnceAsync(IEnumerable<ObservedProbeNamespace> sources, IReadOnlyList<IPAddress> addresses, TimeSpan timeout, CancellationToken cancellationToken) =>
        await Task.WhenAll(sources.Select(source => Task.Run(() => NamespaceProbe.RunAsync(source.Handle, addresses, timeout, cancellationToken), cancellationToken))).ConfigureAwait(false);

    /// <summary>
    /// The sources take turns. Each wave's outcomes (its neighbour outcomes included) are read before the entries it
    /// created anywhere in the lab are deleted; entries that existed before the check are never touched.
    /// </summary>
    private static async Task<IReadOnlyList<EchoOutcome>[]> ProbeInWavesAsync(IReadOnlyList<ObservedProbeNamespace> lab, IReadOnlyList<ObservedProbeNamespace> sources, IReadOnlyList<Range> waves, IReadOnlyList<IPAddress> addresses, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var before = await Task.WhenAll(lab.Select(ns => Task.Run(() => NeighborKeys(ns.Handle), cancellationToken))).ConfigureAwait(false);
        var outcomes = new List<IReadOnlyList<EchoOutcome>>(sources.Count);
        foreach (var wave in waves)
        {
            try
            {
                outcomes.AddRange(await ProbeAtOnceAsync(sources.Take(wave), addresses, timeout, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                // Also after a failed or cancelled wave: the table is shared by the whole machine.
                await Task.WhenAll(lab.Select((ns, i) => Task.Run(() => DeleteNewNeighbors(ns.Handle, before[i]), CancellationToken.None))).ConfigureAwait(false);
            }
        }

        return [.. outcomes];
    }

    /// <summary>
    /// Deletes the namespace's FAILED neighbour entries, so that every check resolves afresh. An entry a check left
    /// FAILED (the lab had no path then) held resolution back for a second or more: a student who switched the hairpin
    /// on and checked at once was told the two pairs still failed, though the kernel answered them a moment later. A
    /// FAILED entry holds no address, only the memory of a failure, so nothing the lab learned is lost.
    /// </summary>
    private static void ForgetFailedNeighbors(NetlinkHandle handle)
    {
        foreach (var neighbor in handle.NeighborList().Where(n => n.State == NeighborState.Failed))
        {
            try
            {
                handle.NeighborDelete(neighbor);
            }
            catch (NetlinkException error) when (error.Errno == Errno.ENOENT)
            {
                // Gone meanwhile (garbage collection, or a new resolution replaced it): nothing to forget.
            }
        }
    }

    private static HashSet<(int InterfaceIndex, IPAddress Destination)> NeighborKeys(NetlinkHandle handle) =>
        handle.NeighborList().Select(n => (n.InterfaceIndex, n.Destination)).ToHashSet();

    private static void DeleteNewNeighbors(NetlinkHandle handle, HashSet<(int InterfaceIndex, IPAddress Destination)> before)
    {
        foreach (var neighbor in handle.NeighborList().Where(n => !before.Contains((n.InterfaceIndex, n.Destination))))
        {
            try
            {
                handle.NeighborDelete(neighbor);
            }
            catch (NetlinkException error) when (error.Errno == Errno.ENOENT)
            {
                // The kernel dropped it meanwhile (garbage collection): the room is free either way.
            }
        }
    }

    /// <summary>Each family's targets and the entries its table has room for; a table /proc cannot tell about sets no limit.</summary>
    private IEnumerable<FamilyLoad> LoadsOf(IReadOnlyList<IPAddress> addresses)
    {
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var targets = addresses.Count(a => a.AddressFamily == family);
            if (targets > 0)
            {
                yield return new FamilyLoad(targets, NeighborBudgetOverride ?? BudgetOf(family));
            }
        }
    }

    private static int? BudgetOf(AddressFamily family)
    {
        try
        {
            var capacity = NeighborTableCapacity.Read(family);
            return ProbeWaves.BudgetOf(capacity.Threshold, capacity.Entries);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            // Without the numbers the check runs as it always did, all at once.
            return null;
        }
    }

    /// <summary>
    /// Layer 2 in the words of the API: Answered when the next hop's neighbour entry shows an answer, Unanswered when
    /// resolution was tried and got none, NotNeeded for one's own addresses (delivered through lo), where no route
    /// leads, and where the send failed before resolution could start (nothing was resolved; the error says why).
    /// </summary>
    internal static NeighborOutcome NeighborOutcomeOf(EchoOutcome outcome)
    {
        if (outcome.Route is not { Type: RouteType.Unicast })
        {
            return NeighborOutcome.NotNeeded;
        }

        return outcome.Neighbor switch
        {
            { WasAnswered: true } => NeighborOutcome.Answered,
            { State: NeighborState.NoArp } => NeighborOutcome.NotNeeded,
            { } => NeighborOutcome.Unanswered,
            // The send failed before resolution could start (e.g. ENOBUFS: the neighbour table is full).
            null when outcome.Errno is not null => NeighborOutcome.NotNeeded,
            // No entry at all: a reply proves the link layer worked (a device without ARP); else nothing got through.
            null => outcome.Replied ? NeighborOutcome.Answered : NeighborOutcome.Unanswered,
        };
    }

    private static string? ErrorOf(EchoOutcome outcome) => (outcome.Error, outcome.Errno) switch
    {
        (null, null) => null,
        ({ } text, { } errno) => $"{text} ({errno})",
        ({ } text, null) => text,
        (null, { } errno) => errno,
    };

    private ObservedProbeNamespace Read(string labName, string kernelName)
    {
        var handle = namespaces.Get(kernelName);
        return new ObservedProbeNamespace(naming.ElementName(kernelName, labName) ?? kernelName, handle, handle.LinkList(), handle.AddressList());
    }

    private static IEnumerable<ProbeTarget> TargetsOf(ObservedProbeNamespace ns) => ns.Addresses
        .Where(a => a.Scope == 0 && !IPAddress.IsLoopback(a.Ip) && !a.Ip.IsIPv6LinkLocal)
        .Select(a => (Address: a, Link: ns.Links.FirstOrDefault(l => l.Index == a.InterfaceIndex)))
        .Where(a => a.Link is not null && (a.Link.Flags & LinkFlags.Loopback) == 0)
        .OrderBy(a => a.Link!.Name, StringComparer.Ordinal)
        .ThenBy(a => a.Address.Family)
        .Select(a => new ProbeTarget(ns.Element, a.Link!.Name, a.Address.Ip));

    /// <summary>What the planner makes of a lab switch: the bridge <see cref="NetLab.Core.Labs.Switch.BridgeName"/>, its ports, and no address.</summary>
    private static bool IsSwitch(ObservedProbeNamespace ns)
    {
        var bridge = ns.Links.FirstOrDefault(l => l.Name == NetLab.Core.Labs.Switch.BridgeName && l.Kind == "bridge");
        return bridge is not null
            && ns.Links.All(l => (l.Flags & LinkFlags.Loopback) != 0 || l.Index == bridge.Index || l.MasterIndex == bridge.Index)
            && !ns.Addresses.Any(a => a.Scope == 0 && !IPAddress.IsLoopback(a.Ip));
    }

    private sealed record ObservedProbeNamespace(string Element, NetlinkHandle Handle, IReadOnlyList<Link> Links, IReadOnlyList<Address> Addresses);

    private sealed record ProbeTarget(string Element, string Interface, IPAddress Address);
}

/// <summary>The kernel holds no namespace of the named lab (the API answers 404 not-found).</summary>
public sealed class LabNotFoundException(string labName) : Exception($"The kernel holds no lab named '{labName}'.")
{
    public string LabName { get; } = labName;
}
