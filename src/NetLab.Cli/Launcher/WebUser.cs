namespace NetLab.Cli.Launcher;

/// <summary>The unprivileged account the web runs as.</summary>
internal sealed record WebUser(string Name, uint Uid, uint Gid)
{
    /// <summary>
    /// The web's own account, created when missing. Never `nobody`: other daemons share it, and the agent admits the
    /// web's uid, which would admit every one of them.
    /// </summary>
    public const string Dedicated = "netlab";

    /// <summary>
    /// The named user (which must exist), else the dedicated `netlab` user, created when it does not exist yet. Root's
    /// ids are refused: the point is to drop them.
    /// </summary>
    /// <summary>
    /// <see cref="Resolve"/>, saying on <paramref name="output"/> when the account was created, and the data folder made
    /// (when missing) and given to it, so that the store made there is the web's: what `up` and `netlab user` both need.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<WebUser> ResolveWithDataFolderAsync(string? requestedName, IUserAccounts accounts, string dataFolder, TextWriter output)
    {
        var choice = Resolve(requestedName, accounts);
        var user = choice.User;
        if (choice.Created)
        {
            await output.WriteLineAsync($"web user: created the system user '{user.Name}' (uid {user.Uid}, gid {user.Gid}; no home, no login shell) for the web").ConfigureAwait(false);
        }

        DataFolder.Prepare(dataFolder, user);
        return user;
    }

    public static WebUserChoice Resolve(string? requestedName, IUserAccounts accounts)
    {
        var choice = requestedName is not null
            ? new WebUserChoice(
                accounts.Find(requestedName) ?? throw new ArgumentException($"no user named '{requestedName}': create it, or leave out --web-user to use '{Dedicated}' (created when missing)"),
                Created: false)
            : FindOrCreateDedicated(accounts);
        var user = choice.User;
        return user.Uid == 0 || user.Gid == 0
            ? throw new ArgumentException($"user '{user.Name}' has uid {user.Uid} and gid {user.Gid}; the web must run without root's ids: choose another --web-user")
            : choice;
    }

    private static WebUserChoice FindOrCreateDedicated(IUserAccounts accounts)
    {
        if (accounts.Find(Dedicated) is { } existing)
        {
            return new WebUserChoice(existing, Created: false);
        }

        try
        {
            accounts.CreateSystemUser(Dedicated);
        }
        catch (IOException error)
        {
            // Another `up` may have created it at the same moment; then it is simply there.
            return accounts.Find(Dedicated) is { } madeMeanwhile
                ? new WebUserChoice(madeMeanwhile, Created: false)
                : throw new ArgumentException($"could not create the system user '{Dedicated}' for the web ({error.Message}); create it (useradd --system --user-group --no-create-home --shell /usr/sbin/nologin {Dedicated}) or name another unprivileged user with --web-user", error);
        }

        return new WebUserChoice(
            accounts.Find(Dedicated) ?? throw new ArgumentException($"the system user '{Dedicated}' was created but cannot be found; name an unprivileged user with --web-user"),
            Created: true);
    }
}

/// <summary>The web's user, and whether `up` has just created it (which it says in its output).</summary>
internal sealed record WebUserChoice(WebUser User, bool Created);
