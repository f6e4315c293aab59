using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Runs;

/// <summary>
/// Hostile archives against the run import: zip bombs (one file, all files, a header that lies about the size), too
/// many files (also behind an end record that understates them), names that leave the archive, and the upload's temp
/// file. Each is refused with the limit or the name in the message, and nothing is stored.
/// </summary>
public sealed class RunArchiveLimitTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly TempDatabase _source = new();
    private readonly TempDatabase _target = new();

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
    }

    private RunStore TargetRuns => new(_target.Database, TimeProvider.System);

    [Fact]
    public async Task A_small_zip_whose_capture_inflates_over_32_MiB_is_refused_with_the_limit()
    {
        // 40 MiB of zeros after a pcap header is a valid pcap of 2.6 million empty frames, about 40 KB compressed.
        var archive = await ArchiveAsync(("captures/1-ns2-macvlan2.pcap", ZeroPcap(40 * MiB)));
        Assert.True(archive.Length < 200_000, $"the bomb is {archive.Length} bytes");

        var imported = await ImportAsync(archive);

        Assert.Null(imported.Run);
        Assert.Contains("captures/1-ns2-macvlan2.pcap inflates to more than 32 MiB", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Files_under_the_limit_each_but_over_64_MiB_together_are_refused_with_the_limit()
    {
        var archive = await ArchiveAsync(
            ("captures/1-ns2-macvlan2.pcap", ZeroPcap(30 * MiB)),
            ("captures/2-ns2-macvlan2.pcap", ZeroPcap(30 * MiB)),
            ("captures/3-ns2-macvlan2.pcap", ZeroPcap(30 * MiB)));

        var imported = await ImportAsync(archive);

        Assert.Contains("inflate to more than 64 MiB in all", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task The_size_a_header_declares_is_not_what_is_counted()
    {
        // Overstated: every file claims almost 4 GiB. What counts is what inflates, so the run imports.
        var export = await ExportAsync();
        var overstated = WithDeclaredSizes(export, _ => 0xFFFF_FF00);
        var imported = await ImportAsync(overstated);
        Assert.Null(imported.Error);

        // Understated: the capture claims 1 KiB and inflates to 40 MiB. Nothing past what is allowed is read: the
        // import is refused or keeps at most the frames of that 1 KiB, never 40 MiB of them.
        var understated = WithDeclaredSizes(await ArchiveAsync(("captures/1-ns2-macvlan2.pcap", ZeroPcap(40 * MiB))), name => name.EndsWith(".pcap", StringComparison.Ordinal) ? 1024u : null);
        var second = await ImportAsync(understated, "understated.zip");
        if (second.Run is { } run)
        {
            Assert.True((await TargetRuns.GetFramesAsync(LabStore.LocalUserId, run.Id, 1)).Count <= 1024 / 16);
        }
    }

    [Fact]
    public async Task More_than_1024_files_are_refused_with_the_limit()
    {
        var files = Enumerable.Range(1, 1024).Select(i => ($"captures/{i}-ns2-macvlan2.pcap", ZeroPcap(0))).ToArray();

        var imported = await ImportAsync(await ArchiveAsync(files));

        Assert.Contains("it holds 1025 files; an import takes at most 1024", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_central_directory_longer_than_its_end_record_says_is_refused_before_it_is_read_whole()
    {
        // 200,000 records of one empty file behind an end record that declares one: System.IO.Compression would make an
        // object for each before comparing the counts.
        var imported = await ImportAsync(ManyRecords(200_000, declared: 1));

        Assert.Contains("lists more than 1024 files (its end record says 1)", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("captures/../run.json.pcap")]
    [InlineData("captures/sub/1.pcap")]
    [InlineData("captures/.hidden.pcap")]
    [InlineData("notes.txt")]
    [InlineData("captures\\1.pcap")]
    public async Task A_file_outside_the_expected_names_is_refused_naming_it(string name)
    {
        var imported = await ImportAsync(await ArchiveAsync(Bytes(name, [1, 2, 3])));

        Assert.Contains($"it holds a file named '{name}'", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_capture_that_run_json_names_by_a_path_outside_the_archive_is_refused()
    {
        var archive = await ArchiveAsync(file: "../captures/1-ns2-macvlan2.pcap");

        var imported = await ImportAsync(archive);

        Assert.Contains("it lacks ../captures/1-ns2-macvlan2.pcap, named by run.json for capture 1", imported.Error, StringComparison.Ordinal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_upload_goes_through_a_temp_file_that_is_gone_afterwards()
    {
        var temp = Directory.CreateDirectory(Path.Combine(_target.Folder, "uploads")).FullName;
        var export = await ExportAsync();

        // A browser's stream cannot seek; the import reads a zip from its end.
        var imported = await RunArchive.ImportUploadAsync(TargetRuns, _target.Store, LabStore.LocalUserId, new ForwardOnlyStream(export), "run.zip", temp, TestContext.Current.CancellationToken);
        Assert.Null(imported.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));

        var bomb = await ArchiveAsync(("captures/1-ns2-macvlan2.pcap", ZeroPcap(40 * MiB)));
        var refused = await RunArchive.ImportUploadAsync(TargetRuns, _target.Store, LabStore.LocalUserId, new ForwardOnlyStream(bomb), "bomb.zip", temp, TestContext.Current.CancellationToken);
        Assert.Contains("32 MiB", refused.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    [Fact]
    public async Task An_upload_over_65_MiB_is_refused_with_the_limit_while_it_is_copied()
    {
        var temp = Directory.CreateDirectory(Path.Combine(_target.Folder, "uploads")).FullName;

        var refused = await RunArchive.ImportUploadAsync(TargetRuns, _target.Store, LabStore.LocalUserId, new ForwardOnlyStream(new byte[66 * MiB]), "huge.zip", temp, TestContext.Current.CancellationToken);

        Assert.Equal("huge.zip is over 65 MiB; an import may be at most 65 MiB.", refused.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }

    private async Task<RunImport> ImportAsync(byte[] archive, string name = "crafted.zip") =>
        await RunArchive.ImportAsync(TargetRuns, _target.Store, LabStore.LocalUserId, new MemoryStream(archive), name);

    private async Task AssertNothingStoredAsync() => Assert.Empty(await _target.Store.ListLabsAsync(LabStore.LocalUserId));

    private async Task<byte[]> ExportAsync()
    {
        var id = await RunFixtures.RecordAsync(_source.Store, _source.Database);
        using var buffer = new MemoryStream();
        Assert.True(await RunArchive.ExportAsync(new RunStore(_source.Database, TimeProvider.System), LabStore.LocalUserId, id, buffer));
        return buffer.ToArray();
    }

    /// <summary>A real export's run.json with one capture per extra file (numbered in order), and those files.</summary>
    private async Task<byte[]> ArchiveAsync(params (string Name, Func<Stream, Task> Write)[] files) => await ArchiveAsync(null, files);

    /// <summary>As above, with a first capture naming <paramref name="file"/>, which the archive need not hold.</summary>
    private async Task<byte[]> ArchiveAsync(string? file = null, params (string Name, Func<Stream, Task> Write)[] files)
    {
        using var export = new ZipArchive(new MemoryStream(await ExportAsync()));
        JsonNode run;
        await using (var json = export.GetEntry(RunArchive.RunFileName)!.Open())
        {
            run = (await JsonNode.ParseAsync(json, cancellationToken: TestContext.Current.CancellationToken))!;
        }

        var template = run["captures"]![0]!;
        var captures = new JsonArray();
        if (file is not null)
        {
            var capture = template.DeepClone();
            capture["file"] = file;
            captures.Add(capture);
        }

        foreach (var (name, index) in files.Select((f, i) => (f.Name, i)).Where(f => f.Name.StartsWith("captures/", StringComparison.Ordinal)))
        {
            var capture = template.DeepClone();
            capture["number"] = index + 1;
            capture["file"] = name;
            capture["outgoing"] = new JsonArray();
            captures.Add(capture);
        }

        run["captures"] = captures;
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = zip.CreateEntry(RunArchive.RunFileName).Open())
            {
                await entry.WriteAsync(Encoding.UTF8.GetBytes(run.ToJsonString()), TestContext.Current.CancellationToken);
            }

            foreach (var (name, write) in files)
            {
                await using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                await write(entry);
            }
        }

        return output.ToArray();
    }

    private static (string, Func<Stream, Task>) Bytes(string name, byte[] bytes) => (name, s => s.WriteAsync(bytes).AsTask());

    /// <summary>A pcap header, then <paramref name="zeros"/> zero bytes: empty frames at time 0, 16 bytes each.</summary>
    private static Func<Stream, Task> ZeroPcap(int zeros) => async stream =>
    {
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapFile.MicrosecondMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), PcapFile.LinkTypeEthernet);
        await stream.WriteAsync(header);
        var chunk = new byte[MiB];
        for (var left = zeros; left > 0; left -= chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)));
        }
    };

    /// <summary>The archive with the uncompressed sizes its local and central headers declare replaced where <paramref name="declared"/> says.</summary>
    private static byte[] WithDeclaredSizes(byte[] archive, Func<string, uint?> declared)
    {
        var bytes = (byte[])archive.Clone();
        for (var i = 0; i + 46 <= bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            var (sizeAt, nameLengthAt, nameAt) = signature switch
            {
                0x04034b50 => (22, 26, 30),
                0x02014b50 => (24, 28, 46),
                _ => (-1, -1, -1),
            };
            if (sizeAt < 0)
            {
                continue;
            }

            var name = Encoding.ASCII.GetString(bytes, i + nameAt, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + nameLengthAt)));
            if (declared(name) is { } size)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + sizeAt), size);
            }
        }

        return bytes;
    }

    /// <summary>One empty stored file and <paramref name="records"/> central directory records, each naming it differently.</summary>
    private static byte[] ManyRecords(int records, ushort declared)
    {
        using var output = new MemoryStream();
        using var writer = new BinaryWriter(output);
        var name = Encoding.ASCII.GetBytes(RunArchive.RunFileName);
        writer.Write(0x04034b50u);
        writer.Write((ushort)20);
        writer.Write(new byte[20]);
        writer.Write((ushort)name.Length);
        writer.Write((ushort)0);
        writer.Write(name);
        var directory = output.Position;
        for (var i = 0; i < records; i++)
        {
            name = Encoding.ASCII.GetBytes($"captures/{i}.pcap");
            writer.Write(0x02014b50u);
            writer.Write((ushort)20);
            writer.Write((ushort)20);
            writer.Write(new byte[20]);
            writer.Write((ushort)name.Length);
            writer.Write(new byte[16]);
            writer.Write(name);
        }

        var size = output.Position - directory;
        writer.Write(0x06054b50u);
        writer.Write((ushort)0);
        writer.Write((ushort)0);
        writer.Write(declared);
        writer.Write(declared);
        writer.Write((uint)size);
        writer.Write((uint)directory);
        writer.Write((ushort)0);
        writer.Flush();
        return output.ToArray();
    }

    /// <summary>A stream that only reads forward, as a browser's upload does.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
