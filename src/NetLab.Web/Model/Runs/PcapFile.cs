using System.Buffers.Binary;
using NetLab.Web.Store;

namespace NetLab.Web.Model.Runs;

/// <summary>
/// The classic libpcap file (what `tcpdump -w` writes and `tcpdump -r`, tshark and Wireshark read): a 24-byte header,
/// then per frame a 16-byte record header and the captured bytes. Little-endian, microsecond times, Ethernet link type.
/// </summary>
public static class PcapFile
{
    public const uint MicrosecondMagic = 0xa1b2c3d4;
    public const uint NanosecondMagic = 0xa1b23c4d;
    public const int LinkTypeEthernet = 1;

    public static void Write(Stream output, int snapLength, IEnumerable<StoredFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frames);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], LinkTypeEthernet);
        output.Write(header);

        Span<byte> record = stackalloc byte[16];
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(frame.AtMicroseconds / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(frame.AtMicroseconds % 1_000_000));
            BinaryPrimitives.WriteInt32LittleEndian(record[8..], frame.Data.Length);
            BinaryPrimitives.WriteInt32LittleEndian(record[12..], frame.OriginalLength);
            output.Write(record);
            output.Write(frame.Data);
        }
    }

    public static byte[] ToBytes(int snapLength, IEnumerable<StoredFrame> frames)
    {
        using var buffer = new MemoryStream();
        Write(buffer, snapLength, frames);
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a pcap file (either byte order, micro- or nanosecond times); frames are numbered by position from 1 and
    /// marked outgoing when <paramref name="outgoing"/> holds their number (classic pcap has no direction).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a complete pcap file of Ethernet frames.</exception>
    public static (int SnapLength, IReadOnlyList<StoredFrame> Frames) Read(ReadOnlySpan<byte> file, IReadOnlySet<long>? outgoing = null)
    {
        if (file.Length < 24)
        {
            throw new InvalidDataException($"A pcap file starts with a 24-byte header; this one has {file.Length} bytes.");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        var bigEndian = magic is 0xd4c3b2a1 or 0x4d3cb2a1;
        var nanoseconds = magic is NanosecondMagic or 0x4d3cb2a1;
        if (!bigEndian && magic is not (MicrosecondMagic or NanosecondMagic))
        {
            throw new InvalidDataException($"Not a pcap file: its magic number is 0x{magic:x8}.");
        }

        uint U32(ReadOnlySpan<byte> bytes) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var snapLength = (int)U32(file[16..]);
        var linkType = U32(file[20..]);
        if (linkType != LinkTypeEthernet)
        {
            throw new InvalidDataException($"The pcap file's link type is {linkType}, not Ethernet (1).");
        }

        var frames = new List<StoredFrame>();
        var offset = 24;
        while (offset < file.Length)
        {
            if (file.Length - offset < 16)
            {
                throw new InvalidDataException($"The pcap file ends inside the header of frame {frames.Count + 1}.");
            }

            var seconds = U32(file[offset..]);
            var fraction = U32(file[(offset + 4)..]);
            var captured = (int)U32(file[(offset + 8)..]);
            var original = (int)U32(file[(offset + 12)..]);
            offset += 16;
            if (captured < 0 || captured > file.Length - offset)
            {
                throw new InvalidDataException($"Frame {frames.Count + 1} of the pcap file claims {captured} bytes, more than the file holds.");
            }

            var number = frames.Count + 1L;
            var micros = seconds * 1_000_000L + (nanoseconds ? fraction / 1000 : fraction);
            frames.Add(new StoredFrame(number, micros, original, outgoing?.Contains(number) ?? false, file.Slice(offset, captured).ToArray()));
            offset += captured;
        }

        return (snapLength, frames);
    }
}
