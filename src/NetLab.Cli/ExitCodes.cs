namespace NetLab.Cli;

/// <summary>Exit codes shared by every command, documented in README.md.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int CannotRun = 2;
}
