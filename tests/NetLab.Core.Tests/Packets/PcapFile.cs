using System.Buffers.Binary;

namespace NetLab.Core.Tests.Packets;

/// <summary>One record of a pcap file.</summary>
internal sealed record PcapRecord(long Seconds, long Fraction, byte[] Data, int OriginalLength);

/// <summary>A classic pcap file read independently of NetLab's writer (test data in, writer output checked).</summary>
internal sealed record PcapFile(uint Magic, int SnapLength, uint LinkType, IReadOnlyList<PcapRecord> Records)
{
    public static PcapFile Read(byte[] bytes)
    {
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var bigEndian = magic is 0xd4c3b2a1 or 0x4d3cb2a1;
        uint U32(int offset) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
        var records = new List<PcapRecord>();
        for (var offset = 24; offset + 16 <= bytes.Length;)
        {
            var captured = (int)U32(offset + 8);
            records.Add(new PcapRecord(U32(offset), U32(offset + 4), bytes.AsSpan(offset + 16, captured).ToArray(), (int)U32(offset + 12)));
            offset += 16 + captured;
        }

        return new PcapFile(bigEndian ? BinaryPrimitives.ReverseEndianness(magic) : magic, (int)U32(16), U32(20), records);
    }

    /// <summary>The frames tcpdump captured in namespaces (TestData/capture-frames.sh), with what tcpdump printed for each.</summary>
    public static IReadOnlyList<(PcapRecord Record, string Tcpdump)> Corpus()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData");
        var file = Read(File.ReadAllBytes(Path.Combine(folder, "frames.pcap")));
        var lines = File.ReadAllLines(Path.Combine(folder, "frames.tcpdump.txt"));
        Assert.Equal(file.Records.Count, lines.Length);
        return file.Records.Zip(lines).ToList();
    }
}
