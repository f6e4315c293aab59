namespace NetLab.Web.Store;

/// <summary>
/// The store was migrated by a newer NetLab than this one: opening it would read and write tables whose meaning this
/// code does not know, so it is refused before anything is written. The message says which versions and what to do.
/// </summary>
public sealed class StoreTooNewException(string databaseFile, int storeVersion, int knownVersion)
    : InvalidOperationException(Describe(databaseFile, storeVersion, knownVersion))
{
    public string DatabaseFile { get; } = databaseFile;

    public int StoreVersion { get; } = storeVersion;

    public int KnownVersion { get; } = knownVersion;

    private static string Describe(string databaseFile, int storeVersion, int knownVersion)
    {
        // The upgrade that went past this code's newest version left its copy under this name, if it was this store's.
        var backup = Migrations.BackupFile(databaseFile, knownVersion + 1);
        var goBack = File.Exists(backup)
            ? $"or, to go back to this NetLab, stop NetLab and copy {backup} (the copy taken before that upgrade) over {databaseFile}, deleting {databaseFile}-wal and {databaseFile}-shm: what was recorded since that upgrade is lost"
            : $"or, to go back to this NetLab, restore a copy of the store taken before that upgrade (NetLab takes one next to the store, named {Path.GetFileName(backup)}; there is none here)";
        return $"The store {databaseFile} has schema version {storeVersion}, but this NetLab knows versions up to {knownVersion} only: a newer NetLab migrated it. " +
               $"Nothing was changed. Run the newer NetLab again, {goBack}.";
    }
}
