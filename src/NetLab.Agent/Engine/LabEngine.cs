using System.Runtime.CompilerServices;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Hosting;
using NetLab.Core.Grading;
using NetLab.Core.Labs;
using NetLab.Core.Planning;
using NetLab.Core.Diagnostics;
using NetLab.Netlink.Diagnostics;
using NetLab.Netlink.Events;
using NetLab.Netlink.Links;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// The agent's engine: plans a lab against what the kernel holds now, applies the plan with progress and rollback,
/// destroys labs, reports their state and streams their events. Everything it knows is read back from the kernel
/// (namespaces named by <see cref="NamingScheme"/>), so a restarted agent, even after kill -9 mid-apply, finds its labs
/// again and the next apply or destroy converges. Each lab has a <see cref="LabGate"/>: reads (state, plan, an event
/// stream's look for namespaces, a capture's opening, a connectivity check) share it, apply and destroy take it alone,
/// and before they delete namespaces whatever still holds them (event streams, captures) lets go; different labs run in
/// parallel. So no namespace of a lab outlives its destroy without a name.
/// </summary>
public sealed class LabEngine : ILabEngine, IDisposable
{
    private readonly KernelNamespaces _namespaces;
    private readonly KernelObserver _observer;
    private readonly NamingScheme _naming;
    private readonly LabProber _prober;
    private readonly AgentOptions _options;
    private readonly object _reservationsGate = new();
    /// <summary>Namespaces that applies in progress will still create (see <see cref="ReserveNamespaces"/>).</summary>
    private int _reserved;
    private readonly LabGates _gates = new();
    /// <summary>What the kernel can create does not change while the process runs: probed once, for every engine.</summary>
    private static readonly Lazy<IReadOnlyList<KernelCheck>> Capabilities = new(ProbeKernel, LazyThreadSafetyMode.ExecutionAndPublication);

    public LabEngine(AgentOptions options)
    {
        _options = options;
        _naming = new NamingScheme(options.NamespacePrefix);
        _namespaces = new KernelNamespaces(options.NamespacePrefix, options.NamespaceRecordDirectory);
        _namespaces.PruneStaleRecords();
        _observer = new KernelObserver(_namespaces);
        _prober = new LabProber(_namespaces, _naming);
    }

    /// <summary>Tests only: the neighbour entries a connectivity check may create per family, instead of what /proc shows room for.</summary>
    internal int? ProbeNeighborBudget
    {
        get => _prober.NeighborBudgetOverride;
        set => _prober.NeighborBudgetOverride = value;
    }

    /// <summary>Tests only: makes the executor fail at a chosen operation, to exercise rollback.</summary>
    internal Func<PlanOperation, Exception?>? InjectFailure { get; set; }

    /// <summary>The tag every link NetLab creates carries in IFLA_IFALIAS.</summary>
    public static string AliasFor(string lab) => $"netlab:{lab}";

    public async Task<PlanView> PlanAsync(Lab lab, CancellationToken cancellationToken = default)
    {
        // A plan changes nothing: it reads, alongside other reads.
        using var lease = _gates.Use(lab.Name);
        using var _ = await lease.Gate.ReadAsync(cancellationToken).ConfigureAwait(false);
        var plan = Planner.Plan(ObserveLab(lab.Name).State, lab, _naming);
        RefuseForeignNamespaces(plan);
        return new PlanView(lab.Name, PlanExecutor.Describe(plan), UnsupportedKinds(lab));
    }

    public async Task<ApplyResult> ApplyAsync(Lab lab, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var lease = _gates.Use(lab.Name);
        var gate = lease.Gate;
        using var _ = await gate.WriteAsync(cancellationToken).ConfigureAwait(false);
        var before = ObserveLab(lab.Name).State;
        var plan = Planner.Plan(before, lab, _naming);
        RefuseForeignNamespaces(plan);
        using var reservation = ReserveNamespaces(plan);

        // Namespaces the new lab no longer has are deleted: captures and event streams in them let go first.
        gate.LetGo(plan.Operations.OfType<DeleteNamespace>().Select(d => d.Name).ToHashSet(StringComparer.Ordinal));
        return await Task.Run(() => new PlanExecutor(_namespaces, AliasFor(lab.Name)) { InjectFailure = InjectFailure }.Run(plan, before, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApplyResult> DestroyAsync(string labName, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RequireLabName(labName);
        using var lease = _gates.Use(labName);
        var gate = lease.Gate;
        using var _ = await gate.WriteAsync(cancellationToken).ConfigureAwait(false);

        // Deleting a namespace deletes everything in it, and a lab lives only in its namespaces: their names are
        // all the removal plan needs, so no link is dumped (that would be most of a destroy's time).
        var before = new ObservedState { Namespaces = [.. _namespaces.List(n => _naming.BelongsTo(n, labName)).Select(n => new ObservedNamespace(n))] };
        var plan = Planner.PlanRemoval(before, labName, _naming);

        // A namespace lives as long as anything holds it: unmounting its name alone would leave a watched or captured
        // one running without a name. Captures end ("the namespace was deleted"); event streams stop watching them.
        gate.LetGo(before.Namespaces.Select(n => n.Name).ToHashSet(StringComparer.Ordinal));
        ApplyResult result;
        try
        {
            result = await Task.Run(() => new PlanExecutor(_namespaces, AliasFor(labName)) { InjectFailure = InjectFailure }.Run(plan, before, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Handles cached on namespaces whose names are gone (deleted here, or by hand before) would keep them alive.
            _namespaces.ForgetGone(n => _naming.BelongsTo(n, labName));
        }

        // Namespaces under the lab's names that NetLab did not make are left as they are, and the result says so.
        var foreign = _namespaces.Foreign(n => _naming.BelongsTo(n, labName));
        return foreign.Count == 0 ? result : result with { Warnings = [$"{KernelNamespaces.NotMadeByNetLab(foreign)}; the destroy left {(foreign.Count == 1 ? "it" : "them")} as {(foreign.Count == 1 ? "it is" : "they are")}."] };
    }

    public async Task<IReadOnlyList<LabState>> StateAsync(string? labName = null, CancellationToken cancellationToken = default)
    {
        if (labName is not null)
        {
            RequireLabName(labName);
        }

        var states = new List<LabState>();
        foreach (var lab in labName is null ? LabNames() : [labName])
        {
            // Each lab under its own read: a read opens handles on the lab's namespaces, which must not race a destroy.
            using var lease = _gates.Use(lab);
            using var _ = await lease.Gate.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (StateOf(lab) is { } state)
            {
                states.Add(state);
            }
        }

        return states;
    }

    /// <summary>The lab's state as the kernel has it; null when the kernel holds none of its namespaces. Call it under a read.</summary>
    private LabState? StateOf(string lab)
    {
        var observed = ObserveLab(lab);
        return observed.Namespaces.Count == 0
            ? null
            : new LabState(lab, observed.Namespaces.Select(ns => KernelObserver.ToNamespaceState(ns, n => ElementOf(n, lab))).ToList());
    }

    public async IAsyncEnumerable<LabEvent> EventsAsync(string labName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RequireLabName(labName);
        using var lease = _gates.Use(labName);
        var gate = lease.Gate;
        using var subscription = EventSubscription.Start([]);
        using var watched = new WatchedNamespaces(subscription);
        using var holding = gate.Hold(watched);

        // Address events carry only an ifindex and links only their parent's; the names come from the snapshots and
        // link events before them, and what the kernel must be asked goes through the stream's own handles.
        var links = new EventLinks(watched.HandleOf);
        var reader = subscription.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Namespaces come and go as the lab is applied and destroyed: look for new ones twice a second, under a read
            // (opening one while a destroy unmounts it would keep it alive without a name). While an apply or destroy
            // holds the lab, the look waits for the next tick rather than for the writer: the events of the namespaces
            // watched already go on flowing meanwhile.
            using (var read = gate.TryRead())
            {
                if (read is not null)
                {
                    watched.Sync(_namespaces.List(n => _naming.BelongsTo(n, labName)));
                }
            }

            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(TimeSpan.FromMilliseconds(500));
            while (true)
            {
                NetlinkEvent item;
                try
                {
                    if (!await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    if (!reader.TryRead(out item!))
                    {
                        continue;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (watched.Translate(() =>
                    {
                        links.Remember(item);
                        return ToLabEvent(labName, item, links, watched.Namespaces);
                    }) is { } labEvent)
                {
                    yield return labEvent;
                }
            }
        }
    }

    public async IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RequireLabName(labName);
        using var lease = _gates.Use(labName);
        var gate = lease.Gate;
        CaptureHolder holder;
        IDisposable holding;

        // Opened under a read, so that no destroy unmounts the namespace meanwhile; from then on the capture is a holder
        // of its namespace, closed by a destroy (or an apply that removes the element) before it deletes it.
        using (await gate.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var kernelNamespace = LabCapture.Resolve(StateOf(labName), labName, request);
            _namespaces.Guard(kernelNamespace);
            holder = new CaptureHolder(kernelNamespace, LabCapture.Open(kernelNamespace, request));
            holding = gate.Hold(holder);
        }

        try
        {
            await foreach (var item in LabCapture.StreamAsync(holder.Capture, request, LabCapture.QueuedFrames(request.SnapLength, _options.CaptureQueueBytes), cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            holder.Close();
            holding.Dispose();
        }

        if (holder.WasLetGo)
        {
            yield return new CaptureStreamItem(Ended: $"The namespace {holder.KernelNamespace} was deleted (its lab was destroyed, or an apply removed the element), which ends the capture.");
        }
    }

    public async Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default)
    {
        // Refused before the lock is waited for. Under the lab's read: a probe during an apply would see half a lab.
        RequireLabName(labName);
        LabProber.CheckRequest(request);
        using var lease = _gates.Use(labName);
        using var _ = await lease.Gate.ReadAsync(cancellationToken).ConfigureAwait(false);
        return await _prober.ProbeAsync(labName, request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<GradeReport> GradeAsync(Lab lab, IReadOnlyList<LabCheck> checks, ProbeRequest request, CancellationToken cancellationToken = default)
    {
        LabProber.CheckRequest(request);
        using var lease = _gates.Use(lab.Name);
        using var _ = await lease.Gate.ReadAsync(cancellationToken).ConfigureAwait(false);
        var report = await _prober.ProbeAsync(lab.Name, request, cancellationToken).ConfigureAwait(false);
        var state = ObserveLab(lab.Name).State;
        return Grader.Grade(lab, checks, [.. report.Results.Select(ProbeObservations.Of)], state, _naming);
    }

    /// <summary>
    /// An apply never takes over a namespace it did not make: when a namespace it has to create exists already (it is
    /// not among the lab's observed ones, so NetLab did not make it), the apply is refused before anything changes.
    /// </summary>
    private static void RefuseForeignNamespaces(Plan plan)
    {
        var taken = plan.Operations.OfType<CreateNamespace>().Select(c => c.Name).Where(NetworkNamespace.Exists).ToList();
        if (taken.Count > 0)
        {
            throw new AgentRefusalException($"Cannot apply lab {plan.LabName}: {KernelNamespaces.NotMadeByNetLab(taken)}. Nothing was changed.");
        }
    }

    /// <summary>
    /// Refuses a plan that would take the agent over <see cref="AgentOptions.MaxNamespaces"/>, before anything changes,
    /// and otherwise reserves the namespaces it creates until the apply ends. Applies of different labs run at once: what
    /// they have created is counted in the kernel and what they will create in the reservations, so together they cannot
    /// pass the limit (while they run, a little early refusal is the price).
    /// </summary>
    private IDisposable ReserveNamespaces(Plan plan)
    {
        var creates = plan.Operations.OfType<CreateNamespace>().Count();
        if (creates == 0)
        {
            return new Release(null);
        }

        lock (_reservationsGate)
        {
            var held = _namespaces.CountHeld();
            if (held + _reserved + creates > _options.MaxNamespaces)
            {
                throw new AgentBusyException(
                    $"Cannot apply lab {plan.LabName}: it would create {creates} namespaces, and the agent holds {held}{(_reserved > 0 ? $" (and {_reserved} more are being made by other applies)" : "")} of at most {_options.MaxNamespaces} for all labs together. "
                    + "Nothing was changed. Destroy labs that are no longer needed (`netlab state` lists them) and apply again.");
            }

            _reserved += creates;
        }

        return new Release(() =>
        {
            lock (_reservationsGate)
            {
                _reserved -= creates;
            }
        });
    }

    /// <summary>Link kinds a lab uses that this kernel cannot create, found by the doctor once per agent.</summary>
    public IReadOnlyList<KindWarning> UnsupportedKinds(Lab lab)
    {
        var unsupported = Capabilities.Value.Where(c => c.Status == CheckStatus.Unsupported).Select(c => c.Kind).ToHashSet(StringComparer.Ordinal);
        return lab.InterfaceNamespaces
            .SelectMany(ns => ns.Interfaces.Select(i => (Path: $"{(ns is Host ? "hosts" : "namespaces")}.{ns.Name}.interfaces.{i.Name}", Kind: KindOf(i))))
            .Where(i => i.Kind is not null && unsupported.Contains(i.Kind))
            .Select(i => new KindWarning(i.Path, i.Kind!, $"This kernel cannot create {i.Kind} links (`netlab doctor` shows it as unsupported); applying this lab would fail at {i.Path}. Use a kernel with {i.Kind} support (e.g. load its module)."))
            .ToList();
    }

    public void Dispose() => _namespaces.Dispose();

    /// <summary>
    /// A lab named in a request (destroy, state, events, capture, probe) must be a name a lab can have: what an apply
    /// made always is, and anything else ('..', '/', a '.' that would reach into another lab's element names, a
    /// shell word) is refused as the mistake it is, rather than answered as a lab that happens to hold nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Not a lab name; the message says why and what a lab name is.</exception>
    private static void RequireLabName(string labName)
    {
        if (LabName.Problem(labName) is { } problem)
        {
            throw new ArgumentException(
                $"No lab can be named like that: {problem}. A lab's name is the `name:` of its lab file: letters, digits, '-' and '_', starting with a letter or digit, at most {LabName.MaxLength} characters. Nothing was changed.");
        }
    }

    /// <summary>The doctor's checks; a probe that cannot run leaves plans without warnings rather than failing them.</summary>
    private static IReadOnlyList<KernelCheck> ProbeKernel()
    {
        try
        {
            return KernelDoctor.Run();
        }
        catch (Exception error) when (error is Netlink.NetlinkException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? KindOf(InterfaceDefinition definition) => definition switch
    {
        VlanInterface => "vlan",
        MacvtapInterface => "macvtap",
        MacvlanInterface => "macvlan",
        VxlanInterface => "vxlan",
        DummyInterface => "dummy",
        BridgeInterface => "bridge",
        VethInterface => "veth",
        _ => null,
    };

    private (string Lab, IReadOnlyList<ObservedKernelNamespace> Namespaces, ObservedState State) ObserveLab(string labName)
    {
        var observed = _observer.Observe(_namespaces.List(n => _naming.BelongsTo(n, labName)));
        return (labName, observed, KernelObserver.ToObservedState(observed));
    }

    /// <summary>
    /// The labs there may be, from the names under /run/netns alone: telling whether NetLab made them may open a
    /// handle, which is done per lab under its read (a lab with no namespace of NetLab's has no state).
    /// </summary>
    private IReadOnlyList<string> LabNames() => _namespaces.Named()
        .Select(n => n[_naming.Prefix.Length..])
        .Select(rest => rest.Split(_naming.Separator, 2)[0])
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();

    private string ElementOf(string kernelName, string lab) => _naming.ElementName(kernelName, lab) ?? kernelName;

    private LabEvent? ToLabEvent(string lab, NetlinkEvent item, EventLinks links, IReadOnlyDictionary<string, NetworkNamespace> watched)
    {
        var element = item.Namespace is null ? "(host)" : ElementOf(item.Namespace, lab);
        string ElementOfLab(string kernelName) => ElementOf(kernelName, lab);
        return item switch
        {
            NamespaceSnapshot { Namespace: { } ns } snapshot => new LabEvent(
                LabEventKind.Snapshot,
                lab,
                element,
                snapshot.At,
                Snapshot: KernelObserver.ToNamespaceState(new ObservedKernelNamespace(ns, snapshot.Links, snapshot.Addresses, ParentsOf(ns, snapshot.Links, links, watched)), ElementOfLab)),
            LinkChanged { Namespace: { } ns } changed => new LabEvent(LabEventKind.InterfaceChanged, lab, element, changed.At,
                Interface: LinkTranslation.ToState(changed.Link, KernelObserver.ParentText(links.ParentOf(ns, changed.Link, watched), ElementOfLab), [], links.MasterOf(ns, changed.Link)),
                InterfaceName: changed.Link.Name),
            LinkRemoved removed => new LabEvent(LabEventKind.InterfaceRemoved, lab, element, removed.At, InterfaceName: removed.Link.Name),
            AddressAdded added => new LabEvent(LabEventKind.AddressAdded, lab, element, added.At, InterfaceName: links.NameOf(added.Namespace, added.Address.InterfaceIndex), Address: added.Address.ToString(), InterfaceIndex: added.Address.InterfaceIndex),
            AddressRemoved removed => new LabEvent(LabEventKind.AddressRemoved, lab, element, removed.At, InterfaceName: links.NameOf(removed.Namespace, removed.Address.InterfaceIndex), Address: removed.Address.ToString(), InterfaceIndex: removed.Address.InterfaceIndex),
            ResyncNeeded resync => new LabEvent(LabEventKind.Resync, lab, element, resync.At, Message: resync.Reason),
            _ => null,
        };
    }

    private static Dictionary<int, LinkReference> ParentsOf(string ns, IReadOnlyList<Link> snapshotLinks, EventLinks links, IReadOnlyDictionary<string, NetworkNamespace> watched)
    {
        var parents = new Dictionary<int, LinkReference>();
        foreach (var link in snapshotLinks)
        {
            if (links.ParentOf(ns, link, watched) is { } parent)
            {
                parents[link.Index] = parent;
            }
        }

        return parents;
    }

    /// <summary>Tests only: how many labs have a gate now (none once every request has ended).</summary>
    internal int GatesInUse => _gates.Count;

    private sealed class Release(Action? release) : IDisposable
    {
        public void Dispose() => release?.Invoke();
    }
}

/// <summary>Creates the engine the agent and the CLI's in-process mode use.</summary>
public static class LabEngineFactory
{
    public static ILabEngine Create(AgentOptions options) => new LabEngine(options);
}
