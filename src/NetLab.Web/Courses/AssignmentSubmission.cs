using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Courses;

/// <summary>A hand-in: the grading it was made from, and the submission recorded, or why there is none.</summary>
public sealed record SubmissionOutcome(GradingOutcome? Grading, Submission? Submission, string? Error);

/// <summary>
/// "Submit" on a student's copy of an assignment: grades the applied lab against the assignment's checks (as
/// published; the copy's own checks, which the student may edit, do not count), records that grading as a run, and
/// hands the run in with its passed-of-total (late after the due time).
/// </summary>
public sealed class AssignmentSubmission(CourseStore courses, LabGrading grading)
{
    public async Task<SubmissionOutcome> SubmitAsync(CurrentUser student, long labId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        if (await courses.AssignmentOfLabAsync(student, labId) is not { } assignment)
        {
            return new(null, null, "This lab is no copy of an assignment open to you: open the assignment from its course's page.");
        }

        if (string.IsNullOrWhiteSpace(assignment.Checks))
        {
            return new(null, null, "The assignment has no checks to grade it by: ask your instructor.");
        }

        var graded = await grading.GradeAsync(student.Id, labId, assignment.Checks, cancellationToken);
        if (graded.Grade is not { } grade)
        {
            return new(graded, null, $"Nothing was submitted: {graded.Error}");
        }

        if (graded.Run is not { } run)
        {
            return new(graded, null, $"Nothing was submitted: the grade could not be stored. {graded.StoreError}");
        }

        // The store takes passed and total from the stored grade of that run, not from here.
        var submitted = await courses.SubmitAsync(student, assignment.Id, run.Id);
        return submitted.Succeeded
            ? new(graded, submitted.Value, null)
            : new(graded, null, $"Nothing was submitted: {string.Join("; ", submitted.Problems.Select(p => p.Message))}");
    }
}
