using System.Globalization;

namespace NetLab.Core.Grading;

public enum CheckOutcome
{
    Passed,

    Failed,

    /// <summary>Nothing was observed that could decide the check (the pair was not probed, the kernel state was not read).</summary>
    NotChecked,
}

/// <summary>
/// One check's grade. <see cref="Observed"/> is what the probe or the kernel showed (facts a student also sees in the
/// live state); <see cref="Explanation"/> and <see cref="Fix"/> are NetLab's reasoning about a failed check, which the
/// instructor may keep from students (<see cref="GradeReport.ForStudent"/>).
/// </summary>
public sealed record CheckResult(LabCheck Check, CheckOutcome Outcome)
{
    /// <summary>What was seen, in words; null when nothing was.</summary>
    public string? Observed { get; init; }

    /// <summary>Not checked only: why not, and what to do so the check is decided.</summary>
    public string? Reason { get; init; }

    /// <summary>Failed only: why the lab does not do what the check expects.</summary>
    public string? Explanation { get; init; }

    /// <summary>Failed only, when known: how to make the check pass.</summary>
    public string? Fix { get; init; }
}

/// <summary>A lab's grade: every check's result in the checks' order, the counts and the score.</summary>
public sealed record GradeReport(ValueList<CheckResult> Results)
{
    /// <summary>False in a report made for students without NetLab's explanations: every Explanation and Fix is null.</summary>
    public bool ExplanationsShown { get; init; } = true;

    public int Total => Results.Count;

    public int Passed => Results.Count(r => r.Outcome == CheckOutcome.Passed);

    public int Failed => Results.Count(r => r.Outcome == CheckOutcome.Failed);

    public int NotChecked => Results.Count(r => r.Outcome == CheckOutcome.NotChecked);

    /// <summary>
    /// The share of checks passed, from 0 to 1. A check not checked earns nothing: a grade must come from a probe of
    /// every pair and a read of the whole state, not from what happened to be observed. No checks at all score 0.
    /// </summary>
    public double Score => Total == 0 ? 0 : (double)Passed / Total;

    /// <summary>"4 of 6 checks passed", with the failed and unchecked counts when there are any.</summary>
    public string Summary
    {
        get
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{Passed} of {Total} checks passed");
            var rest = new List<string>();
            if (Failed > 0)
            {
                rest.Add(string.Create(CultureInfo.InvariantCulture, $"{Failed} failed"));
            }

            if (NotChecked > 0)
            {
                rest.Add(string.Create(CultureInfo.InvariantCulture, $"{NotChecked} not checked"));
            }

            return rest.Count == 0 ? text : $"{text} ({string.Join(", ", rest)})";
        }
    }

    /// <summary>
    /// The report a student is shown: the same outcomes and observations, and NetLab's explanations and fixes only when
    /// the instructor lets students see them.
    /// </summary>
    public GradeReport ForStudent(bool showExplanations) => showExplanations
        ? this
        : this with
        {
            Results = Results.Select(r => r with { Explanation = null, Fix = null }).ToValueList(),
            ExplanationsShown = false,
        };
}
