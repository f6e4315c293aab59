using System.Diagnostics;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Netlink;
using NetLab.Netlink.Addresses;
using NetLab.Netlink.Links;

namespace NetLab.Agent.Engine;

/// <summary>
/// Carries out a plan over netlink, one operation at a time, reporting each when it is done (operations take well
/// under a millisecond, so a "started" line each would double the stream for nothing); on a failure it undoes what this run
/// did, newest first. A CreateLink followed by the MoveLink of the same link is sent as one request that creates
/// the link directly in its target namespace (IFLA_NET_NS_FD, like `ip link add ... netns NS`): the kernel's move
/// costs ~18 ms per link, and the teaching view still shows the seed's two commands.
/// </summary>
internal sealed class PlanExecutor(KernelNamespaces namespaces, string alias)
{
    private readonly Dictionary<(string Namespace, string Name), int> _indexes = [];

    /// <summary>Tests only: an exception to throw instead of carrying out a given operation.</summary>
    internal Func<PlanOperation, Exception?>? InjectFailure { get; init; }

    public ApplyResult Run(Plan plan, ObservedState before, IProgress<OperationProgress>? progress, CancellationToken cancellationToken)
    {
        progress = progress is null ? null : new TimeStampedProgress(progress);
        var clock = Stopwatch.StartNew();
        var operations = plan.Operations;
        var planned = Describe(plan);
        var undo = new Stack<(PlanOperation Inverse, PlannedOperation For)>();
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (operation is DeleteNamespace && RunOfNamespaceDeletions(operations, i) is var end && end - i > 1)
            {
                var failure = DeleteNamespacesTogether(plan, planned, i, end, progress, cancellationToken);
                if (failure is not null)
                {
                    var rolledBack = Undo(undo, progress, operations.Count);
                    return failure with { Milliseconds = clock.Elapsed.TotalMilliseconds, RolledBack = rolledBack };
                }

                i = end - 1;
                continue;
            }

            var step = Stopwatch.StartNew();
            var fusedMove = operation is CreateLink create && i + 1 < operations.Count && operations[i + 1] is MoveLink move
                && move.InNamespace == create.InNamespace && move.Name == create.Name ? move : null;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (InjectFailure?.Invoke(operation) is { } injected)
                {
                    throw injected;
                }

                Execute(operation, fusedMove?.TargetNamespace);
            }
            catch (Exception error) when (error is NetlinkException or AgentRefusalException or InvalidLinkRequestException or OperationCanceledException or NetlinkParseException)
            {
                progress?.Report(new OperationProgress(i, operations.Count, planned[i], OperationStatus.Failed, step.Elapsed.TotalMilliseconds, error.Message));
                var rolledBack = Undo(undo, progress, operations.Count);
                var kernel = error as NetlinkException;
                var message = $"`{planned[i].Command}` failed for {planned[i].Source}: {error.Message}";
                return new ApplyResult(plan.LabName, false, i, operations.Count, clock.Elapsed.TotalMilliseconds, new ApplyFailure(planned[i], message, kernel?.ErrnoName, kernel?.KernelMessage), rolledBack);
            }

            foreach (var inverse in Inverses(operation, fusedMove, before))
            {
                undo.Push((inverse, planned[i]));
            }

            progress?.Report(new OperationProgress(i, operations.Count, planned[i], OperationStatus.Done, step.Elapsed.TotalMilliseconds));
            if (fusedMove is not null)
            {
                i++;
                progress?.Report(new OperationProgress(i, operations.Count, planned[i], OperationStatus.Done, 0));
            }
        }

        // An apply returns when the kernel can send on the links it brought up, else a ping straight after it can lose
        // its first ARP to a link watcher that has not run yet (see NetlinkHandle.LinkSettle). Never a failure.
        var settling = NamespacesLeftBy(plan).Select(namespaces.Get).ToList();
        NetlinkHandle.LinkSettle(settling, SettleLimit);

        // Likewise an IPv6 address is usable only once duplicate address detection is over: lab addresses skip it
        // (AddFlags), but even they wait for the kernel's address work item, which runs after the link watcher. A lab
        // without IPv6 addresses skips the two dumps per namespace this costs.
        if (HasIpv6LabAddresses(plan, before))
        {
            NetlinkHandle.AddressSettle(settling, SettleLimit);
        }

        return new ApplyResult(plan.LabName, true, operations.Count, operations.Count, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The plan adds an IPv6 address, or the lab had one already (a link brought up now makes it tentative again).</summary>
    private static bool HasIpv6LabAddresses(Plan plan, ObservedState before) =>
        plan.Operations.OfType<AddAddress>().Any(a => a.Address.IsIPv6)
        || before.Namespaces.Any(ns => ns.Links.Any(l => l.Addresses.Any(a => a.IsIPv6 && !a.IsIPv6LinkLocal)));

    /// <summary>Long enough for a link watcher delayed behind a namespace teardown on a kernel before 6.8.</summary>
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(2);

    /// <summary>The namespaces a plan worked in that it did not delete: where its links may still be settling.</summary>
    internal static IReadOnlyList<string> NamespacesLeftBy(Plan plan)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in plan.Operations)
        {
            touched.Add(operation.Namespace);
            if (operation is MoveLink move)
            {
                touched.Add(move.TargetNamespace);
            }
            else if (operation is CreateLink { Spec.Peer: { } peer })
            {
                touched.Add(peer.Namespace);
            }
        }

        touched.ExceptWith(plan.Operations.OfType<DeleteNamespace>().Select(d => d.Name));
        return touched.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Where the run of DeleteNamespace operations that starts at <paramref name="start"/> ends (exclusive).</summary>
    private static int RunOfNamespaceDeletions(IReadOnlyList<PlanOperation> operations, int start)
    {
        var end = start;
        while (end < operations.Count && operations[end] is DeleteNamespace)
        {
            end++;
        }

        return end;
    }

    /// <summary>
    /// Deletes namespaces [<paramref name="start"/>, <paramref name="end"/>) on several threads. Each deletion is an
    /// unmount that waits for an RCU grace period (~1 ms); waits on several threads share grace periods, which halves a
    /// 200-namespace destroy. Namespaces do not depend on each other, and a deletion has no undo, so order does not
    /// matter; progress is still reported in plan order. Returns the failure of the first operation that failed, if any.
    /// </summary>
    private ApplyResult? DeleteNamespacesTogether(Plan plan, IReadOnlyList<PlannedOperation> planned, int start, int end, IProgress<OperationProgress>? progress, CancellationToken cancellationToken)
    {
        var operations = plan.Operations;
        var outcomes = new (Exception? Error, double Milliseconds)[end - start];
        var next = start - 1;
        void Work()
        {
            for (var i = Interlocked.Increment(ref next); i < end; i = Interlocked.Increment(ref next))
            {
                var step = Stopwatch.StartNew();
                try
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (InjectFailure?.Invoke(operations[i]) is { } injected)
                    {
                        throw injected;
                    }

                    namespaces.Delete(((DeleteNamespace)operations[i]).Name);
                    outcomes[i - start] = (null, step.Elapsed.TotalMilliseconds);
                }
                catch (Exception error) when (error is NetlinkException or AgentRefusalException or InvalidLinkRequestException or OperationCanceledException or IOException or UnauthorizedAccessException)
                {
                    outcomes[i - start] = (error, step.Elapsed.TotalMilliseconds);
                }
            }
        }

        var threads = Enumerable.Range(0, Math.Min(DeletionThreads, end - start)).Select(_ => new Thread(Work) { IsBackground = true, Name = "netlab-netns-delete" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        _indexes.Clear();

        ApplyResult? failure = null;
        var done = 0;
        for (var i = start; i < end; i++)
        {
            var (error, milliseconds) = outcomes[i - start];
            if (error is null)
            {
                done++;
                progress?.Report(new OperationProgress(i, operations.Count, planned[i], OperationStatus.Done, milliseconds));
                continue;
            }

            progress?.Report(new OperationProgress(i, operations.Count, planned[i], OperationStatus.Failed, milliseconds, error.Message));
            if (failure is null)
            {
                var kernel = error as NetlinkException;
                failure = new ApplyResult(plan.LabName, false, start, operations.Count, 0, new ApplyFailure(planned[i], $"`{planned[i].Command}` failed for {planned[i].Source}: {error.Message}", kernel?.ErrnoName, kernel?.KernelMessage));
            }
        }

        return failure is null ? null : failure with { Applied = start + done };
    }

    /// <summary>Enough threads to share grace periods; more only queue on the kernel's mount lock.</summary>
    private const int DeletionThreads = 16;

    public static IReadOnlyList<PlannedOperation> Describe(Plan plan)
    {
        var commands = Iproute2Renderer.Render(plan, NamespaceNames.Kernel);
        return plan.Operations.Select((o, i) => new PlannedOperation(i, o.GetType().Name, o.Source, o.Namespace, commands[i])).ToList();
    }

    private void Execute(PlanOperation operation, string? createIn)
    {
        switch (operation)
        {
            case CreateNamespace create:
                namespaces.Create(create.Name);
                break;
            case DeleteNamespace delete:
                namespaces.Delete(delete.Name);
                _indexes.Clear();
                break;
            case SetLoopback loopback:
                SetUp(namespaces.Get(loopback.Name), LoopbackIndex, loopback.Up);
                break;
            case CreateLink create:
                CreateLink(create, createIn);
                break;
            case DeleteLink delete:
                namespaces.Get(delete.InNamespace).LinkDelete(Index(delete.InNamespace, delete.Name));

                // Children and veth peers go with it, in any namespace.
                _indexes.Clear();
                break;
            case MoveLink move:
                namespaces.Get(move.InNamespace).LinkSetNamespace(Index(move.InNamespace, move.Name), namespaces.Get(move.TargetNamespace).Namespace);
                _indexes.Remove((move.InNamespace, move.Name));
                break;
            case SetLinkUp up:
                SetUp(namespaces.Get(up.InNamespace), Index(up.InNamespace, up.Name), true);
                break;
            case SetLinkDown down:
                SetUp(namespaces.Get(down.InNamespace), Index(down.InNamespace, down.Name), false);
                break;
            case SetMac mac:
                namespaces.Get(mac.InNamespace).LinkSetAddress(Index(mac.InNamespace, mac.Name), mac.Mac);
                break;
            case SetMtu mtu:
                namespaces.Get(mtu.InNamespace).LinkSetMtu(Index(mtu.InNamespace, mtu.Name), mtu.Mtu);
                break;
            case AddAddress add:
                namespaces.Get(add.InNamespace).AddressAdd(new Address(Index(add.InNamespace, add.Name), add.Address.Address, add.Address.PrefixLength) { Flags = AddFlags(add.Address) });
                break;
            case DeleteAddress delete:
                namespaces.Get(delete.InNamespace).AddressDelete(new Address(Index(delete.InNamespace, delete.Name), delete.Address.Address, delete.Address.PrefixLength));
                break;
            case SetMaster { Master: null } noMaster:
                namespaces.Get(noMaster.InNamespace).LinkSetNoMaster(Index(noMaster.InNamespace, noMaster.Name));
                break;
            case SetMaster master:
                namespaces.Get(master.InNamespace).LinkSetMaster(Index(master.InNamespace, master.Name), Index(master.InNamespace, master.Master!));
                break;
            case SetHairpin hairpin:
                namespaces.Get(hairpin.InNamespace).LinkSetHairpin(Index(hairpin.InNamespace, hairpin.Name), hairpin.On);
                break;
            default:
                throw new AgentRefusalException($"The agent does not know how to carry out {operation.GetType().Name}.");
        }
    }

    private const int LoopbackIndex = 1;

    /// <summary>IPv6 lab addresses skip duplicate address detection (<see cref="InterfaceAddress.SkipsDuplicateDetection"/>).</summary>
    private static uint AddFlags(InterfaceAddress address) => address.SkipsDuplicateDetection ? AddressFlags.NoDad : 0;

    private static void SetUp(NetlinkHandle handle, int index, bool up)
    {
        if (up)
        {
            handle.LinkSetUp(index);
        }
        else
        {
            handle.LinkSetDown(index);
        }
    }

    private void CreateLink(CreateLink create, string? createIn)
    {
        var handle = namespaces.Get(create.InNamespace);
        var spec = create.Spec;
        if (spec.Parent is { } parent && parent.Namespace != create.InNamespace)
        {
            throw new AgentRefusalException($"{create.Source}: the parent {parent} is not in {create.InNamespace}, where the link is made; NetLab only uses parents inside its own namespaces (real NICs only when an administrator allow-lists them).");
        }

        var link = LinkTranslation.ToNetlink(create.Name, spec, spec.Parent is { } p ? Index(p.Namespace, p.Name) : null);
        if (createIn is not null)
        {
            link = link with { TargetNamespace = namespaces.Get(createIn).Namespace };
        }

        if (link is Veth veth && spec.Peer is { } peer && peer.Namespace != create.InNamespace)
        {
            link = veth with { PeerNamespace = namespaces.Get(peer.Namespace).Namespace };
        }

        handle.LinkAdd(link);

        // Tag what NetLab made, so that a look at the kernel (and a restarted agent) can tell it apart.
        var home = createIn ?? create.InNamespace;
        namespaces.Get(home).LinkSetAlias(Index(home, create.Name), alias);
        if (spec.Kind == LinkKind.Veth && spec.Peer is { } end)
        {
            namespaces.Get(end.Namespace).LinkSetAlias(Index(end.Namespace, end.Name), alias);
        }
    }

    private int Index(string ns, string name)
    {
        if (_indexes.TryGetValue((ns, name), out var index))
        {
            return index;
        }

        var link = namespaces.Get(ns).LinkByName(name)
            ?? throw new NetlinkException(Netlink.Interop.Errno.ENODEV, $"find '{name}' in {ns}", null, $"There is no interface '{name}' in namespace {ns} (was it deleted outside NetLab? apply again to recreate it)");
        _indexes[(ns, name)] = link.Index;
        return link.Index;
    }

    /// <summary>What undoes an operation, judged from the state before the apply; deletions cannot be undone.</summary>
    private static IEnumerable<PlanOperation> Inverses(PlanOperation operation, MoveLink? fusedMove, ObservedState before)
    {
        var source = operation.Source;
        ObservedLink? Before(string ns, string name) => before.Namespace(ns)?.Link(name);
        switch (operation)
        {
            case CreateNamespace create:
                yield return new DeleteNamespace(create.Name) { Source = source };
                break;
            case CreateLink create:
                yield return new DeleteLink(fusedMove?.TargetNamespace ?? create.InNamespace, create.Name) { Source = source };
                break;
            case MoveLink move:
                yield return new MoveLink(move.TargetNamespace, move.Name, move.InNamespace) { Source = source };
                break;
            case SetLoopback loopback:
                yield return new SetLoopback(loopback.Name, !loopback.Up) { Source = source };
                break;
            case SetLinkUp up when Before(up.InNamespace, up.Name) is { Up: false }:
                yield return new SetLinkDown(up.InNamespace, up.Name) { Source = source };
                break;
            case SetLinkDown down when Before(down.InNamespace, down.Name) is { Up: true }:
                yield return new SetLinkUp(down.InNamespace, down.Name) { Source = source };
                break;
            case SetMac mac when Before(mac.InNamespace, mac.Name)?.Mac is { } oldMac:
                yield return new SetMac(mac.InNamespace, mac.Name, oldMac) { Source = source };
                break;
            case SetMtu mtu when Before(mtu.InNamespace, mtu.Name)?.Mtu is { } oldMtu:
                yield return new SetMtu(mtu.InNamespace, mtu.Name, oldMtu) { Source = source };
                break;
            case AddAddress add:
                yield return new DeleteAddress(add.InNamespace, add.Name, add.Address) { Source = source };
                break;
            case DeleteAddress delete:
                yield return new AddAddress(delete.InNamespace, delete.Name, delete.Address) { Source = source };
                break;
            case SetMaster master:
                yield return new SetMaster(master.InNamespace, master.Name, Before(master.InNamespace, master.Name)?.Master) { Source = source };
                break;
            case SetHairpin hairpin:
                yield return new SetHairpin(hairpin.InNamespace, hairpin.Name, !hairpin.On) { Source = source };
                break;
        }
    }

    /// <summary>Best effort: every inverse is tried even when one fails (its target may already be gone with a parent).</summary>
    private bool Undo(Stack<(PlanOperation Inverse, PlannedOperation For)> undo, IProgress<OperationProgress>? progress, int total)
    {
        var complete = true;
        _indexes.Clear();
        while (undo.TryPop(out var entry))
        {
            var clock = Stopwatch.StartNew();
            try
            {
                Execute(entry.Inverse, null);
                progress?.Report(new OperationProgress(entry.For.Index, total, entry.For, OperationStatus.RolledBack, clock.Elapsed.TotalMilliseconds));
            }
            catch (NetlinkException error) when (error.Errno is Netlink.Interop.Errno.ENODEV or Netlink.Interop.Errno.ENOENT)
            {
                // Already gone with something undone before it (a namespace's links go with the namespace).
                progress?.Report(new OperationProgress(entry.For.Index, total, entry.For, OperationStatus.RolledBack, clock.Elapsed.TotalMilliseconds));
            }
            catch (Exception error) when (error is NetlinkException or AgentRefusalException)
            {
                complete = false;
                progress?.Report(new OperationProgress(entry.For.Index, total, entry.For, OperationStatus.Failed, clock.Elapsed.TotalMilliseconds, $"rollback: {error.Message}"));
            }
        }

        return complete;
    }
}

/// <summary>Stamps each progress report with the moment it is made (<see cref="OperationProgress.At"/>).</summary>
internal sealed class TimeStampedProgress(IProgress<OperationProgress> inner) : IProgress<OperationProgress>
{
    public void Report(OperationProgress value) => inner.Report(value with { At = value.At ?? DateTimeOffset.UtcNow });
}
