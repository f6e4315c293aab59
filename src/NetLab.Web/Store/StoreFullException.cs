using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NetLab.Web.Store;

/// <summary>
/// The store could not be written because the file system holding it is full (SQLite's SQLITE_FULL: "database or disk is
/// full"). SQLite rolled the write back, so nothing of it was kept and everything stored before is intact (WAL: a failed
/// write never touches committed pages). The message says so, where the store is, and what to do; every page that
/// writes shows it instead of failing its circuit, and the web goes on serving what is stored.
/// </summary>
public sealed class StoreFullException(string databaseFile, Exception inner) : IOException(MessageFor(databaseFile), inner)
{
    /// <summary>SQLITE_FULL, SQLite's primary result code for a write the file system had no room for.</summary>
    public const int SqliteFull = 13;

    /// <summary>The SQLite file that could not be written.</summary>
    public string DatabaseFile { get; } = databaseFile;

    /// <summary>Is this SQLite telling that the file system is full?</summary>
    public static bool IsDiskFull(Exception error) => error is SqliteException { SqliteErrorCode: SqliteFull };

    /// <summary>The message: what happened, where (with the room left), what was kept, what to do.</summary>
    public static string MessageFor(string databaseFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databaseFile)) ?? databaseFile;
        return $"The store is full: the web could not save this in {databaseFile}, because the file system holding {folder} " +
            $"has no space left{Room(folder)}. Nothing of it was saved; everything saved before is kept. Free space there " +
            $"(`df -h {folder}` shows how full it is), or move the data folder to a larger file system (netlab up --data), then try again.";
    }

    /// <summary>" (0 B free of 4 MiB)", or nothing when the file system cannot be asked.</summary>
    private static string Room(string folder)
    {
        try
        {
            var drive = new DriveInfo(folder);
            return string.Create(CultureInfo.InvariantCulture, $" ({Bytes(drive.AvailableFreeSpace)} free of {Bytes(drive.TotalSize)})");
        }
        catch (Exception error) when (error is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
