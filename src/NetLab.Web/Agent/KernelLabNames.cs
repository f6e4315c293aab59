using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Web.Store;

namespace NetLab.Web.Agent;

/// <summary>
/// Which store lab a kernel lab belongs to. The agent knows a lab by its YAML <c>name</c>, one namespace of names for
/// every user, while the store may hold several labs of one YAML name (a template created twice, an import under
/// another name): the kernel lab belongs to the one that applied it last.
/// </summary>
public static class KernelLabNames
{
    /// <summary>
    /// The YAML's <c>name</c> (what the agent knows the lab by), read without validating: a stored revision was valid
    /// when saved, and a stricter validator of a later NetLab must not make its kernel name fall back to another.
    /// </summary>
    public static string Of(string? yaml, string storeName) =>
        yaml is null ? storeName : Of(LabFormat.Load(yaml, LabFileFormat.Yaml).Lab, storeName);

    /// <summary>
    /// The kernel name of a lab already read: its YAML <c>name</c> whether or not it validates, the store's name only
    /// when there is no lab (or no name) at all. Every agent call names a lab by this, so one rule decides it.
    /// </summary>
    public static string Of(Lab? lab, string storeName) => lab?.Name is { Length: > 0 } name ? name : storeName;

    /// <summary>The lab other than <paramref name="labId"/> that applied <paramref name="kernelLab"/> last, or null.</summary>
    public static AppliedLab? LastAppliedBy(IEnumerable<AppliedLab> applied, string kernelLab, long labId) =>
        applied.Where(other => other.LabId != labId && Of(other.Yaml, other.Name) == kernelLab).MaxBy(other => other.Applied);

    /// <summary>
    /// Whether another lab holds the kernel lab: it applied it after <paramref name="appliedAt"/> (when this lab was
    /// applied; null when it records no apply).
    /// </summary>
    public static bool HeldByAnother(AppliedLab? lastByAnother, DateTimeOffset? appliedAt) =>
        lastByAnother is not null && (appliedAt is not { } at || lastByAnother.Applied > at);
}
