using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// The names inside an imported run (captures, events, probes, its YAML) are checked with the lab validator's rules:
/// a capture's element and interface become the name of its file in every later export, so `../../x` would have been a
/// path out of the next archive.
/// </summary>
public sealed class RunImportNamesTests : IDisposable
{
    private readonly TempDatabase _source = new();
    private readonly TempDatabase _target = new();

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
    }

    private RunStore SourceRuns => new(_source.Database, TimeProvider.System);

    private RunStore TargetRuns => new(_target.Database, TimeProvider.System);

    [Theory]
    [InlineData("element", "../../x", "capture 1's element: '../../x' starts with '.'")]
    [InlineData("element", "a/b", "capture 1's element: 'a/b' contains '/'")]
    [InlineData("interface", "../../x", "capture 1's interface: '../../x' contains '/'")]
    [InlineData("interface", "a/b", "capture 1's interface: 'a/b' contains '/'")]
    [InlineData("interface", "$(reboot)", "capture 1's interface: '$(reboot)' starts with '$'")]
    [InlineData("interface", "a-name-of-16-chr", "capture 1's interface: 'a-name-of-16-chr' is 16 bytes long; Linux allows at most 15")]
    public async Task A_capture_named_outside_the_lab_rules_is_refused_with_the_name_and_why(string field, string name, string expected)
    {
        var archive = await ChangedExportAsync(run => run["captures"]![0]![field] = name);

        var imported = await ImportAsync(archive);

        Assert.Null(imported.Run);
        Assert.Contains($"crafted.zip was not imported: {expected}", imported.Error, StringComparison.Ordinal);
        Assert.Empty(await _target.Store.ListLabsAsync(LabStore.LocalUserId));
    }

    [Fact]
    public async Task Names_inside_entries_are_checked_too()
    {
        var snapshotInterface = await ImportAsync(await ChangedExportAsync(run =>
            Entry(run, "event", e => e["event"]!["kind"]!.GetValue<string>() == "snapshot")["event"]!["snapshot"]!["interfaces"]![1]!["name"] = "a/b"));
        Assert.Contains("an interface of entry 6 (event): 'a/b' contains '/'", snapshotInterface.Error, StringComparison.Ordinal);

        var parent = await ImportAsync(await ChangedExportAsync(run =>
            Entry(run, "event", e => e["event"]!["kind"]!.GetValue<string>() == "snapshot")["event"]!["snapshot"]!["interfaces"]![1]!["parent"] = "../h1/eth0"));
        Assert.Contains("the parent of macvlan2 in entry 6 (event): '..' starts with '.'", parent.Error, StringComparison.Ordinal);

        var probe = await ImportAsync(await ChangedExportAsync(run => Entry(run, "probe")["probe"]!["results"]![0]!["from"] = "../../x"));
        Assert.Contains("a source of entry 11 (probe): '../../x' starts with '.'", probe.Error, StringComparison.Ordinal);

        var captureEntry = await ImportAsync(await ChangedExportAsync(run => Entry(run, "captureStarted")["capture"]!["interface"] = "a/b"));
        Assert.Contains("the capture interface of entry 10 (captureStarted): 'a/b'", captureEntry.Error, StringComparison.Ordinal);

        Assert.Empty(await _target.Store.ListLabsAsync(LabStore.LocalUserId));
    }

    [Fact]
    public async Task The_runs_yaml_must_pass_the_validator_even_when_its_lab_exists_here()
    {
        // The lab exists in the target, so the YAML would not have been checked by creating it.
        await _target.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"));
        var archive = await ChangedExportAsync(run => run["yaml"] = run["yaml"]!.GetValue<string>().Replace("macvlan2:", "\"$(reboot)\":", StringComparison.Ordinal));

        var imported = await ImportAsync(archive);

        Assert.Contains("the run's lab YAML is not valid here", imported.Error, StringComparison.Ordinal);
        Assert.Contains("$(reboot)", imported.Error, StringComparison.Ordinal);
        var lab = Assert.Single(await _target.Store.ListLabsAsync(LabStore.LocalUserId));
        Assert.Empty(await TargetRuns.ListRunsAsync(LabStore.LocalUserId, lab.Id));
    }

    [Fact]
    public async Task An_export_never_writes_a_name_that_leaves_the_archive()
    {
        // A run whose capture names came from an import made before the names were checked.
        var lab = (await _source.Store.CreateBlankAsync(LabStore.LocalUserId, "old")).Value!;
        var run = await SourceRuns.CreateRunAsync(LabStore.LocalUserId, lab.Id, 1, "name: old\n", "old", "", "");
        await using (var recorder = SourceRuns.OpenRecorder(run.Id))
        {
            await recorder.CaptureStartedAsync(new RunCaptureInfo(1, "../../x", "a/b"), 65535);
            await recorder.AppendFrameAsync(1, new NetLab.Agent.Client.Contracts.CapturedFrame(1, RunFixtures.Start, 16, RunFixtures.Frame(1), false));
            await recorder.FinishAsync(RunStatus.Succeeded, "done");
        }

        using var buffer = new MemoryStream();
        Assert.True(await RunArchive.ExportAsync(SourceRuns, LabStore.LocalUserId, run.Id, buffer));

        using var zip = new ZipArchive(new MemoryStream(buffer.ToArray()));
        Assert.Equal(["captures/1.pcap", "run.json"], zip.Entries.Select(e => e.FullName).Order());
        Assert.All(zip.Entries, e => Assert.Null(RunArchive.EntryNameProblem(e.FullName)));
        var capture = Assert.Single(await SourceRuns.GetCapturesAsync(LabStore.LocalUserId, run.Id));
        Assert.Equal("1", RunArchive.CaptureFileName(capture));
    }

    private async Task<RunImport> ImportAsync(byte[] archive) =>
        await RunArchive.ImportAsync(TargetRuns, _target.Store, LabStore.LocalUserId, new MemoryStream(archive), "crafted.zip");

    private static JsonNode Entry(JsonNode run, string kind, Func<JsonNode, bool>? where = null) =>
        run["entries"]!.AsArray().First(e => e!["kind"]!.GetValue<string>() == kind && (where?.Invoke(e) ?? true))!;

    /// <summary>
    /// A real export with its run.json changed by <paramref name="change"/>; the capture's file is stored as
    /// captures/1.pcap, a name the archive's own rules take, so that only the names inside run.json are at stake.
    /// </summary>
    private async Task<byte[]> ChangedExportAsync(Action<JsonNode> change)
    {
        var id = await RunFixtures.RecordAsync(_source.Store, _source.Database);
        using var export = new MemoryStream();
        Assert.True(await RunArchive.ExportAsync(SourceRuns, LabStore.LocalUserId, id, export));
        using var original = new ZipArchive(new MemoryStream(export.ToArray()));
        JsonNode run;
        await using (var json = original.GetEntry(RunArchive.RunFileName)!.Open())
        {
            run = (await JsonNode.ParseAsync(json, cancellationToken: TestContext.Current.CancellationToken))!;
        }

        var pcapEntry = run["captures"]![0]!["file"]!.GetValue<string>();
        run["captures"]![0]!["file"] = "captures/1.pcap";
        change(run);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = zip.CreateEntry(RunArchive.RunFileName).Open())
            {
                await entry.WriteAsync(Encoding.UTF8.GetBytes(run.ToJsonString()), TestContext.Current.CancellationToken);
            }

            await using var pcap = zip.CreateEntry("captures/1.pcap").Open();
            await using var from = original.GetEntry(pcapEntry)!.Open();
            await from.CopyToAsync(pcap, TestContext.Current.CancellationToken);
        }

        return output.ToArray();
    }
}
