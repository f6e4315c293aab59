using Dapper;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Store;

namespace NetLab.Web.Courses;

/// <summary>
/// Whether a grade's explanations of failed checks (NetLab's "why" and "fix") may be shown to the user viewing a lab's
/// grades: not when the lab is that user's own copy of an assignment whose instructor chose that students do not read
/// them (assignments.show_explanations off). Everyone else - the owner of any other lab, an instructor - reads them.
/// Decided here, on the server, so the words never reach a student's browser, not even hidden in the page.
/// </summary>
public sealed class GradeExplanations(SqliteDatabase database)
{
    /// <summary>
    /// True when <paramref name="viewerId"/> is the student whose copy lab <paramref name="labId"/> is, of an
    /// assignment that hides explanations. A copy stays its assignment's after the student is unenrolled, so this
    /// does not ask for an enrolment: leaving the course does not reveal what the course hid.
    /// </summary>
    public async Task<bool> HiddenAsync(long viewerId, long labId)
    {
        using var connection = database.Open();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM assignment_labs al JOIN assignments a ON a.id = al.assignment_id " +
            "WHERE al.lab_id = @labId AND al.student_id = @viewerId AND a.show_explanations = 0)",
            new { labId, viewerId });
    }

    /// <summary>The grade without NetLab's explanation and fix of any check: what a student of such a copy may read.</summary>
    public static GradeView Without(GradeView grade)
    {
        ArgumentNullException.ThrowIfNull(grade);
        return grade with { Checks = [.. grade.Checks.Select(c => c with { Explanation = null, Fix = null })] };
    }

    /// <summary>A run's entry as such a student may read it: a grade entry's grade <see cref="Without(GradeView)"/> its explanations.</summary>
    public static RunEntry Without(RunEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Grade is { } grade ? entry with { Grade = Without(grade) } : entry;
    }
}
