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
    DateTimeOffset? Applied);

/// <summary>A lab that records an applied revision, with that revision's YAML (whose <c>name</c> is the kernel's name of the lab).</summary>
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
