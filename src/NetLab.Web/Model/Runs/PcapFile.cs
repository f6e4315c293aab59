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
    /// The largest frame a pcap file of a run may hold: tcpdump's largest snap length, which is the agent's too. A record
    /// header claiming more is refused before anything is allocated for it.
    /// </summary>
    public const int MaxFrameBytes = 262144;

    /// <summary>
    /// Reads a pcap file (either byte order, micro- or nanosecond times) as a stream: the header at once, the frames one
    /// by one as they are enumerated, so a file of any size costs one frame of memory. Frames are numbered by position
    /// from 1 and marked outgoing when <paramref name="outgoing"/> holds their number (classic pcap has no direction).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The bytes are not a complete pcap file of Ethernet frames (thrown by this call for the header, by the enumeration
    /// for a frame).
    /// </exception>
    public static (int SnapLength, IEnumerable<StoredFrame> Frames) Read(Stream input, IReadOnlySet<long>? outgoing = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = new byte[24];
        var read = input.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length)
        {
            throw new InvalidDataException($"A pcap file starts with a 24-byte header; this one has {read} bytes.");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var bigEndian = magic is 0xd4c3b2a1 or 0x4d3cb2a1;
        var nanoseconds = magic is NanosecondMagic or 0x4d3cb2a1;
        if (!bigEndian && magic is not (MicrosecondMagic or NanosecondMagic))
        {
            throw new InvalidDataException($"Not a pcap file: its magic number is 0x{magic:x8}.");
        }

        var snapLength = (int)U32(header.AsSpan(16), bigEndian);
        var linkType = U32(header.AsSpan(20), bigEndian);
        if (linkType != LinkTypeEthernet)
        {
            throw new InvalidDataException($"The pcap file's link type is {linkType}, not Ethernet (1).");
        }

        return (snapLength, ReadFrames(input, bigEndian, nanoseconds, outgoing));
    }

    private static IEnumerable<StoredFrame> ReadFrames(Stream input, bool bigEndian, bool nanoseconds, IReadOnlySet<long>? outgoing)
    {
        var record = new byte[16];
        for (var number = 1L; ; number++)
        {
            var read = input.ReadAtLeast(record, record.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                yield break;
            }

            if (read < record.Length)
            {
                throw new InvalidDataException($"The pcap file ends inside the header of frame {number}.");
            }

            var seconds = U32(record, bigEndian);
            var fraction = U32(record.AsSpan(4), bigEndian);
            var captured = U32(record.AsSpan(8), bigEndian);
            var original = (int)U32(record.AsSpan(12), bigEndian);
            if (captured > MaxFrameBytes)
            {
                throw new InvalidDataException($"Frame {number} of the pcap file claims {captured} bytes; a frame holds at most {MaxFrameBytes} (tcpdump's largest snap length).");
            }

            var data = new byte[captured];
            if (input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length)
            {
                throw new InvalidDataException($"Frame {number} of the pcap file claims {captured} bytes, more than the file holds.");
            }

            var micros = seconds * 1_000_000L + (nanoseconds ? fraction / 1000 : fraction);
            yield return new StoredFrame(number, micros, original, outgoing?.Contains(number) ?? false, data);
        }
    }

    private static uint U32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
