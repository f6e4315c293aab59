namespace NetLab.Cli.Launcher;

/// <summary>
/// The web's data folder, made and handed to the web user, since the web cannot write anywhere root owns. Root does
/// this for a user who may be hostile and may have had the folder before: it never follows a link, never walks into
/// the folder, and refuses a folder that is not NetLab's own to give.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class DataFolder
{
    /// <summary>The web's SQLite store in the folder (NetLab.Web's default Web:DatabaseFile).</summary>
    public const string StoreFile = "netlab.db";

    private const UnixFileMode OwnerAndGroup =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>The store and SQLite's companions of it (WAL mode): the files a web that once ran as root may have left.</summary>
    private static readonly string[] StoreFiles = [StoreFile, StoreFile + "-wal", StoreFile + "-shm", StoreFile + "-journal"];

    /// <summary>What else such a web left: ASP.NET's data-protection keys under HOME, which is the data folder.</summary>
    private static readonly string[] NetLabEntries = [.. StoreFiles, ".aspnet"];

    /// <summary>The copies the web takes of its store before migrating it (netlab.db.before-v3.bak) and SQLite's companions of them.</summary>
    private static bool IsStoreBackup(string name) => StoreBackupName().IsMatch(name);

    /// <summary>The system's own trees: neither they nor anything inside them is ever a data folder.</summary>
    private static readonly string[] SystemTrees = ["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev", "/proc", "/sys", "/root"];

    /// <summary>Folders that hold everyone's folders: a data folder may be in one of them, never one of them.</summary>
    private static readonly string[] SharedFolders = ["/", "/var", "/var/lib", "/var/cache", "/var/log", "/var/tmp", "/var/spool", "/var/mail", "/var/opt", "/run", "/tmp", "/home", "/opt", "/srv", "/mnt", "/media", "/snap"];

    /// <summary>
    /// Creates the folder (0750) when missing and gives it, and the store files directly in it, to the user: a store left
    /// by a web that once ran as root must become writable. Nothing else in it is touched: deeper folders and other
    /// files are the web's own business, and a link the web user planted there must not make root's file theirs.
    /// </summary>
    /// <exception cref="ArgumentException">The folder, or a store file in it, is not safe to give (the message says why and what to do).</exception>
    public static void Prepare(string path, WebUser user)
    {
        var folder = Locate(path);
        if (FileSystemCalls.Describe(folder) is { } existing)
        {
            CheckExistingFolder(path, folder, existing, user);
        }
        else
        {
            _ = Directory.CreateDirectory(folder, OwnerAndGroup);
        }

        // Every folder above is root's alone (checked in Locate), so nobody can swap this one for a link meanwhile.
        FileSystemCalls.ChangeOwnerNotFollowingLinks(folder, user.Uid, user.Gid);
        foreach (var name in StoreFiles)
        {
            TakeStoreFile(Path.Combine(folder, name), user);
        }
    }

    /// <summary>
    /// The folder's real path, once no one but root can choose or change where it is, and it is no system folder; `up`
    /// asks before it creates an account, which it does only when everything else is in place.
    /// </summary>
    /// <exception cref="ArgumentException">The path is not one to give away (the message says why and what to do).</exception>
    public static string Locate(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        full = full.Length == 0 ? "/" : full;
        var existingPart = "/";
        var missingParts = new List<string>();
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(existingPart, part);
            if (missingParts.Count > 0 || FileSystemCalls.Describe(next) is not { } facts)
            {
                missingParts.Add(part);
                continue;
            }

            if (facts.IsSymbolicLink && facts.Owner != 0)
            {
                throw new ArgumentException($"--data {path}: {next} is a symbolic link owned by uid {facts.Owner}, so that user decides where the data folder is: give a path without it (its real path, checked yourself)");
            }

            existingPart = next;
        }

        var real = Path.Combine([FileSystemCalls.RealPath(existingPart), .. missingParts]);
        if (IsSystemFolder(real))
        {
            var resolved = real == full ? string.Empty : $" (it is {real})";
            throw new ArgumentException($"--data {path} is a system folder{resolved}: up gives its data folder to the web's user, so it must be a folder of NetLab's own, such as /var/lib/netlab");
        }

        CheckParents(path, real);
        return real;
    }

    private static bool IsSystemFolder(string realPath) =>
        SharedFolders.Contains(realPath)
        || Path.GetDirectoryName(realPath) == "/home" // a user's home
        || SystemTrees.Any(tree => realPath == tree || realPath.StartsWith(tree + "/", StringComparison.Ordinal));

    /// <summary>Whoever may rename entries in a folder above could swap the data folder for a link at any time.</summary>
    private static void CheckParents(string path, string realPath)
    {
        for (var parent = Path.GetDirectoryName(realPath); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (FileSystemCalls.Describe(parent) is not { } facts)
            {
                continue; // created by up, as root
            }

            if (!facts.IsDirectory || facts.Owner != 0 || facts.WritableByOthersWithoutSticky)
            {
                throw new ArgumentException($"--data {path}: {parent} can be changed by users other than root (owner uid {facts.Owner}, mode {facts.Permissions}), who could swap the data folder for a link: choose a folder whose parents belong to root and only root can write");
            }
        }
    }

    private static void CheckExistingFolder(string path, string folder, FileFacts facts, WebUser user)
    {
        if (!facts.IsDirectory)
        {
            throw new ArgumentException($"--data {path}: {folder} is not a folder");
        }

        if (facts.Owner != 0 && facts.Owner != user.Uid)
        {
            throw new ArgumentException($"--data {path}: {folder} belongs to uid {facts.Owner}, neither root nor {user.Name}: it is someone else's folder; choose another --data (or chown it to root first if it is NetLab's)");
        }

        // A folder of root's that holds anything but NetLab's files is someone else's (a system or service folder):
        // giving it away would hand its entries' names to the web user.
        var foreign = facts.Owner == 0
            ? Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Where(name => !NetLabEntries.Contains(name) && !IsStoreBackup(name!)).Take(3).ToList()
            : [];
        if (foreign.Count > 0)
        {
            throw new ArgumentException($"--data {path}: {folder} belongs to root and holds files that are not NetLab's ({string.Join(", ", foreign)}); up would give it to the web's user: choose a new or empty folder");
        }
    }

    /// <summary>Opened without following a link, checked and given away through the same descriptor: no swap in between.</summary>
    private static void TakeStoreFile(string path, WebUser user) =>
        _ = FileSystemCalls.WithFileNotFollowingLinks(path, (file, facts) =>
        {
            if (!facts.IsRegularFile)
            {
                throw new ArgumentException($"{path} is not a regular file; NetLab's store is one: remove it (rm {path}) and start again");
            }

            if (facts.LinkCount > 1)
            {
                throw new ArgumentException($"{path} has {facts.LinkCount} hard links: the same file has another name, maybe outside the data folder, so giving it away could give away a file of root's. NetLab's store has one name: if it is the store, copy it (cp {path} {path}.copy && mv {path}.copy {path}), else remove it");
            }

            if (facts.Owner != 0 && facts.Owner != user.Uid)
            {
                throw new ArgumentException($"{path} belongs to uid {facts.Owner}, neither root nor {user.Name}: remove it, or chown it to {user.Name} if it is NetLab's store");
            }

            FileSystemCalls.ChangeOwner(file, user.Uid, user.Gid);
        });

    [System.Text.RegularExpressions.GeneratedRegex(@"^netlab\.db\.before-v[0-9]+\.bak(-journal|-wal|-shm)?$")]
    private static partial System.Text.RegularExpressions.Regex StoreBackupName();
}
