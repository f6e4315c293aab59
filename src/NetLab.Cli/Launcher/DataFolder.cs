using System.Runtime.InteropServices;

namespace NetLab.Cli.Launcher;

/// <summary>The web's data folder, made and handed to the web user, since the web cannot write anywhere root owns.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class DataFolder
{
    private const UnixFileMode OwnerAndGroup =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>
    /// Creates the folder (0750) and gives it, and the files directly in it, to the user: a database left by a web
    /// that once ran as root must become writable too. Deeper folders are the web's own business.
    /// </summary>
    public static void Prepare(string path, WebUser user)
    {
        if (!Directory.Exists(path))
        {
            _ = Directory.CreateDirectory(path, OwnerAndGroup);
        }

        foreach (var entry in Directory.EnumerateFiles(path).Prepend(path))
        {
            if (Chown(entry, user.Uid, user.Gid) != 0)
            {
                throw new IOException($"cannot give {entry} to {user.Name}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
