using System.Globalization;

namespace NetLab.Cli.Launcher;

/// <summary>The unprivileged account the web runs as, read from /etc/passwd.</summary>
internal sealed record WebUser(string Name, uint Uid, uint Gid)
{
    /// <summary>A dedicated account is preferred; nobody is the fallback every Debian system has.</summary>
    public const string Dedicated = "netlab";

    public const string Fallback = "nobody";

    /// <summary>The named user, or `netlab` when it exists, else `nobody`. Root is refused: the point is to drop it.</summary>
    public static WebUser Resolve(string? requestedName, string passwdFile = "/etc/passwd")
    {
        var entries = File.Exists(passwdFile) ? File.ReadAllLines(passwdFile) : [];
        WebUser? Find(string name) => entries
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length > 3 && fields[0] == name)
            .Select(fields => new WebUser(fields[0], Parse(fields[2]), Parse(fields[3])))
            .FirstOrDefault();

        var user = requestedName is not null
            ? Find(requestedName) ?? throw new ArgumentException($"no user named '{requestedName}' in {passwdFile}: create it, or leave out --web-user to use '{Dedicated}' or '{Fallback}'")
            : Find(Dedicated) ?? Find(Fallback) ?? throw new ArgumentException($"neither '{Dedicated}' nor '{Fallback}' is in {passwdFile}: name an unprivileged user with --web-user");
        return user.Uid == 0 || user.Gid == 0
            ? throw new ArgumentException($"user '{user.Name}' has uid {user.Uid} and gid {user.Gid}; the web must run without root's ids: choose another --web-user")
            : user;
    }

    private static uint Parse(string id) => uint.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);
}
