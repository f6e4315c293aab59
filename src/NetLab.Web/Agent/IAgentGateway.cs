using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;

namespace NetLab.Web.Agent;

/// <summary>
/// The web's one edge to the agent: every page, service and hub reaches the agent through this, and nothing of it
/// throws for what the agent answers or for a missing agent (<see cref="AgentGateway.Explain"/> is the one rule that
/// turns those into messages). The app's is <see cref="AgentGateway"/> over the agent's socket; the tests drive one fake.
/// Every call names its kernel lab with the lab's owner (<see cref="OwnedKernelLab"/>), and the gateway acts for that
/// owner at the agent, which checks again that the lab is theirs.
/// </summary>
public interface IAgentGateway
{
    /// <summary>The operations applying <paramref name="yaml"/> as <paramref name="lab"/> would run, with their iproute2 commands and the kinds this kernel lacks.</summary>
    Task<AgentOutcome<PlanView>> PlanAsync(OwnedKernelLab lab, string yaml, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="yaml"/> under the kernel name of <paramref name="lab"/> (whatever its YAML <c>name</c>). <paramref name="onProgress"/> is called on whatever thread reads the agent's stream: a
    /// component must marshal it (InvokeAsync) before touching its state. Pages apply through
    /// <see cref="LabApplication"/>, which also records the applied revision.
    /// </summary>
    Task<AgentOutcome<ApplyResult>> ApplyAsync(OwnedKernelLab lab, string yaml, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default);

    /// <summary>Removes the lab's kernel objects; progress as for <see cref="ApplyAsync"/>.</summary>
    Task<AgentOutcome<ApplyResult>> DestroyAsync(OwnedKernelLab lab, Action<OperationProgress> onProgress, CancellationToken cancellationToken = default);

    /// <summary>The connectivity check of an applied lab: every namespace to every address.</summary>
    Task<AgentOutcome<ProbeReport>> ProbeAsync(OwnedKernelLab lab, ProbeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Captures on one interface until <paramref name="cancellationToken"/> ends it: a Started item, then frames; an
    /// agent that cannot capture (or is gone) gives one Error item last, never an exception.
    /// </summary>
    IAsyncEnumerable<CaptureStreamItem> CaptureAsync(OwnedKernelLab lab, CaptureRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A snapshot of each namespace of the lab, then its changes, until <paramref name="cancellationToken"/> ends it.
    /// When the stream breaks (the agent restarts, the lab is not applied yet) a lab-wide
    /// <see cref="LabEventKind.Resync"/> (an empty <see cref="LabEvent.Element"/>) says why, and fresh snapshots follow
    /// once it is back. Pages do not call this: they share one subscription per lab through <see cref="Model.LiveLabs"/>.
    /// </summary>
    IAsyncEnumerable<LabEvent> WatchAsync(OwnedKernelLab lab, CancellationToken cancellationToken);

    /// <summary>
    /// Grades the applied lab (by its kernel name) against checks: the agent probes every pair afresh and reads the
    /// kernel's state. Checks that do not read or do not fit the lab fail with code "invalid-checks" and their problems.
    /// </summary>
    Task<AgentOutcome<GradeView>> GradeAsync(OwnedKernelLab lab, GradeRequest request, CancellationToken cancellationToken = default);

    /// <summary>What the kernel holds for the lab now (its counters); code "not-found" when it holds no such lab.</summary>
    Task<AgentOutcome<LabState>> StateAsync(OwnedKernelLab lab, CancellationToken cancellationToken = default);
}

/// <summary>
/// Either the agent's answer, or why there is none: a message a student can act on, the lab's problems when the
/// agent found it invalid, and the agent's error code for callers that branch (e.g. "not-found").
/// </summary>
public sealed record AgentOutcome<T>(T? Value, string? Error, IReadOnlyList<Problem> Problems, string? ErrorCode = null)
    where T : class
{
    public bool Succeeded => Value is not null;

    public static AgentOutcome<T> Success(T value) => new(value, null, []);

    public static AgentOutcome<T> Failed(string error, IReadOnlyList<Problem>? problems = null, string? errorCode = null) => new(null, error, problems ?? [], errorCode);

    public static AgentOutcome<T> Failed(AgentFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(null, failure.Message, failure.Problems, failure.Code);
    }
}

/// <summary>What went wrong at the agent, in words for the user, with its code and the lab's problems (if any).</summary>
public sealed record AgentFailure(string Message, string Code, IReadOnlyList<Problem> Problems);
