namespace NetLab.Cli;

/// <summary>Exit codes shared by every command, documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something failed: an invalid lab, a failed apply, an unknown lab.</summary>
    public const int Failed = 1;

    /// <summary>It could not run: bad arguments, no agent and not root, refused by the agent.</summary>
    public const int CannotRun = 2;

    /// <summary>The kernel or the agent failed (not the lab).</summary>
    public const int KernelOrAgentError = 3;
}
