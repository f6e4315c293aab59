using NetLab.Core.Packets;

namespace NetLab.Core.Tests.Packets;

/// <summary>The pcap writer: exact header bytes, records read back, snap length, and tcpdump/tshark as readers.</summary>
public sealed class PcapWriterTests
{
    [Fact]
    public void File_header_is_libpcaps_for_ethernet()
    {
        Assert.Equal(
            Convert.FromHexString("d4c3b2a1020004000000000000000000ffff000001000000"),
            PcapWriter.FileHeader(65535, PcapTimestampResolution.Microseconds));
        Assert.Equal(Convert.FromHexString("4d3cb2a1"), PcapWriter.FileHeader(100, PcapTimestampResolution.Nanoseconds)[..4]);
    }

    [Fact]
    public void A_capture_without_frames_is_a_valid_empty_file()
    {
        var stream = new MemoryStream();
        new PcapWriter(stream, leaveOpen: true).Dispose();
        var file = PcapFile.Read(stream.ToArray());
        Assert.Equal(PcapWriter.FileHeaderLength, stream.Length);
        Assert.Equal(0xa1b2c3d4u, file.Magic);
        Assert.Empty(file.Records);
    }

    [Theory]
    [InlineData(PcapTimestampResolution.Microseconds, 0xa1b2c3d4u, 123_456L)]
    [InlineData(PcapTimestampResolution.Nanoseconds, 0xa1b23c4du, 123_456_700L)]
    public async Task Records_read_back_with_their_time_lengths_and_bytes(PcapTimestampResolution resolution, uint magic, long fraction)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);
        var stream = new MemoryStream();
        await using (var writer = new PcapWriter(stream, 65535, resolution, leaveOpen: true))
        {
            await writer.WriteFrameAsync(at, new byte[] { 1, 2, 3 }, 3, TestContext.Current.CancellationToken);
            writer.WriteFrame(at.AddSeconds(1), new byte[60], 1514);
            Assert.Equal(2, writer.Count);
        }

        var file = PcapFile.Read(stream.ToArray());
        Assert.Equal(magic, file.Magic);
        Assert.Equal(65535, file.SnapLength);
        Assert.Equal(1u, file.LinkType);
        Assert.Equal(2, file.Records.Count);
        Assert.Equal(new PcapRecord(1_700_000_000, fraction, [1, 2, 3], 3), file.Records[0] with { Data = file.Records[0].Data }, new RecordComparer());
        Assert.Equal(1_700_000_001, file.Records[1].Seconds);
        Assert.Equal(60, file.Records[1].Data.Length);
        Assert.Equal(1514, file.Records[1].OriginalLength);
    }

    [Fact]
    public void Frames_longer_than_the_snap_length_are_cut_and_keep_their_original_length()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, snapLength: 64, leaveOpen: true))
        {
            writer.WriteFrame(DateTimeOffset.UnixEpoch, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray(), 100);
        }

        var record = Assert.Single(PcapFile.Read(stream.ToArray()).Records);
        Assert.Equal(64, record.Data.Length);
        Assert.Equal(100, record.OriginalLength);
        Assert.Equal(63, record.Data[^1]);
    }

    [Fact]
    public void Tcpdump_reads_a_written_corpus_exactly_as_the_original_capture()
    {
        var corpus = PcapFile.Corpus();
        var path = WriteCorpus(PcapTimestampResolution.Microseconds);
        try
        {
            var (exit, output) = ExternalCommand.Run("tcpdump", "-r", path, "-n", "-e", "-tt");
            Assert.Equal(0, exit);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("reading from", StringComparison.Ordinal)).ToArray();
            Assert.Equal(corpus.Select(c => c.Tcpdump), lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(PcapTimestampResolution.Microseconds)]
    [InlineData(PcapTimestampResolution.Nanoseconds)]
    public void Tshark_reads_a_written_corpus_with_its_vlan_tags(PcapTimestampResolution resolution)
    {
        var path = WriteCorpus(resolution);
        try
        {
            var (exit, output) = ExternalCommand.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "vlan.id", "-e", "ieee8021ad.id");
            Assert.True(exit == 0, output);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => char.IsDigit(l[0])).ToList();
            Assert.Equal(PcapFile.Corpus().Count, lines.Count);
            Assert.Equal(2, lines.Count(l => l.Split('\t')[1] == "888"));
            Assert.Single(lines, l => l.Split('\t')[2] == "100");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string WriteCorpus(PcapTimestampResolution resolution)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nltest-pcap-{Guid.NewGuid():N}.pcap");
        using var writer = new PcapWriter(File.Create(path), 262144, resolution);
        foreach (var (record, _) in PcapFile.Corpus())
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(record.Seconds).AddTicks(record.Fraction * 10);
            writer.WriteFrame(at, record.Data, record.OriginalLength);
        }

        return path;
    }

    private sealed class RecordComparer : IEqualityComparer<PcapRecord>
    {
        public bool Equals(PcapRecord? x, PcapRecord? y) =>
            x is not null && y is not null && x.Seconds == y.Seconds && x.Fraction == y.Fraction && x.OriginalLength == y.OriginalLength && x.Data.SequenceEqual(y.Data);

        public int GetHashCode(PcapRecord obj) => obj.Seconds.GetHashCode();
    }
}
