using System.IO.Compression;
using System.Text.Json;
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

    /// <summary>Writes the owner's run to <paramref name="output"/>; false when there is no such run.</summary>
    public static async Task<bool> ExportAsync(RunStore store, long ownerId, long runId, Stream output)
    {
        ArgumentNullException.ThrowIfNull(store);
        var run = await store.GetRunAsync(ownerId, runId);
        if (run is null)
        {
            return false;
        }

        var entries = await store.GetEntriesAsync(ownerId, runId);
        var captures = await store.GetCapturesAsync(ownerId, runId);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var described = new List<ArchivedCapture>();
        foreach (var capture in captures)
        {
            var frames = await store.GetFramesAsync(ownerId, runId, capture.Number);
            var file = $"captures/{capture.Number}-{capture.Element}-{capture.Interface}.pcap";
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
    /// owner has none. Nothing is written when the file is not a complete, readable export.
    /// </summary>
    public static async Task<RunImport> ImportAsync(RunStore runs, LabStore labs, long ownerId, Stream input, string fileName)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(labs);
        ArchivedRun document;
        List<(RunCapture, IReadOnlyList<StoredFrame>)> captures = [];
        try
        {
            using var zip = new ZipArchive(input, ZipArchiveMode.Read);
            var runFile = zip.GetEntry(RunFileName) ?? throw new InvalidDataException($"it holds no {RunFileName}");
            await using (var json = runFile.Open())
            {
                document = await JsonSerializer.DeserializeAsync<ArchivedRun>(json, RunJson.Options) ?? throw new InvalidDataException($"{RunFileName} is empty");
            }

            if (document.Format != FormatName || document.Version > FormatVersion)
            {
                throw new InvalidDataException($"{RunFileName} is format '{document.Format}' version {document.Version}; this NetLab reads '{FormatName}' up to version {FormatVersion}");
            }

            foreach (var capture in document.Captures ?? [])
            {
                var file = zip.GetEntry(capture.File) ?? throw new InvalidDataException($"it lacks {capture.File}, named by {RunFileName}");
                using var bytes = new MemoryStream();
                await using (var pcap = file.Open())
                {
                    await pcap.CopyToAsync(bytes);
                }

                var (_, frames) = PcapFile.Read(bytes.ToArray(), capture.Outgoing.ToHashSet());
                captures.Add((new RunCapture(0, capture.Number, capture.Element, capture.Interface, capture.SnapLength, capture.Started, capture.Ended, frames.Count), frames));
            }
        }
        catch (Exception error) when (error is InvalidDataException or JsonException or NotSupportedException)
        {
            return RunImport.Refused($"{fileName} is not a NetLab run export: {error.Message}. Export a run from its page (Export) and import that file.");
        }

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
        return RunImport.Imported(await runs.InsertCompleteRunAsync(ownerId, lab.Id, summary, document.Yaml, document.Entries ?? [], captures, fileName));
    }

    /// <summary>GET /runs/{runId}/export: the archive as a download.</summary>
    public static async Task<IResult> HandleExportAsync(long runId, RunStore store, CurrentUser user)
    {
        var run = await store.GetRunAsync(user.Id, runId);
        if (run is null)
        {
            return Results.NotFound();
        }

        var buffer = new MemoryStream();
        await ExportAsync(store, user.Id, runId, buffer);
        buffer.Position = 0;
        return Results.File(buffer, "application/zip", $"run-{runId}-{run.Summary.LabName}.zip");
    }

    /// <summary>GET /runs/{runId}/captures/{number}.pcap: one capture as tcpdump writes it.</summary>
    public static async Task<IResult> HandleCaptureAsync(long runId, int number, RunStore store, CurrentUser user)
    {
        var capture = (await store.GetCapturesAsync(user.Id, runId)).FirstOrDefault(c => c.Number == number);
        if (capture is null)
        {
            return Results.NotFound();
        }

        var frames = await store.GetFramesAsync(user.Id, runId, number);
        return Results.File(PcapFile.ToBytes(capture.SnapLength, frames), "application/vnd.tcpdump.pcap", $"run-{runId}-{capture.Element}-{capture.Interface}.pcap");
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
