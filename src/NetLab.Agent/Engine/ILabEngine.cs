using NetLab.Agent.Client.Contracts;
using NetLab.Core.Grading;
using NetLab.Core.Labs;

namespace NetLab.Agent.Engine;

/// <summary>
/// What the agent does with labs. The HTTP API and the CLI's in-process mode both call this; nothing else in the
/// agent changes the kernel. Invalid labs throw <see cref="NetLab.Core.Validation.InvalidLabException"/> before any
/// kernel change; a failed operation rolls back what the apply created and is reported in the result.
/// </summary>
public interface ILabEngine
{
    Task<PlanView> PlanAsync(Lab lab, CancellationToken cancellationToken = default);

    Task<ApplyResult> ApplyAsync(Lab lab, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default);

    Task<ApplyResult> DestroyAsync(string labName, IProgress<OperationProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Labs the kernel holds (all of them, or one).</summary>
    Task<IReadOnlyList<LabState>> StateAsync(string? labName = null, CancellationToken cancellationToken = default);

    /// <summary>A snapshot of each of the lab's namespaces, then every change, until cancelled.</summary>
    IAsyncEnumerable<LabEvent> EventsAsync(string labName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Captures frames on one interface of one of the lab's elements: Started once the socket is bound, then frames,
    /// until cancelled (or Ended after <see cref="CaptureRequest.MaxFrames"/>). An unknown lab, element or interface
    /// throws <see cref="LabObjectNotFoundException"/> before anything is opened.
    /// </summary>
    IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The connectivity check: an ICMP echo from every host and namespace of the lab to every address of the lab, all
    /// at once, with the neighbour (ARP/ND) outcome of each. Throws <see cref="LabNotFoundException"/> for a lab the
    /// kernel does not hold.
    /// </summary>
    Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Grades the applied <paramref name="lab"/> against <paramref name="checks"/>: a connectivity check and the kernel's
    /// state of the lab, read under one hold of the lab (an apply or destroy waits), given to Core's grader. Throws
    /// <see cref="LabNotFoundException"/> for a lab the kernel does not hold.
    /// </summary>
    Task<GradeReport> GradeAsync(Lab lab, IReadOnlyList<LabCheck> checks, ProbeRequest request, CancellationToken cancellationToken = default);
}
