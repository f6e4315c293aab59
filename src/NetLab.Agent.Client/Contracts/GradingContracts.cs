using NetLab.Core.Experiments;
using NetLab.Core.Grading;

namespace NetLab.Agent.Client.Contracts;

/// <summary>
/// Grade an applied lab (POST /v1/labs/{name}/grade): the lab as the student made it (its name the route's) and the
/// checks (a checks file's text, docs/checks.md, as <see cref="LabDocument"/> carries a lab's), graded against a fresh
/// connectivity check and the kernel's state of the lab.
/// </summary>
public sealed record GradeRequest(LabDocument Lab, LabDocument Checks, int TimeoutMilliseconds = 1000);

/// <summary>A graded lab: the counts, the score (passed over all checks) and every check's result in the checks' order.</summary>
public sealed record GradeView(string Lab, int Passed, int Failed, int NotChecked, double Score, string Summary, IReadOnlyList<CheckGradeView> Checks)
{
    public static GradeView Of(string lab, GradeReport report) => new(
        lab,
        report.Passed,
        report.Failed,
        report.NotChecked,
        report.Score,
        report.Summary,
        [.. report.Results.Select(r => new CheckGradeView(r.Check.Id, r.Check.Text, r.Outcome, r.Observed, r.Reason, r.Explanation, r.Fix))]);
}

/// <summary>One check's grade: what it expects (<see cref="Text"/>), the outcome, what was seen, and for a failed check NetLab's explanation and fix.</summary>
public sealed record CheckGradeView(string Id, string Text, CheckOutcome Outcome, string? Observed, string? Reason, string? Explanation, string? Fix);

/// <summary>The agent's probe results as Core's observations (Core does not know the agent's wire types).</summary>
public static class ProbeObservations
{
    public static ObservedPing Of(ProbeResult result) => new(result.From, result.Address, result.Replied, result.Neighbor switch
    {
        NeighborOutcome.Answered => NeighborResult.Answered,
        NeighborOutcome.Unanswered => NeighborResult.Unanswered,
        _ => NeighborResult.NotNeeded,
    }, result.Error);
}
