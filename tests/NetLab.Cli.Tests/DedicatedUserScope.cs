using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests;

/// <summary>
/// Around a test that runs `netlab up` without --web-user, which creates the dedicated `netlab` account when it is
/// missing: the account is removed again if the test made it, so a test run leaves the machine's accounts as it found them.
/// </summary>
internal sealed class DedicatedUserScope : IDisposable
{
    public DedicatedUserScope() => ExistedBefore = SystemUserAccounts.Instance.Find(WebUser.Dedicated) is not null;

    /// <summary>True when the account was there before the test, so `up` had nothing to create.</summary>
    public bool ExistedBefore { get; }

    /// <summary>Call once every process of the web is gone: userdel refuses an account that still runs something.</summary>
    public void Dispose()
    {
        if (!ExistedBefore && SystemUserAccounts.Instance.Find(WebUser.Dedicated) is not null)
        {
            _ = ExternalCommand.Run("userdel", WebUser.Dedicated);
        }
    }
}

/// <summary>The tests that run `netlab up` for real share the dedicated account and the CPU: one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetlabUpCollection
{
    public const string Name = "netlab up";
}
