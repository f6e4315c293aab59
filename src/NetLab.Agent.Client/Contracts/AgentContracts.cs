using NetLab.Core.Validation;
using NetLab.Core.Diagnostics;

namespace NetLab.Agent.Client.Contracts;

// The agent's JSON API (docs/agent-api.md). Records here are the wire format: camelCase JSON, enums as strings.

/// <summary>
/// A lab sent to the agent: the file's text and its format ("yaml" or "json"). The agent validates it again.
/// <paramref name="Name"/>, when given, is the name the kernel knows the lab by, in place of the file's <c>name</c>:
/// the web gives each stored lab a name of its own (the file's name may be a template's, shared by many users), and
/// the agent checks it as it checks a file's name, then validates the lab under it.
/// </summary>
public sealed record LabDocument(string Text, string Format = "yaml", string? Name = null);

/// <summary>One operation of a plan, with the iproute2 command a student would type for it.</summary>
public sealed record PlannedOperation(int Index, string Kind, string Source, string Namespace, string Command);

public sealed record PlanView(string Lab, IReadOnlyList<PlannedOperation> Operations, IReadOnlyList<KindWarning> Unsupported);

/// <summary>A link kind the lab uses that this kernel cannot create (found before applying).</summary>
public sealed record KindWarning(string Source, string Kind, string Message);

public enum OperationStatus
{
    Started,
    Done,
    Failed,
    RolledBack,
}

/// <summary>Progress of one operation during apply/destroy (streamed one JSON object per line).</summary>
/// <param name="Index">The operation's place in the plan, from 0.</param>
/// <param name="Total">How many operations the plan has.</param>
/// <param name="Operation">The operation, with its iproute2 command.</param>
/// <param name="Status">Done, Failed or RolledBack.</param>
/// <param name="Milliseconds">How long the kernel took for it.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="At">When the agent finished it. Lines reach a client in bursts, so a recorder that wants each
/// operation's own moment (a run's replay) takes this rather than the time the line arrived.</param>
public sealed record OperationProgress(int Index, int Total, PlannedOperation Operation, OperationStatus Status, double Milliseconds, string? Error = null, DateTimeOffset? At = null);

public sealed record ApplyFailure(PlannedOperation Operation, string Message, string? Errno, string? KernelMessage);

/// <summary>
/// How an apply or a destroy ended. <c>Warnings</c>: what it left alone and why, without failing (a destroy that found
/// namespaces under the lab's names that NetLab did not make); null when there is nothing to say.
/// </summary>
public sealed record ApplyResult(string Lab, bool Succeeded, int Applied, int Total, double Milliseconds, ApplyFailure? Failure = null, bool RolledBack = false, IReadOnlyList<string>? Warnings = null);

/// <summary>
/// A line of an apply/destroy stream: progress lines, then exactly one result line, or, when the agent itself failed
/// (not an operation: those are in the result), one error line instead of the result.
/// </summary>
public sealed record ApplyStreamItem(OperationProgress? Progress, ApplyResult? Result, AgentError? Error = null);

/// <summary>What the kernel holds for a lab now.</summary>
public sealed record LabState(string Lab, IReadOnlyList<NamespaceState> Namespaces);

/// <summary>One lab element (switch, host or namespace) and its kernel namespace.</summary>
public sealed record NamespaceState(string Element, string KernelName, IReadOnlyList<InterfaceState> Interfaces);

public sealed record InterfaceState(
    string Name,
    int Index,
    string? Kind,
    string? Mode,
    int? VlanId,
    string? Parent,
    string? Mac,
    int? Mtu,
    bool Up,
    string OperState,
    bool? Carrier,
    IReadOnlyList<string> Addresses,
    string? Master,
    bool? Hairpin,
    ulong RxBytes,
    ulong TxBytes,
    ulong RxPackets,
    ulong TxPackets);

public enum LabEventKind
{
    Snapshot,
    InterfaceChanged,
    InterfaceRemoved,
    AddressAdded,
    AddressRemoved,
    Resync,
}

/// <summary>
/// A line of a lab's event stream: first one Snapshot per namespace, then changes. After a Resync, a fresh
/// Snapshot of that namespace follows (events were lost in between).
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Lab">The lab's name in the kernel.</param>
/// <param name="Element">The lab element whose namespace it happened in; empty for a lab-wide Resync.</param>
/// <param name="At">When the agent read it.</param>
/// <param name="Snapshot">The whole namespace, for a Snapshot.</param>
/// <param name="Interface">The link as the kernel describes it now, for InterfaceChanged.</param>
/// <param name="InterfaceName">The interface's name, when the agent knows it.</param>
/// <param name="Address">CIDR text, for address events.</param>
/// <param name="Message">Why, for a Resync.</param>
/// <param name="InterfaceIndex">
/// The interface's ifindex in its namespace, for address events: an RTM_NEWADDR/RTM_DELADDR carries only the index, so
/// this, not <paramref name="InterfaceName"/> (given when the agent knows it), is what always identifies the interface.
/// </param>
public sealed record LabEvent(LabEventKind Kind, string Lab, string Element, DateTimeOffset At, NamespaceState? Snapshot = null, InterfaceState? Interface = null, string? InterfaceName = null, string? Address = null, string? Message = null, int? InterfaceIndex = null);

/// <summary>The answer of POST /v1/validate for a valid lab (an invalid one gets a 422 AgentError with its problems).</summary>
public sealed record LabValidation(bool Valid, string Lab);

/// <summary>The answer of GET /v1/doctor: what this kernel can create, tried for real in a scratch namespace.</summary>
public sealed record DoctorReport(string Kernel, IReadOnlyList<KernelCheck> Checks)
{
    /// <summary>Checks that failed for a reason other than the kernel lacking the kind.</summary>
    public int Failed => Checks.Count(c => c.Status == CheckStatus.Failed);

    /// <summary>Checks of kinds this kernel does not have.</summary>
    public int Unsupported => Checks.Count(c => c.Status == CheckStatus.Unsupported);
}

/// <summary>The body of every error response.</summary>
public sealed record AgentError(string Code, string Message, IReadOnlyList<Problem>? Problems = null);
