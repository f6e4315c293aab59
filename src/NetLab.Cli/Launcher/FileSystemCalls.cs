using System.Runtime.InteropServices;

namespace NetLab.Cli.Launcher;

/// <summary>What a path names, as statx(2) says without following a last symbolic link.</summary>
internal readonly record struct FileFacts(uint Mode, uint Owner, uint Group, uint LinkCount)
{
    private const uint TypeMask = 0xF000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsSymbolicLink => (Mode & TypeMask) == 0xA000;

    /// <summary>Group or others may create, delete or rename entries (the sticky bit, as on /tmp, stops the renaming of others' entries).</summary>
    public bool WritableByOthersWithoutSticky => (Mode & 0b000_010_010) != 0 && (Mode & 0x200) == 0;

    public string Permissions => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');
}

/// <summary>
/// The libc calls `up` needs to take ownership of files without ever following a symbolic link: statx (its layout is
/// the same on every architecture, unlike struct stat's), open with O_NOFOLLOW, fchown on the opened file, and
/// fchownat with AT_SYMLINK_NOFOLLOW.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class FileSystemCalls
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7FF;
    private const int ENOENT = 2;
    private const int ELOOP = 40;

    // O_NOFOLLOW is 0400000 on x86 but 0100000 on ARM; the others are the same on both.
    private const int OpenReadOnlyNonBlockingNoCttyCloseOnExec = 0x800 | 0x100 | 0x80000;

    /// <summary>The facts of <paramref name="path"/> itself (a link is described, not followed); null when nothing is there.</summary>
    public static FileFacts? Describe(string path)
    {
        var facts = default(Statx);
        if (StatxCall(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref facts) == 0)
        {
            return facts.ToFacts();
        }

        return Marshal.GetLastPInvokeError() == ENOENT ? null : throw Failure($"cannot look at {path}");
    }

    /// <summary>
    /// Opens the file itself, refusing a symbolic link, and hands it with its facts to <paramref name="use"/>, which acts
    /// on that very file (not on whatever the path names a moment later). False when nothing is there.
    /// </summary>
    public static bool WithFileNotFollowingLinks(string path, Action<OpenFile, FileFacts> use)
    {
        var descriptor = Open(path, OpenReadOnlyNonBlockingNoCttyCloseOnExec | NoFollow());
        if (descriptor < 0)
        {
            return Marshal.GetLastPInvokeError() switch
            {
                ENOENT => false,
                ELOOP => throw new ArgumentException($"{path} is a symbolic link; NetLab's files are never links: remove it (rm {path}) and start again"),
                _ => throw Failure($"cannot open {path}"),
            };
        }

        try
        {
            var facts = default(Statx);
            if (StatxCall(descriptor, string.Empty, AtEmptyPath, StatxBasicStats, ref facts) != 0)
            {
                throw Failure($"cannot look at {path}");
            }

            use(new OpenFile(descriptor, path), facts.ToFacts());
        }
        finally
        {
            _ = Close(descriptor);
        }

        return true;
    }

    public static void ChangeOwner(OpenFile file, uint owner, uint group)
    {
        if (FChown(file.Descriptor, owner, group) != 0)
        {
            throw Failure($"cannot give {file.Path} to uid {owner}");
        }
    }

    /// <summary>lchown(2): a symbolic link itself would change owner, never its target.</summary>
    public static void ChangeOwnerNotFollowingLinks(string path, uint owner, uint group)
    {
        if (FChownAt(AtFdCwd, path, owner, group, AtSymlinkNoFollow) != 0)
        {
            throw Failure($"cannot give {path} to uid {owner}");
        }
    }

    /// <summary>realpath(3): the path with every symbolic link, `.` and `..` resolved; the path must exist.</summary>
    public static string RealPath(string path)
    {
        var resolved = RealPathCall(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            throw Failure($"cannot resolve {path}");
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? throw new IOException($"cannot resolve {path}");
        }
        finally
        {
            Free(resolved);
        }
    }

    private static int NoFollow() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        var other => throw new PlatformNotSupportedException($"netlab up does not know O_NOFOLLOW on {other}"),
    };

    private static IOException Failure(string what) => new($"{what}: {Marshal.GetLastPInvokeErrorMessage()}");

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxCall(int directory, string path, int flags, uint mask, ref Statx facts);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int file);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int FChown(int file, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FChownAt(int directory, string path, uint owner, uint group, int flags);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathCall(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr memory);

    /// <summary>struct statx (linux/stat.h): 256 bytes; only the leading fields are read.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;

        public readonly FileFacts ToFacts() => new(Mode, Uid, Gid, LinkCount);
    }
}

/// <summary>A file <see cref="FileSystemCalls.WithFileNotFollowingLinks"/> opened, valid only inside its callback.</summary>
internal readonly record struct OpenFile(int Descriptor, string Path);
