using System.Diagnostics;
using System.Globalization;

namespace NetLab.Cli.Launcher;

/// <summary>The machine's accounts as `netlab up` needs them: look one up, and create the web's dedicated one. Tests pass a fake.</summary>
internal interface IUserAccounts
{
    /// <summary>The account's uid and primary gid, or null when there is no such account.</summary>
    WebUser? Find(string name);

    /// <summary>Creates a system account with a group of its own, no home and no login shell; throws <see cref="IOException"/> when it cannot.</summary>
    void CreateSystemUser(string name);
}

/// <summary>The real accounts: read from /etc/passwd, created with useradd (the passwd package, on every Debian).</summary>
internal sealed class SystemUserAccounts(string passwdFile = "/etc/passwd") : IUserAccounts
{
    private static readonly TimeSpan UserAddTimeout = TimeSpan.FromSeconds(30);

    public static SystemUserAccounts Instance { get; } = new();

    public WebUser? Find(string name) =>
        (File.Exists(passwdFile) ? File.ReadLines(passwdFile) : [])
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length > 3 && fields[0] == name)
            .Select(fields => new WebUser(fields[0], ParseId(fields[2]), ParseId(fields[3])))
            .FirstOrDefault();

    public void CreateSystemUser(string name)
    {
        // --user-group: the web's group is its own, so the agent's socket (given to that group) is shared with no other
        // daemon. /nonexistent is Debian's home for accounts that have none; `up` gives the web HOME=its data folder.
        var start = new ProcessStartInfo(UserAdd()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--comment", "NetLab web dashboard", name })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IOException($"{start.FileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(UserAddTimeout))
        {
            process.Kill();
            throw new IOException($"useradd {name} did not finish within {UserAddTimeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new IOException($"useradd {name} failed (exit code {process.ExitCode}): {(errors.Result + output.Result).Trim()}");
        }
    }

    private static string UserAdd() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/sbin")
            .Select(folder => Path.Combine(folder, "useradd"))
            .FirstOrDefault(File.Exists)
        ?? throw new IOException("useradd not found: install the passwd package, or create the user yourself");

    private static uint ParseId(string id) => uint.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);
}
