using System.Buffers.Binary;
using System.IO.Compression;

namespace NetLab.Web.Model.Runs;

/// <summary>A run archive over one of the import's limits; the message names the limit.</summary>
public sealed class ArchiveLimitException(string message) : IOException(message);

/// <summary>
/// Reads a zip's central directory before <see cref="ZipArchive"/> does, to refuse what it would hold in memory.
/// ZipArchive makes an object for every record it finds and compares their count with the end record only afterwards:
/// a 45 MB file of one million records (all naming the same empty file) made it hold 252 MiB (466 MiB allocated)
/// before it answered. This walk reads one record at a time and stops after <c>maxEntries</c>. It finds the central
/// directory exactly as ZipArchive does (the last end record of the file, its offset, records until the signature
/// changes), and refuses what could make the two disagree: zip64 (ZipArchive would follow the zip64 locator instead),
/// several disks, an end record that does not end the file.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint RecordSignature = 0x02014b50;
    private const int EndBytes = 22;
    private const int RecordBytes = 46;
    private const int MaxCommentBytes = 65535;

    /// <summary>The entry names, in the order of the central directory; each checked by <paramref name="nameProblem"/>.</summary>
    /// <exception cref="ArchiveLimitException">More than <paramref name="maxEntries"/> entries.</exception>
    /// <exception cref="InvalidDataException">Not a zip file NetLab reads, or a name <paramref name="nameProblem"/> refuses.</exception>
    public static IReadOnlyList<string> EntryNames(Stream zip, int maxEntries, Func<string, string?> nameProblem)
    {
        var length = zip.Length;
        if (length < EndBytes)
        {
            throw new InvalidDataException($"it has {length} bytes, too few for a zip file");
        }

        var tail = new byte[(int)Math.Min(length, EndBytes + MaxCommentBytes)];
        var tailStart = length - tail.Length;
        ReadAt(zip, tailStart, tail);
        var end = -1;
        for (var i = tail.Length - EndBytes; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw new InvalidDataException("it is not a zip file (it has no end of central directory record)");
        }

        var record = tail.AsSpan(end, EndBytes);
        var disk = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        var directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        var entriesOnDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
        var declared = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        var directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record[20..]);
        if (end + EndBytes + commentLength != tail.Length)
        {
            throw new InvalidDataException("its end of central directory record does not end the file");
        }

        var endPosition = tailStart + end;
        if (endPosition >= 20)
        {
            var locator = new byte[4];
            ReadAt(zip, endPosition - 20, locator);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == Zip64LocatorSignature)
            {
                throw new InvalidDataException("it is a zip64 archive; a run export never needs zip64");
            }
        }

        if (disk != 0 || directoryDisk != 0 || entriesOnDisk != declared)
        {
            throw new InvalidDataException("it is split over several disks");
        }

        if (declared > maxEntries)
        {
            throw new ArchiveLimitException($"it holds {declared} files; an import takes at most {maxEntries}");
        }

        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var header = new byte[RecordBytes];
        var position = (long)directoryOffset;
        while (position + RecordBytes <= length)
        {
            ReadAt(zip, position, header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordSignature)
            {
                break;
            }

            if (names.Count == maxEntries)
            {
                throw new ArchiveLimitException($"its central directory lists more than {maxEntries} files (its end record says {declared}); an import takes at most {maxEntries}");
            }

            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
            var fileCommentLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            var nameBytes = new byte[nameLength];
            ReadAt(zip, position + RecordBytes, nameBytes);
            // Printable ASCII only: it reads the same in UTF-8 and in the IBM 437 that zip names default to, so the
            // name checked here is the name ZipArchive reports.
            if (Array.Exists(nameBytes, b => b is < 0x20 or > 0x7e))
            {
                throw new InvalidDataException($"file {names.Count + 1} has a name that is not printable ASCII ({Convert.ToHexString(nameBytes.AsSpan(0, Math.Min(nameBytes.Length, 32)))}...)");
            }

            var name = System.Text.Encoding.ASCII.GetString(nameBytes);
            if (nameProblem(name) is { } problem)
            {
                throw new InvalidDataException(problem);
            }

            if (!seen.Add(name))
            {
                throw new InvalidDataException($"it holds two files named {name}");
            }

            names.Add(name);
            position += RecordBytes + nameLength + extraLength + fileCommentLength;
        }

        if (names.Count != declared)
        {
            throw new InvalidDataException($"its central directory lists {names.Count} files, its end record {declared}");
        }

        return names;
    }

    private static void ReadAt(Stream zip, long position, byte[] buffer)
    {
        zip.Position = position;
        zip.ReadExactly(buffer);
    }
}

/// <summary>
/// What an import may inflate, counted in the bytes its files actually inflate to as they are read (a zip header's
/// declared size is never trusted: it can say anything). Reading past a limit throws <see cref="ArchiveLimitException"/>
/// from inside the read, so no reader ever holds more than the limit.
/// </summary>
internal sealed class InflationBudget(long maxTotalBytes, long maxEntryBytes)
{
    private long _used;

    /// <summary>Bytes inflated so far, over every file read through this budget.</summary>
    public long Used => _used;

    public Stream Open(ZipArchiveEntry entry) => new CountingStream(entry.Open(), entry.FullName, this);

    private void Take(string entry, long entryBytes, int count)
    {
        if (entryBytes > maxEntryBytes)
        {
            throw new ArchiveLimitException($"{entry} inflates to more than {RunArchive.Mebibytes(maxEntryBytes)}, the most one file of an import may hold");
        }

        _used += count;
        if (_used > maxTotalBytes)
        {
            throw new ArchiveLimitException($"its files inflate to more than {RunArchive.Mebibytes(maxTotalBytes)} in all, the most an import may hold");
        }
    }

    private sealed class CountingStream(Stream inner, string entry, InflationBudget budget) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            budget.Take(entry, _read, read);
            return read;
        }
    }
}
