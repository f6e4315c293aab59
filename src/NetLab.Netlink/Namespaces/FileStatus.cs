using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NetLab.Netlink.Interop;

namespace NetLab.Netlink.Namespaces;

/// <summary>
/// What statx(2) says about a file: the device and inode that identify it, its owner and mode. .NET has no managed
/// call for a file's inode or owner. For a named network namespace (a bind mount of nsfs) the inode is the
/// namespace's number (`ip netns identify`, `lsns`): two namespaces alive at once never share it, though the kernel
/// reuses a number once its namespace is gone.
/// </summary>
public sealed record FileStatus(ulong Device, ulong Inode, uint OwnerUid, UnixFileMode Mode, bool IsSymbolicLink)
{
    /// <summary>The same file (device and inode), whatever else changed.</summary>
    public bool IsSameFileAs(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>The file at <paramref name="path"/> (a symbolic link itself, not followed, unless <paramref name="followLinks"/>), or null when there is none.</summary>
    public static FileStatus? Of(string path, bool followLinks = true)
    {
        var status = Read(LibC.AT_FDCWD, path, followLinks ? 0 : LibC.AT_SYMLINK_NOFOLLOW);
        var errno = status is null ? Marshal.GetLastPInvokeError() : 0;
        return status is not null || errno is Errno.ENOENT or Errno.ENOTDIR ? status : throw new NetlinkException(errno, $"stat {path}");
    }

    internal static FileStatus Of(SafeFileHandle file, string what)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return Read((int)file.DangerousGetHandle(), "", LibC.AT_EMPTY_PATH) ?? throw NetlinkSocket.LastError($"stat {what}");
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private static unsafe FileStatus? Read(int directoryFd, string path, int flags)
    {
        var buffer = stackalloc byte[LibC.StatxSize];
        if (LibC.Statx(directoryFd, path, flags, LibC.STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }

        var bytes = new ReadOnlySpan<byte>(buffer, LibC.StatxSize);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(bytes[LibC.StatxModeOffset..]);
        var major = BinaryPrimitives.ReadUInt32LittleEndian(bytes[LibC.StatxDevMajorOffset..]);
        var minor = BinaryPrimitives.ReadUInt32LittleEndian(bytes[LibC.StatxDevMinorOffset..]);
        return new FileStatus(
            ((ulong)major << 32) | minor,
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[LibC.StatxInoOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[LibC.StatxUidOffset..]),
            (UnixFileMode)(mode & 0xfff),
            (mode & 0xf000) == 0xa000);
    }
}
