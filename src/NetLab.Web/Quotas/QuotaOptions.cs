using Microsoft.Extensions.Options;
using NetLab.Web.Store;

namespace NetLab.Web.Quotas;

/// <summary>
/// How much one account may hold, per role (configuration section <c>Quotas</c>, e.g.
/// <c>--Quotas:Student:Labs=10</c>), and how many namespaces the whole class may have applied at once. A limit left
/// empty (null) is no limit.
/// </summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quotas";

    public RoleQuota Student { get; set; } = new() { Labs = 30, NamespacesApplied = 24, Runs = 500, CapturesAtOnce = 2, StoredBytes = 100L << 20, IdleAppliedMinutes = 120 };

    public RoleQuota Instructor { get; set; } = new() { Labs = 300, NamespacesApplied = 200, Runs = 5000, CapturesAtOnce = 8, StoredBytes = 2L << 30 };

    /// <summary>Namespaces applied at once by everyone together: the machine's room (its neighbour table, its memory).</summary>
    public int? NamespacesAppliedInTotal { get; set; } = 1500;

    /// <summary>How long before an idle lab is destroyed its page warns (and offers "Keep it applied").</summary>
    public int IdleWarningMinutes { get; set; } = 15;

    public RoleQuota Of(UserRole role) => role == UserRole.Instructor ? Instructor : Student;
}

/// <summary>One role's limits; null is no limit.</summary>
public sealed class RoleQuota
{
    /// <summary>Labs the account may own.</summary>
    public int? Labs { get; set; }

    /// <summary>Namespaces of the account's labs applied at once.</summary>
    public int? NamespacesApplied { get; set; }

    /// <summary>Recorded runs (experiments, imports) the account may keep.</summary>
    public int? Runs { get; set; }

    /// <summary>Live captures running at once.</summary>
    public int? CapturesAtOnce { get; set; }

    /// <summary>Bytes of the store the account's labs and runs take (revisions' YAML, runs' YAML, entries and frames).</summary>
    public long? StoredBytes { get; set; }

    /// <summary>
    /// Minutes an applied lab may go without work (a revision, an apply, saved checks, a run, "Keep it applied") before
    /// the web destroys it to give its namespaces back; null never. The lab itself, its revisions and runs stay.
    /// </summary>
    public int? IdleAppliedMinutes { get; set; }
}

/// <summary>Refuses negative limits at start-up, naming the setting.</summary>
public sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (role, quota) in new[] { ("Student", options.Student), ("Instructor", options.Instructor) })
        {
            foreach (var (setting, value) in new (string, long?)[]
            {
                ("Labs", quota.Labs), ("NamespacesApplied", quota.NamespacesApplied), ("Runs", quota.Runs),
                ("CapturesAtOnce", quota.CapturesAtOnce), ("StoredBytes", quota.StoredBytes),
            })
            {
                if (value < 0)
                {
                    failures.Add($"Quotas:{role}:{setting} is {value}; a limit is 0 or more, or empty for none.");
                }
            }

            if (quota.IdleAppliedMinutes < 1)
            {
                failures.Add($"Quotas:{role}:IdleAppliedMinutes is {quota.IdleAppliedMinutes}; it is 1 or more, or empty to never destroy idle labs.");
            }
        }

        if (options.IdleWarningMinutes < 0)
        {
            failures.Add($"Quotas:IdleWarningMinutes is {options.IdleWarningMinutes}; it is 0 or more (0: no warning before an idle lab is destroyed).");
        }

        if (options.NamespacesAppliedInTotal < 0)
        {
            failures.Add($"Quotas:NamespacesAppliedInTotal is {options.NamespacesAppliedInTotal}; a limit is 0 or more, or empty for none.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
