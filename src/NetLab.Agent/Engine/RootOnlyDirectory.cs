using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Engine;

/// <summary>
/// A directory of the agent's records (which namespaces it made, who owns which lab): a record is proof only if nobody
/// but root can have written it, so the directory is made mode 0700, and one that is a link, or that someone else owns
/// or can write, is refused.
/// </summary>
internal static class RootOnlyDirectory
{
    /// <summary>The agent runs as root (it makes namespaces), so its directories are root's.</summary>
    private const uint RootUid = 0;

    /// <summary>Makes <paramref name="directory"/> or checks the one there; <paramref name="what"/> names its records in the refusal.</summary>
    /// <exception cref="AgentRefusalException">The directory is not safe; the message says how to fix it.</exception>
    public static void Ensure(string directory, string what)
    {
        var status = FileStatus.Of(directory, followLinks: false);
        if (status is null && OperatingSystem.IsLinux())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            status = FileStatus.Of(directory, followLinks: false);
        }

        const UnixFileMode writableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        if (status is null || status.IsSymbolicLink || status.OwnerUid != RootUid || (status.Mode & writableByOthers) != 0)
        {
            throw new AgentRefusalException($"The agent's {what} directory {directory} is not safe (a symbolic link, not owned by root, or writable by others), so records in it prove nothing: remove it (`rm -rf {directory}`) and the agent makes it again with mode 0700.");
        }
    }
}
