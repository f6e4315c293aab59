using System.IO.Compression;
using System.Text.Json;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// A run as one file: a zip holding <c>run.json</c> (the run, its lab's YAML, every entry in the store's JSON shape, the
/// captures' descriptions) and <c>captures/N-element-interface.pcap</c> per capture, which tcpdump and Wireshark open as
/// they are. Chosen over JSON with embedded pcaps because a student can open the captures without NetLab.
/// docs/runs.md describes the format.
/// </summary>
public static class RunArchive
{
    public const string FormatName = "netlab-run";
    public const int FormatVersion = 1;
    public const string RunFileName = "run.json";
    public const string CaptureFolder = "captures/";
    public const string CaptureExtension = ".pcap";

    /// <summary>Files an import may hold (run.json and one per capture).</summary>
    public const int MaxEntries = 1024;

    /// <summary>What one file of an import may inflate to, counted as it inflates.</summary>
    public const long MaxEntryBytes = 32L * 1024 * 1024;

    /// <summary>What all files of an import may inflate to together, counted as they inflate.</summary>
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>The largest archive an import reads: its files' limit and 1 MiB for the zip's own headers.</summary>
    public const long MaxArchiveBytes = MaxTotalBytes + 1024 * 1024;

    /// <summary>A capture file's name between captures/ and .pcap (the export writes N-element-interface: at most 60).</summary>
    private const int MaxCaptureFileName = 96;

    /// <summary>
    /// Writes the owner's run to <paramref name="output"/>; false when there is no such run. Without
    /// <paramref name="withExplanations"/>, its grades leave out NetLab's explanation and fix of failed checks (a
    /// student's copy of an assignment that hides them, <see cref="Courses.GradeExplanations"/>).
    /// </summary>
    public static async Task<bool> ExportAsync(RunStore store, long ownerId, long runId, Stream output, bool withExplanations = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = await store.GetRunAsync(ownerId, runId);
        if (run is null)
        {
            return false;
        }

        var entries = await store.GetEntriesAsync(ownerId, runId);
        if (!withExplanations)
        {
            entries = [.. entries.Select(Courses.GradeExplanations.Without)];
        }

        var captures = await store.GetCapturesAsync(ownerId, runId);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var described = new List<ArchivedCapture>();
        foreach (var capture in captures)
        {
            var frames = await store.GetFramesAsync(ownerId, runId, capture.Number);
            var file = $"{CaptureFolder}{CaptureFileName(capture)}{CaptureExtension}";
            await using (var pcap = zip.CreateEntry(file, CompressionLevel.Fastest).Open())
            {
                PcapFile.Write(pcap, capture.SnapLength, frames);
            }

            described.Add(new ArchivedCapture(
                capture.Number, capture.Element, capture.Interface, capture.SnapLength, capture.Started, capture.Ended, file,
                [.. frames.Select((f, i) => (f, Position: i + 1L)).Where(p => p.f.Outgoing).Select(p => p.Position)]));
        }

        var document = new ArchivedRun(FormatName, FormatVersion, run.Summary.LabName, run.Summary.Revision, run.Summary.KernelLab, run.Summary.Title,
            run.Summary.Notes, run.Summary.Status, run.Summary.Started, run.Summary.Ended, run.Yaml, entries, described);
        await using (var json = zip.CreateEntry(RunFileName, CompressionLevel.Fastest).Open())
        {
            await JsonSerializer.SerializeAsync(json, document, RunJson.Options);
        }

        return true;
    }

    /// <summary>
    /// Stores an exported run under the owner's lab of the same name, creating that lab from the run's YAML when the
    /// owner has none. Nothing is written when the file is not a complete, readable export or is over a limit (at most
    /// <see cref="MaxEntries"/> files, each inflating to at most <see cref="MaxEntryBytes"/>, all to at most
    /// <see cref="MaxTotalBytes"/>). The file is read twice, as a stream both times: once to check everything, then
    /// again to store the captures' frames, so memory holds run.json's entries and one frame, never a whole capture.
    /// The input must seek (a zip is read from its end): <see cref="ImportUploadAsync"/> makes a browser's upload so.
    /// </summary>
    public static async Task<RunImport> ImportAsync(RunStore runs, LabStore labs, long ownerId, Stream input, string fileName)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(labs);
        ArgumentNullException.ThrowIfNull(input);
        if (!input.CanSeek)
        {
            throw new ArgumentException("A run archive is read from its end: pass a seekable stream (ImportUploadAsync copies an upload to a temp file).", nameof(input));
        }

        if (input.Length > MaxArchiveBytes)
        {
            return RunImport.Refused($"{fileName} is {Mebibytes(input.Length)}; an import may be at most {Mebibytes(MaxArchiveBytes)}.");
        }

        ArchivedRun document;
        List<(ArchivedCapture Archived, RunCapture Stored)> captures = [];
        try
        {
            input.Position = 0;
            var names = ZipDirectory.EntryNames(input, MaxEntries, EntryNameProblem);
            input.Position = 0;
            using var zip = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count != names.Count || zip.Entries.Any(e => !names.Contains(e.FullName)))
            {
                throw new InvalidDataException("its central directory reads differently from its end than from its start");
            }

            var budget = new InflationBudget(MaxTotalBytes, MaxEntryBytes);
            var runFile = zip.GetEntry(RunFileName) ?? throw new InvalidDataException($"it holds no {RunFileName}");
            await using (var json = budget.Open(runFile))
            {
                document = await JsonSerializer.DeserializeAsync<ArchivedRun>(json, RunJson.Options) ?? throw new InvalidDataException($"{RunFileName} is empty");
            }

            if (document.Format != FormatName || document.Version > FormatVersion)
            {
                throw new InvalidDataException($"{RunFileName} is format '{document.Format}' version {document.Version}; this NetLab reads '{FormatName}' up to version {FormatVersion}");
            }

            CheckStructure(document, names);
            if (ImportedNames.Problem(document) is { } nameProblem)
            {
                return RunImport.Refused($"{fileName} was not imported: {nameProblem}. A run's names must be ones a lab may use, since they become names of files and of kernel objects.");
            }

            foreach (var capture in document.Captures ?? [])
            {
                // The first reading only checks and counts: the frames are stored from a second reading, below.
                await using var pcap = budget.Open(zip.GetEntry(capture.File)!);
                var (_, frames) = PcapFile.Read(pcap);
                var count = frames.Count();
                captures.Add((capture, new RunCapture(0, capture.Number, capture.Element, capture.Interface, capture.SnapLength, capture.Started, capture.Ended, count)));
            }
        }
        catch (ArchiveLimitException error)
        {
            return RunImport.Refused($"{fileName} was not imported: {error.Message}. {LimitsText}.");
        }
        catch (Exception error) when (error is InvalidDataException or JsonException or NotSupportedException)
        {
            return RunImport.Refused($"{fileName} is not a NetLab run export: {error.Message}. Export a run from its page (Export) and import that file.");
        }

        try
        {
            return await StoreAsync(runs, labs, ownerId, input, fileName, document, captures).ConfigureAwait(false);
        }
        catch (StoreFullException full)
        {
            return RunImport.Refused($"{fileName} was not imported. {full.Message}");
        }
    }

    /// <summary>The checked archive into the store: its lab (made when the owner has none of that name), then the run.</summary>
    private static async Task<RunImport> StoreAsync(
        RunStore runs, LabStore labs, long ownerId, Stream input, string fileName, ArchivedRun document, List<(ArchivedCapture Archived, RunCapture Stored)> captures)
    {
        var lab = (await labs.ListLabsAsync(ownerId)).FirstOrDefault(l => l.Name == document.Lab);
        if (lab is null)
        {
            var created = await labs.CreateAsync(ownerId, document.Yaml, document.Lab, $"imported with run from {fileName}");
            if (!created.Succeeded)
            {
                return RunImport.Refused($"The run's lab YAML is not valid here: {string.Join("; ", created.Problems.Select(p => $"{p.Path}: {p.Message}"))}");
            }

            lab = created.Value!;
        }

        var summary = new RunSummary(0, ownerId, lab.Id, lab.Name, document.Revision, document.KernelLab, document.Title, document.Notes, document.Status,
            document.Started, document.Ended, fileName);
        input.Position = 0;
        using var again = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        var stored = captures.Select(c => (c.Stored, StoredFrames(again, c.Archived))).ToList();
        try
        {
            return RunImport.Imported(await runs.InsertCompleteRunAsync(ownerId, lab.Id, summary, document.Yaml, document.Entries ?? [], stored, fileName));
        }
        catch (Quotas.QuotaExceededException full)
        {
            return RunImport.Refused($"The run was not imported. {full.Message}");
        }
    }

    /// <summary>
    /// Imports an upload (a browser's file stream, read to its end): it is copied to a new file in
    /// <paramref name="tempFolder"/> (a zip is read from its end, and a file keeps an upload of up to
    /// <see cref="MaxArchiveBytes"/> out of memory), which is unlinked as soon as it is open: the open file is all that is
    /// left of it, so nothing stays behind, not even after a crash.
    /// </summary>
    public static async Task<RunImport> ImportUploadAsync(
        RunStore runs, LabStore labs, long ownerId, Stream upload, string fileName, string tempFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var path = Path.Combine(tempFolder, $"netlab-import-{Guid.NewGuid():N}.zip");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Another account on the machine has no business reading a user's run.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new FileStream(path, options);
        File.Delete(path);
        var buffer = new byte[81920];
        int read;
        while ((read = await upload.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (file.Length + read > MaxArchiveBytes)
            {
                return RunImport.Refused($"{fileName} is over {Mebibytes(MaxArchiveBytes)}; an import may be at most {Mebibytes(MaxArchiveBytes)}.");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        file.Position = 0;
        return await ImportAsync(runs, labs, ownerId, file, fileName).ConfigureAwait(false);
    }

    /// <summary>Null when <paramref name="name"/> may be a file of a run archive, else what is wrong with it.</summary>
    public static string? EntryNameProblem(string name)
    {
        if (name == RunFileName)
        {
            return null;
        }

        var file = name.StartsWith(CaptureFolder, StringComparison.Ordinal) && name.EndsWith(CaptureExtension, StringComparison.Ordinal)
            ? name[CaptureFolder.Length..^CaptureExtension.Length]
            : null;
        return file is { Length: > 0 and <= MaxCaptureFileName } && char.IsAsciiLetterOrDigit(file[0]) && !file.Contains("..", StringComparison.Ordinal)
            && file.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"it holds a file named '{name}'; a run export holds only {RunFileName} and {CaptureFolder}NAME{CaptureExtension} files, NAME of at most {MaxCaptureFileName} letters, digits, '-', '_' or '.' (no '/', no '..')";
    }

    /// <summary>"32 MiB": how limits are written in messages.</summary>
    public static string Mebibytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / (1024.0 * 1024):0.#} MiB";

    private static string LimitsText =>
        $"An import holds at most {MaxEntries} files, each inflating to at most {Mebibytes(MaxEntryBytes)} and all to at most {Mebibytes(MaxTotalBytes)}";

    /// <summary>What the database would refuse, or a later reading would trip over, refused first with a reason.</summary>
    private static void CheckStructure(ArchivedRun document, IReadOnlyList<string> files)
    {
        var sequences = new HashSet<long>();
        foreach (var entry in document.Entries ?? [])
        {
            if (entry is null)
            {
                throw new InvalidDataException($"{RunFileName} has an empty entry");
            }

            if (!sequences.Add(entry.Sequence))
            {
                throw new InvalidDataException($"{RunFileName} has two entries numbered {entry.Sequence}");
            }
        }

        var numbers = new HashSet<int>();
        foreach (var capture in document.Captures ?? [])
        {
            if (capture is null)
            {
                throw new InvalidDataException($"{RunFileName} has an empty capture");
            }

            if (capture.Number < 1)
            {
                throw new InvalidDataException($"{RunFileName} has a capture numbered {capture.Number}; captures are numbered from 1");
            }

            if (!numbers.Add(capture.Number))
            {
                throw new InvalidDataException($"{RunFileName} has two captures numbered {capture.Number}");
            }

            if (capture.File is null || !capture.File.StartsWith(CaptureFolder, StringComparison.Ordinal) || !files.Contains(capture.File))
            {
                throw new InvalidDataException($"it lacks {capture.File}, named by {RunFileName} for capture {capture.Number}");
            }
        }
    }

    /// <summary>The second reading of a capture: its frames one at a time, as the insert takes them.</summary>
    private static IEnumerable<StoredFrame> StoredFrames(ZipArchive zip, ArchivedCapture capture)
    {
        // A budget of its own: these bytes were counted by the first reading, which had the whole archive's budget.
        using var pcap = new InflationBudget(MaxEntryBytes, MaxEntryBytes).Open(zip.GetEntry(capture.File)!);
        var (_, frames) = PcapFile.Read(pcap, (capture.Outgoing ?? []).ToHashSet());
        foreach (var frame in frames)
        {
            yield return frame;
        }
    }

    /// <summary>GET /runs/{runId}/export: the archive as a download.</summary>
    public static async Task<IResult> HandleExportAsync(long runId, RunStore store, LabReaders readers, CurrentUser user, Courses.GradeExplanations explanations)
    {
        // Whoever may read the run's lab (LabReaders) reads the run as its owner's; anyone else, as a run that does not exist.
        var ownerId = (await readers.ReadRunAsync(user, runId))?.OwnerId;
        var run = ownerId is { } owner ? await store.GetRunAsync(owner, runId) : null;
        if (run is null)
        {
            return Results.NotFound($"You have no run {runId}: it was deleted with its lab, or the number is wrong. A lab's runs are listed on its History page.");
        }

        var buffer = new MemoryStream();
        await ExportAsync(store, ownerId!.Value, runId, buffer, withExplanations: !await explanations.HiddenAsync(user.Id, run.Summary.LabId));
        buffer.Position = 0;
        return Results.File(buffer, "application/zip", $"run-{runId}-{run.Summary.LabName}.zip");
    }

    /// <summary>GET /runs/{runId}/captures/{number}.pcap: one capture as tcpdump writes it.</summary>
    public static async Task<IResult> HandleCaptureAsync(long runId, int number, RunStore store, LabReaders readers, CurrentUser user)
    {
        var ownerId = (await readers.ReadRunAsync(user, runId))?.OwnerId;
        var capture = ownerId is { } owner ? (await store.GetCapturesAsync(owner, runId)).FirstOrDefault(c => c.Number == number) : null;
        if (capture is null)
        {
            return Results.NotFound($"You have no run {runId} with a capture {number}: the run's page lists its captures.");
        }

        var frames = await store.GetFramesAsync(ownerId!.Value, runId, number);
        return Results.File(PcapFile.ToBytes(capture.SnapLength, frames), "application/vnd.tcpdump.pcap", $"run-{runId}-{CaptureFileName(capture)}{CaptureExtension}");
    }

    /// <summary>
    /// A capture's file name without extension: N-element-interface, or just N when a name is not one a lab may use.
    /// Imports refuse such names now, but a run imported before they did may hold one (say ../../x), and it must not
    /// become a path in an archive or a download.
    /// </summary>
    public static string CaptureFileName(RunCapture capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        return LabName.Problem(capture.Element) is null && InterfaceName.LabProblem(capture.Interface) is null
            ? $"{capture.Number}-{capture.Element}-{capture.Interface}"
            : $"{capture.Number}";
    }
}

/// <summary>run.json of an export.</summary>
public sealed record ArchivedRun(
    string Format,
    int Version,
    string Lab,
    int Revision,
    string KernelLab,
    string Title,
    string Notes,
    RunStatus Status,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    string Yaml,
    IReadOnlyList<RunEntry>? Entries,
    IReadOnlyList<ArchivedCapture>? Captures);

/// <summary>A capture in run.json; its frames are in <see cref="File"/>, and <see cref="Outgoing"/> lists the positions (from 1) of those the interface sent.</summary>
public sealed record ArchivedCapture(int Number, string Element, string Interface, int SnapLength, DateTimeOffset Started, DateTimeOffset? Ended, string File, IReadOnlyList<long> Outgoing);

/// <summary>The outcome of an import: the stored run, or why nothing was stored.</summary>
public sealed record RunImport(RunSummary? Run, string? Error)
{
    public static RunImport Imported(RunSummary run) => new(run, null);

    public static RunImport Refused(string error) => new(null, error);
}
