using System.Buffers.Binary;

namespace NetLab.Core.Packets;

/// <summary>How finely a pcap file's record timestamps count the fraction of a second (the file's magic number says which).</summary>
public enum PcapTimestampResolution
{
    /// <summary>Magic 0xa1b2c3d4: the classic format every reader knows.</summary>
    Microseconds,

    /// <summary>Magic 0xa1b23c4d: libpcap 1.5+, tcpdump and tshark read it.</summary>
    Nanoseconds,
}

/// <summary>
/// Writes the classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html) with link type
/// LINKTYPE_ETHERNET, little-endian (readers detect the byte order from the magic). Frames longer than the snap length
/// are cut to it, keeping their original length in the record, as tcpdump -s does. The file header goes out before
/// the first frame, or on disposal, so even a capture that saw nothing is a valid, empty pcap.
/// </summary>
public sealed class PcapWriter : IAsyncDisposable, IDisposable
{
    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;
    public const uint LinkTypeEthernet = 1;
    public const int DefaultSnapLength = 262144;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private bool _headerWritten;

    public PcapWriter(Stream stream, int snapLength = DefaultSnapLength, PcapTimestampResolution resolution = PcapTimestampResolution.Microseconds, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _stream = stream;
        _leaveOpen = leaveOpen;
        SnapLength = snapLength;
        Resolution = resolution;
    }

    public int SnapLength { get; }

    public PcapTimestampResolution Resolution { get; }

    /// <summary>Frames written so far.</summary>
    public long Count { get; private set; }

    /// <summary>The 24-byte file header: magic, version 2.4, zone 0, sigfigs 0, snap length, LINKTYPE_ETHERNET.</summary>
    public static byte[] FileHeader(int snapLength, PcapTimestampResolution resolution)
    {
        var header = new byte[FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, resolution == PcapTimestampResolution.Nanoseconds ? 0xa1b23c4du : 0xa1b2c3d4u);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), LinkTypeEthernet);
        return header;
    }

    /// <summary>One record: its 16-byte header (seconds, fraction, captured and original length) and the bytes kept.</summary>
    public static byte[] Record(DateTimeOffset at, ReadOnlySpan<byte> data, int originalLength, int snapLength, PcapTimestampResolution resolution)
    {
        var kept = Math.Min(data.Length, snapLength);
        var record = new byte[RecordHeaderLength + kept];
        var sinceEpoch = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.Max(sinceEpoch / TimeSpan.TicksPerSecond, 0);
        var ticks = sinceEpoch < 0 ? 0 : sinceEpoch % TimeSpan.TicksPerSecond;
        var fraction = resolution == PcapTimestampResolution.Nanoseconds ? ticks * 100 : ticks / 10;
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)fraction);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)kept);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)Math.Max(originalLength, kept));
        data[..kept].CopyTo(record.AsSpan(RecordHeaderLength));
        return record;
    }

    public void WriteFrame(DateTimeOffset at, ReadOnlySpan<byte> data, int originalLength)
    {
        EnsureHeader();
        _stream.Write(Record(at, data, originalLength, SnapLength, Resolution));
        Count++;
    }

    public async ValueTask WriteFrameAsync(DateTimeOffset at, ReadOnlyMemory<byte> data, int originalLength, CancellationToken cancellationToken = default)
    {
        await EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(Record(at, data.Span, originalLength, SnapLength, Resolution), cancellationToken).ConfigureAwait(false);
        Count++;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        EnsureHeader();
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync().ConfigureAwait(false);
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void EnsureHeader()
    {
        if (!_headerWritten)
        {
            _stream.Write(FileHeader(SnapLength, Resolution));
            _headerWritten = true;
        }
    }

    private async ValueTask EnsureHeaderAsync(CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _stream.WriteAsync(FileHeader(SnapLength, Resolution), cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }
    }
}
