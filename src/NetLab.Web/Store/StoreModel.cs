using NetLab.Core.Validation;

namespace NetLab.Web.Store;

/// <summary>A lab as the Labs page lists it.</summary>
public sealed record LabSummary(
    long Id,
    long OwnerId,
    string Name,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    int? CurrentRevision,
    int? AppliedRevision,
    DateTimeOffset? Applied)
{
    /// <summary>
    /// The name the kernel knows the lab by, fixed when the lab was made (a short id after its name then): neither a
    /// rename nor a new YAML <c>name</c> changes it, and no two labs of any users share it.
    /// </summary>
    public string KernelName { get; init; } = Name;

    /// <summary>
    /// Applied before labs had kernel names of their own: the kernel holds it under its applied revision's YAML
    /// <c>name</c> (with no owner recorded at the agent) until it is destroyed or applied again (<see cref="Agent.KernelLabs"/>).
    /// </summary>
    public bool LegacyKernel { get; init; }
}

/// <summary>A lab applied before kernel names of their own, with its applied revision's YAML (whose <c>name</c> is its kernel name).</summary>
public sealed record AppliedLab(long OwnerId, long LabId, string Name, int Revision, DateTimeOffset Applied, string Yaml);

/// <summary>
/// A lab's checks: the text of a checks file (docs/checks.md), empty when the lab has none, and when it was last saved.
/// They were valid against the lab's current revision when saved; the revision the kernel holds may differ, and the
/// agent checks them again when it grades.
/// </summary>
public sealed record LabChecks(long LabId, string Text, DateTimeOffset? Updated)
{
    public bool Any => Text.Length > 0;
}

/// <summary>One saved state of a lab's YAML. <see cref="Parent"/> is the revision it was edited from.</summary>
public sealed record LabRevision(long LabId, int Number, int? Parent, string Yaml, string Note, DateTimeOffset Created);

/// <summary>
/// The outcome of a store operation that validates YAML: either the value, or the problems (and then nothing was
/// written).
/// </summary>
public sealed record StoreResult<T>(T? Value, IReadOnlyList<Problem> Problems)
    where T : class
{
    public bool Succeeded => Value is not null && Problems.Count == 0;

    public static StoreResult<T> Success(T value) => new(value, []);

    public static StoreResult<T> Refused(IReadOnlyList<Problem> problems) => new(null, problems);

    public static StoreResult<T> Refused(string path, string message, string hint) => new(null, [new Problem(path, message, hint)]);
}
