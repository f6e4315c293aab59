using NetLab.Agent.Client.Contracts;

namespace NetLab.Web.Store;

/// <summary>Where a run stands; a run still <see cref="Running"/> when the web starts was cut short by a stop or crash.</summary>
public enum RunStatus
{
    Running,
    Succeeded,
    Failed,
    Interrupted,
}

/// <summary>A run as the history lists it; <see cref="Grade"/> is a graded run's summary ("4 of 6 checks passed"), else null.</summary>
public sealed record RunSummary(
    long Id,
    long OwnerId,
    long LabId,
    string LabName,
    int Revision,
    string KernelLab,
    string Title,
    string Notes,
    RunStatus Status,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    string? ImportedFrom,
    string? Grade = null)
{
    /// <summary>What the list shows: the title, or the run's number when it has none.</summary>
    public string DisplayTitle => Title.Length > 0 ? Title : $"Run {Id}";
}

/// <summary>A run with the YAML of the revision it applied (carried by the run, so it replays in any database).</summary>
public sealed record RunDetails(RunSummary Summary, string Yaml);

/// <summary>What a run entry records; the field of <see cref="RunEntry"/> of the same name holds it.</summary>
public enum RunEntryKind
{
    /// <summary>Progress of one apply operation (<see cref="RunEntry.Operation"/>).</summary>
    Operation,

    /// <summary>The apply's result (<see cref="RunEntry.Applied"/>).</summary>
    Applied,

    /// <summary>A kernel event of the lab (<see cref="RunEntry.Event"/>): snapshots first, then changes.</summary>
    Event,

    /// <summary>A connectivity check (<see cref="RunEntry.Probe"/>).</summary>
    Probe,

    /// <summary>A capture was armed (<see cref="RunEntry.Capture"/>); its frames are stored apart.</summary>
    CaptureStarted,

    /// <summary>A capture ended (<see cref="RunEntry.Capture"/>, and <see cref="RunEntry.Message"/> when the agent said why).</summary>
    CaptureEnded,

    /// <summary>A step of the run itself: started, a failure and its reason, finished (<see cref="RunEntry.Message"/>, <see cref="RunEntry.Status"/>).</summary>
    Status,

    /// <summary>A grade of the lab against its checks (<see cref="RunEntry.Grade"/>): every check's result, with NetLab's explanations.</summary>
    Grade,
}

/// <summary>
/// One thing that happened in a run, at <see cref="At"/>, numbered in the order it happened (<see cref="Sequence"/>
/// from 1). The same shape is stored, streamed by the hub and exported.
/// </summary>
public sealed record RunEntry(
    long Sequence,
    DateTimeOffset At,
    RunEntryKind Kind,
    OperationProgress? Operation = null,
    ApplyResult? Applied = null,
    LabEvent? Event = null,
    ProbeReport? Probe = null,
    RunCaptureInfo? Capture = null,
    string? Message = null,
    RunStatus? Status = null,
    GradeView? Grade = null);

/// <summary>Which capture of the run an entry is about.</summary>
public sealed record RunCaptureInfo(int Number, string Element, string Interface);

/// <summary>A capture of a run with the number of frames stored for it.</summary>
public sealed record RunCapture(long RunId, int Number, string Element, string Interface, int SnapLength, DateTimeOffset Started, DateTimeOffset? Ended, int FrameCount);

/// <summary>A stored frame: what the agent's <see cref="CapturedFrame"/> carried, with microsecond time.</summary>
public sealed record StoredFrame(long Number, long AtMicroseconds, int OriginalLength, bool Outgoing, byte[] Data);

/// <summary>
/// A search of a lab's runs: <see cref="Text"/> in the title or notes (case-insensitive), a status, and a start between
/// <see cref="From"/> and <see cref="To"/>; every part optional.
/// </summary>
public sealed record RunSearch(string? Text = null, RunStatus? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>
/// One grading to record as a run: the applied revision graded (its number and YAML), the kernel lab, the checks' text
/// as graded, when it started, and the agent's grade, or why there is none (<see cref="Failure"/>).
/// </summary>
public sealed record GradingRecord(int Revision, string Yaml, string KernelLab, string Checks, DateTimeOffset Started, GradeView? Grade, string? Failure, string Title = "Check my work");

/// <summary>A run's stored grade: the checks graded, the counts, the score (passed / total), and every check's result in order.</summary>
public sealed record StoredGrade(
    long RunId,
    string Checks,
    int Passed,
    int Failed,
    int NotChecked,
    int Total,
    double Score,
    string Summary,
    DateTimeOffset Graded,
    IReadOnlyList<CheckGradeView> Results);
