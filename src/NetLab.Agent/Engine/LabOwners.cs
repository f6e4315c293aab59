using System.Text;

namespace NetLab.Agent.Engine;

/// <summary>
/// Who owns which lab, as the agent recorded it when a user's first apply of the lab name came (one file per lab, named
/// after it and holding the user, in a directory only root can write: /run/netlab/labs). A lab without a record is the
/// administrator's (applied by root's CLI or by the web for nobody in particular); a user's request sees and touches
/// only labs recorded as the user's. In /run like the namespace records, so owners and namespaces go at a reboot together.
/// </summary>
internal sealed class LabOwners(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>The user the lab's record names; null when the lab has none (an administrator's lab, or none at all).</summary>
    public string? OwnerOf(string lab)
    {
        try
        {
            return File.ReadAllText(PathOf(lab), Encoding.UTF8).Trim();
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Records <paramref name="user"/> as the lab's owner unless someone is already; true when the lab is the user's
    /// afterwards. The record is created exclusively, so of two users applying one lab name at once exactly one wins.
    /// </summary>
    public bool Claim(string lab, string user)
    {
        RootOnlyDirectory.Ensure(Directory, "lab owners");
        try
        {
            using var file = new FileStream(PathOf(lab), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            file.Write(Encoding.UTF8.GetBytes(user + "\n"));
            return true;
        }
        catch (IOException) when (File.Exists(PathOf(lab)))
        {
            return OwnerOf(lab) == user;
        }
    }

    /// <summary>Forgets the lab's owner (the lab was destroyed): its name is free for anyone again.</summary>
    public void Release(string lab)
    {
        if (File.Exists(PathOf(lab)))
        {
            File.Delete(PathOf(lab));
        }
    }

    /// <summary>Lab names are checked before they come here (Core's LabName), so a name is a plain file name.</summary>
    private string PathOf(string lab) => Path.Combine(Directory, lab);
}
