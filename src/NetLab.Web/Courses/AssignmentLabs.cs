using Dapper;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>How an instructor's reset of a student's copy ended: the new revision, or why nothing was reset.</summary>
public sealed record ResetOutcome(LabRevision? Revision, string? Error)
{
    public bool Succeeded => Revision is not null;
}

/// <summary>Where "destroy all labs" is: about to destroy the <paramref name="Number"/>th of <paramref name="Total"/> applied copies, <paramref name="Student"/>'s.</summary>
public sealed record DestroyAllProgress(int Number, int Total, string Student);

/// <summary>A copy "destroy all labs" could not destroy (or could not record as destroyed), and why.</summary>
public sealed record DestroyAllFailure(long StudentId, string Student, long LabId, string Reason);

/// <summary>How "destroy all labs" ended: how many applied copies there were, how many were destroyed, the failures with their reasons; or why nothing was tried.</summary>
public sealed record DestroyAllOutcome(int Total, int Destroyed, IReadOnlyList<DestroyAllFailure> Failures, string? Error = null);

/// <summary>
/// An instructor's actions on the students' copies of an assignment: reset one copy to the template, destroy every
/// applied copy at the assignment's end. Only the course's instructor acts; anyone else reads that there is no such
/// assignment of theirs, as for one that does not exist. The kernel labs are destroyed through the agent acting for
/// each student (the lab's owner, as <see cref="LabApplication"/> does for the student), and the store records each
/// action with its audit row in the same transaction, only once the destroy succeeded.
/// </summary>
public sealed class AssignmentLabs(CourseStore courses, LabStore labs, LabApplication application, SqliteDatabase database, ILogger<AssignmentLabs>? logger = null)
{
    /// <summary>
    /// Resets <paramref name="studentId"/>'s copy: destroys its kernel lab when it is applied, then (one transaction)
    /// a new revision from the assignment's template, nothing applied, the assignment's checks, the audit row. A destroy
    /// that fails writes nothing and says what to do.
    /// </summary>
    public async Task<ResetOutcome> ResetAsync(CurrentUser instructor, long assignmentId, long studentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        if (await TaughtAssignmentAsync(instructor, assignmentId) is not { } assignment)
        {
            return new(null, NoSuchAssignment(assignmentId));
        }

        var student = (await courses.ListStudentsAsync(instructor, assignment.CourseId)).FirstOrDefault(s => s.Id == studentId);
        if (student is null || await courses.CopyOfAsync(studentId, assignmentId) is not { } copy)
        {
            return new(null, student is null
                ? $"There is no student {studentId} in this course: reload the overview."
                : $"{student.Name} has not opened '{assignment.Title}' yet: there is no copy to reset (opening it makes one from the template).");
        }

        LabRevision? revision = null;
        string? refusal = null;
        async Task<bool> ResetInStoreAsync()
        {
            var reset = await labs.ResetAsync(copy, assignment.TemplateYaml, assignment.Checks, $"reset by instructor {instructor.DisplayName}",
                new AuditActor(instructor.Id, AuditActions.Reset)).ConfigureAwait(false);
            revision = reset.Value;
            refusal = reset.Succeeded ? null : string.Join("; ", reset.Problems.Select(p => $"{p.Message} ({p.Hint})"));
            return reset.Succeeded;
        }

        if (copy.AppliedRevision is null && !copy.LegacyKernel)
        {
            // Nothing applied: nothing for the agent to destroy, so the reset needs no agent.
            try
            {
                await ResetInStoreAsync().ConfigureAwait(false);
            }
            catch (StoreFullException full)
            {
                return new(null, $"{student.Name}'s copy was not reset. {full.Message}");
            }
        }
        else
        {
            var destroyed = await application.DestroyAndRecordAsync(copy, ResetInStoreAsync, _ => { }, cancellationToken).ConfigureAwait(false);
            if (destroyed.FailureText is { } why)
            {
                return new(null,
                    $"{student.Name}'s copy was not reset: destroying its kernel lab {copy.KernelName} failed ({why}). Nothing was changed; " +
                    "fix that (is the agent running?) and reset again.");
            }

            if (destroyed.StoreError is { } storeError)
            {
                return new(null, $"{student.Name}'s kernel lab was destroyed, but the copy was not reset: {storeError}");
            }
        }

        var kernelNote = copy.AppliedRevision is null && !copy.LegacyKernel ? "" : " (its kernel lab was destroyed)";
        return revision is not null
            ? new(revision, null)
            : new(null, $"{student.Name}'s copy was not reset{kernelNote}: {refusal ?? "the store did not record it"}.");
    }

    /// <summary>
    /// Destroys every applied copy of the assignment, one after another (<paramref name="onProgress"/> before each),
    /// going on past a failure; each destroyed copy is recorded as not applied with its "destroy-all" audit row.
    /// </summary>
    public async Task<DestroyAllOutcome> DestroyAllAsync(CurrentUser instructor, long assignmentId, Action<DestroyAllProgress> onProgress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instructor);
        ArgumentNullException.ThrowIfNull(onProgress);
        if (await TaughtAssignmentAsync(instructor, assignmentId) is null)
        {
            return new(0, 0, [], NoSuchAssignment(assignmentId));
        }

        var applied = await AppliedCopiesAsync(assignmentId).ConfigureAwait(false);
        var failures = new List<DestroyAllFailure>();
        var audit = new AuditActor(instructor.Id, AuditActions.DestroyAll);
        for (var i = 0; i < applied.Count; i++)
        {
            var copy = applied[i];
            onProgress(new DestroyAllProgress(i + 1, applied.Count, copy.UserName));
            string? reason;
            try
            {
                var outcome = await application.DestroyAsync(copy.StudentId, copy.LabId, _ => { }, cancellationToken, audit).ConfigureAwait(false);
                reason = outcome.FailureText
                    ?? (outcome.StoreError is { } storeError ? $"destroyed, but not recorded: {storeError}" : null)
                    ?? (outcome.Recorded ? null : "destroyed, but the copy was deleted meanwhile");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is StoreFullException or Microsoft.Data.Sqlite.SqliteException)
            {
                // One copy's store error must not stop the others: the instructor reads it with the rest.
                reason = e.Message;
            }

            if (reason is not null)
            {
                failures.Add(new DestroyAllFailure(copy.StudentId, copy.UserName, copy.LabId, reason));
            }
        }

        return new(applied.Count, applied.Count - failures.Count, failures);
    }

    /// <summary>The assignment when <paramref name="instructor"/> teaches its course; else null.</summary>
    private async Task<Assignment?> TaughtAssignmentAsync(CurrentUser instructor, long assignmentId)
    {
        if (await courses.GetAssignmentAsync(instructor, assignmentId) is { } assignment && await courses.TaughtCourseAsync(instructor, assignment.CourseId) is not null)
        {
            return assignment;
        }

        // Answered as for a missing assignment; logged, since the pages offer these actions to the instructor only.
        logger?.LogWarning("User {UserId} asked to act on the copies of assignment {AssignmentId}, which is not theirs to oversee (or does not exist)", instructor.Id, assignmentId);
        return null;
    }

    private static string NoSuchAssignment(long assignmentId) =>
        $"There is no assignment {assignmentId} of yours to oversee: open it from one of your courses.";

    /// <summary>Every copy of the assignment the store records as applied, also of students no longer enrolled (their kernel labs are there all the same), by user name.</summary>
    private async Task<IReadOnlyList<AppliedCopy>> AppliedCopiesAsync(long assignmentId)
    {
        using var connection = database.Open();
        var rows = await connection.QueryAsync<AppliedCopy>(
            "SELECT al.student_id AS StudentId, u.name AS UserName, al.lab_id AS LabId FROM assignment_labs al " +
            "JOIN labs l ON l.id = al.lab_id JOIN users u ON u.id = al.student_id " +
            "WHERE al.assignment_id = @assignmentId AND l.applied_revision IS NOT NULL ORDER BY u.name COLLATE NOCASE",
            new { assignmentId }).ConfigureAwait(false);
        return [.. rows];
    }

    private sealed class AppliedCopy
    {
        public long StudentId { get; init; }

        public string UserName { get; init; } = "";

        public long LabId { get; init; }
    }
}
