using System.IO.Compression;
using System.Text;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Runs;

public sealed class RunArchiveTests : IDisposable
{
    private readonly TempDatabase _source = new();
    private readonly TempDatabase _target = new();

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
    }

    private async Task<(long Id, byte[] Archive)> ExportAsync()
    {
        var id = await RunFixtures.RecordAsync(_source.Store, _source.Database);
        using var buffer = new MemoryStream();
        Assert.True(await RunArchive.ExportAsync(new RunStore(_source.Database, TimeProvider.System), LabStore.LocalUserId, id, buffer));
        return (id, buffer.ToArray());
    }

    [Fact]
    public async Task An_exported_run_imported_into_another_database_replays_the_same()
    {
        var (id, archive) = await ExportAsync();
        var targetRuns = new RunStore(_target.Database, TimeProvider.System);

        var imported = await RunArchive.ImportAsync(targetRuns, _target.Store, LabStore.LocalUserId, new MemoryStream(archive), "run.zip");

        Assert.Null(imported.Error);
        var copy = imported.Run!;
        Assert.Equal(("macvlan-bridge", "bridge run", "first try", RunStatus.Succeeded, "run.zip"), (copy.LabName, copy.Title, copy.Notes, copy.Status, copy.ImportedFrom));
        var sourceRuns = new RunStore(_source.Database, TimeProvider.System);
        var original = (await RunReplay.LoadAsync(sourceRuns, LabStore.LocalUserId, id))!;
        var replayed = (await RunReplay.LoadAsync(targetRuns, LabStore.LocalUserId, copy.Id))!;
        Assert.Equal(original.Run.Yaml, replayed.Run.Yaml);
        Assert.Equal(original.DurationMilliseconds, replayed.DurationMilliseconds);
        Assert.Equal(original.Entries.Select(RunJson.Serialize), replayed.Entries.Select(RunJson.Serialize));
        foreach (var t in new long[] { 0, 150, 250, 350, 700 })
        {
            var (a, b) = (original.At(t), replayed.At(t));
            Assert.Equal(a.EntryCount, b.EntryCount);
            Assert.Equal(a.Namespaces.SelectMany(n => n.Interfaces.Select(i => i.State)), b.Namespaces.SelectMany(n => n.Interfaces.Select(i => i.State)), StateComparer.Instance);
        }

        var capture = Assert.Single(replayed.Captures);
        Assert.Equal(("ns2", "macvlan2", 2), (capture.Element, capture.Interface, capture.FrameCount));
        var originalFrames = await sourceRuns.GetFramesAsync(LabStore.LocalUserId, id, 1);
        var importedFrames = await targetRuns.GetFramesAsync(LabStore.LocalUserId, copy.Id, 1);
        Assert.Equal(originalFrames.Select(f => (f.Number, f.AtMicroseconds, f.OriginalLength, f.Outgoing, Convert.ToHexString(f.Data))),
            importedFrames.Select(f => (f.Number, f.AtMicroseconds, f.OriginalLength, f.Outgoing, Convert.ToHexString(f.Data))));

        // The lab did not exist in the target: it was created from the run's YAML.
        Assert.Equal(original.Run.Yaml, (await _target.Store.GetCurrentRevisionAsync(LabStore.LocalUserId, copy.LabId))!.Yaml);
    }

    [Fact]
    public async Task The_archive_holds_run_json_and_a_pcap_that_tcpdump_reads()
    {
        var (_, archive) = await ExportAsync();
        using var zip = new ZipArchive(new MemoryStream(archive));

        Assert.Equal(["captures/1-ns2-macvlan2.pcap", "run.json"], zip.Entries.Select(e => e.FullName).Order());
        using (var json = new StreamReader(zip.GetEntry("run.json")!.Open()))
        {
            var text = await json.ReadToEndAsync(TestContext.Current.CancellationToken);
            Assert.Contains("\"format\":\"netlab-run\"", text, StringComparison.Ordinal);
            Assert.Contains("\"kind\":\"probe\"", text, StringComparison.Ordinal);
        }

        if (!File.Exists("/usr/bin/tcpdump") && !File.Exists("/usr/sbin/tcpdump"))
        {
            Assert.Skip("tcpdump is not installed (scripts/test.sh installs it): the pcap's readability by tcpdump is not checked");
        }

        var pcap = Path.Combine(_source.Folder, "capture.pcap");
        await using (var file = File.Create(pcap))
        await using (var entry = zip.GetEntry("captures/1-ns2-macvlan2.pcap")!.Open())
        {
            await entry.CopyToAsync(file, TestContext.Current.CancellationToken);
        }

        var (exitCode, output) = ExternalCommand.Run(File.Exists("/usr/bin/tcpdump") ? "/usr/bin/tcpdump" : "/usr/sbin/tcpdump", "-n", "-e", "-r", pcap);
        Assert.True(exitCode == 0, output);
        Assert.Equal(2, output.Split('\n').Count(line => line.Contains("ARP", StringComparison.Ordinal)));
        Assert.Contains("02:00:00:00:00:01", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_an_export_is_refused_and_nothing_is_stored()
    {
        var (_, archive) = await ExportAsync();
        var targetRuns = new RunStore(_target.Database, TimeProvider.System);

        var notZip = await RunArchive.ImportAsync(targetRuns, _target.Store, LabStore.LocalUserId, new MemoryStream(Encoding.UTF8.GetBytes("name: lab\n")), "lab.yaml");
        Assert.Contains("lab.yaml is not a NetLab run export", notZip.Error, StringComparison.Ordinal);

        // A zip whose pcap is cut short.
        using var broken = new MemoryStream();
        using (var original = new ZipArchive(new MemoryStream(archive)))
        using (var copy = new ZipArchive(broken, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in original.Entries)
            {
                using var from = new MemoryStream();
                await using (var read = entry.Open())
                {
                    await read.CopyToAsync(from, TestContext.Current.CancellationToken);
                }

                var bytes = from.ToArray();
                await using var to = copy.CreateEntry(entry.FullName).Open();
                await to.WriteAsync(entry.FullName.EndsWith(".pcap", StringComparison.Ordinal) ? bytes[..^5] : bytes, TestContext.Current.CancellationToken);
            }
        }

        broken.Position = 0;
        var cut = await RunArchive.ImportAsync(targetRuns, _target.Store, LabStore.LocalUserId, broken, "cut.zip");
        Assert.Contains("claims", cut.Error, StringComparison.Ordinal);
        Assert.Empty(await _target.Store.ListLabsAsync(LabStore.LocalUserId));
    }

    private sealed class StateComparer : IEqualityComparer<NetLab.Agent.Client.Contracts.InterfaceState>
    {
        public static readonly StateComparer Instance = new();

        public bool Equals(NetLab.Agent.Client.Contracts.InterfaceState? x, NetLab.Agent.Client.Contracts.InterfaceState? y) =>
            x is not null && y is not null && (x with { Addresses = Array.Empty<string>() }) == (y with { Addresses = Array.Empty<string>() }) && x.Addresses.SequenceEqual(y.Addresses);

        public int GetHashCode(NetLab.Agent.Client.Contracts.InterfaceState obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
