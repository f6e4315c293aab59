namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// The unprivileged account the suite's webs run as (`netlab up --web-user`), made once for the whole suite and removed
/// at its end. Not the dedicated `netlab` account: NetLab.Cli.Tests creates and removes that one while this suite may
/// run beside it, and a web of the suite must not lose its account halfway. Before anything starts, what a killed run
/// of the suite left in the kernel is deleted (<see cref="Leftovers"/>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SuiteAccount : IAsyncLifetime
{
    public const string Name = "nltest-hweb";

    public static bool IsRoot => Environment.UserName == "root";

    public ValueTask InitializeAsync()
    {
        if (IsRoot)
        {
            _ = Leftovers.DeleteOfDeadRuns();
        }

        if (IsRoot && !Exists())
        {
            var (exit, output) = ExternalCommand.Run("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", Name);
            if (exit != 0 && !Exists())
            {
                throw new InvalidOperationException($"useradd {Name} failed ({exit}): {output}");
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Every web of the suite has stopped by now (class fixtures end first): userdel refuses an account in use.</summary>
    public ValueTask DisposeAsync()
    {
        if (IsRoot && Exists())
        {
            _ = ExternalCommand.Run("userdel", Name);
        }

        return ValueTask.CompletedTask;
    }

    private static bool Exists() => File.ReadLines("/etc/passwd").Any(line => line.StartsWith(Name + ":", StringComparison.Ordinal));
}
