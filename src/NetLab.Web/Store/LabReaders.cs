using Dapper;
using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Store;

/// <summary>
/// A lab as one reader may read it: the lab (its owner's), whether the reader owns it, and for an instructor reading a
/// student's copy whose lab it is and of which assignment. Reads of the lab's revisions, runs and captures go to the
/// stores with <see cref="OwnerId"/>; writes keep the reader's own id, so they stay owner-only.
/// </summary>
public sealed record LabReading(LabSummary Lab, bool IsOwner, string OwnerName, string OwnerDisplayName, string? AssignmentTitle)
{
    /// <summary>The lab's owner: whom the stores are asked for its revisions and runs, and whom the agent is told the web acts for.</summary>
    public long OwnerId => Lab.OwnerId;

    /// <summary>"Read-only: Alice's lab (assignment X)": what the page says over a lab it shows its reader without edits.</summary>
    public string ReadOnlyBanner =>
        $"Read-only: {(OwnerDisplayName.Length > 0 ? OwnerDisplayName : OwnerName)}'s lab{(AssignmentTitle is { } title ? $" (assignment {title})" : "")}";
}

/// <summary>
/// The one rule of who may READ a lab and what hangs off it (revisions, runs, their captures, its live state): its owner;
/// and the instructor of a course in which the owner is enrolled, when the lab is that student's copy of one of the
/// course's assignments. Everybody else gets what a lab that does not exist gets (null), and the refusal is logged with
/// the reader and the lab. Writing is not decided here: the stores' writes take the writer's own id and stay owner-only.
/// </summary>
public sealed class LabReaders(SqliteDatabase database, LabStore labs, ILogger<LabReaders> logger)
{
    /// <summary>The lab when <paramref name="reader"/> may read it; null (and logged when it exists) otherwise.</summary>
    public async Task<LabReading?> ReadLabAsync(CurrentUser reader, long labId)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var connection = database.Open();
        var row = await connection.QuerySingleOrDefaultAsync<ReadingRow>(
            "SELECT l.owner_id AS OwnerId, u.name AS OwnerName, u.display_name AS OwnerDisplayName, " +
            // The assignment whose copy this is, only when the reader teaches its course and the owner is enrolled in
            // it now: a student dropped from the course, or a lab of theirs that is no copy, is not the instructor's to read.
            "(SELECT a.title FROM assignment_labs al JOIN assignments a ON a.id = al.assignment_id JOIN courses c ON c.id = a.course_id " +
            " JOIN enrolments e ON e.course_id = c.id AND e.student_id = al.student_id " +
            " WHERE al.lab_id = l.id AND al.student_id = l.owner_id AND c.instructor_id = @readerId LIMIT 1) AS AssignmentTitle " +
            "FROM labs l JOIN users u ON u.id = l.owner_id WHERE l.id = @labId",
            new { labId, readerId = reader.Id });
        if (row is null)
        {
            return null;
        }

        var isOwner = row.OwnerId == reader.Id;
        if (!isOwner && (row.AssignmentTitle is null || reader.Role != UserRole.Instructor))
        {
            logger.LogWarning("Refused lab {LabId} to {User} (account {UserId}): it is account {OwnerId}'s, and no copy of an assignment of a course they teach", labId, reader.Name, reader.Id, row.OwnerId);
            return null;
        }

        return await labs.GetLabAsync(row.OwnerId, labId) is { } lab
            ? new LabReading(lab, isOwner, row.OwnerName, row.OwnerDisplayName, isOwner ? null : row.AssignmentTitle)
            : null;
    }

    /// <summary>The lab of run <paramref name="runId"/> when <paramref name="reader"/> may read it (so the run too); null (logged when the run exists) otherwise.</summary>
    public async Task<LabReading?> ReadRunAsync(CurrentUser reader, long runId)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long? labId;
        using (var connection = database.Open())
        {
            // A run is its lab's owner's (RunStore writes both from one owner), so the lab's rule is the run's.
            labId = await connection.ExecuteScalarAsync<long?>(
                "SELECT r.lab_id FROM runs r JOIN labs l ON l.id = r.lab_id AND l.owner_id = r.owner_id WHERE r.id = @runId", new { runId });
        }

        if (labId is not { } id)
        {
            return null;
        }

        var reading = await ReadLabAsync(reader, id);
        if (reading is null)
        {
            logger.LogWarning("Refused run {RunId} of lab {LabId} to {User} (account {UserId})", runId, id, reader.Name, reader.Id);
        }

        return reading;
    }

    /// <summary>
    /// The lab the kernel knows as <paramref name="kernelName"/> and whom the web acts for at the agent (its owner), when
    /// <paramref name="reader"/> may read it; null (logged when it exists) otherwise. The reader's own labs are looked at
    /// first, legacy kernel names included; another user's lab only by its own kernel name.
    /// </summary>
    public async Task<(LabReading Reading, OwnedKernelLab Kernel)?> ReadKernelLabAsync(CurrentUser reader, string kernelName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        foreach (var candidate in await labs.ListLabsAsync(reader.Id).ConfigureAwait(false))
        {
            if ((await KernelLabs.OfAsync(labs, candidate).ConfigureAwait(false)) is { } owned && owned.Name == kernelName &&
                await ReadLabAsync(reader, candidate.Id) is { } own)
            {
                return (own, owned);
            }
        }

        long? labId;
        using (var connection = database.Open())
        {
            labId = await connection.ExecuteScalarAsync<long?>(
                "SELECT id FROM labs WHERE kernel_name = @kernelName AND owner_id <> @readerId", new { kernelName, readerId = reader.Id });
        }

        if (labId is not { } id || await ReadLabAsync(reader, id) is not { } reading)
        {
            return null;
        }

        var kernel = await KernelLabs.OfAsync(labs, reading.Lab).ConfigureAwait(false);
        return kernel.Name == kernelName ? (reading, kernel) : null;
    }

    private sealed class ReadingRow
    {
        public long OwnerId { get; init; }

        public string OwnerName { get; init; } = "";

        public string OwnerDisplayName { get; init; } = "";

        public string? AssignmentTitle { get; init; }
    }
}
