using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Cli.Launcher;

namespace NetLab.Cli;

/// <summary>
/// What the commands take from the machine: the engine for in-process runs, whether we are root, and the accounts `up`
/// looks up and creates. Tests pass fakes.
/// </summary>
internal sealed record CliServices(Func<AgentOptions, ILabEngine> CreateEngine, bool IsRoot)
{
    public IUserAccounts Accounts { get; init; } = SystemUserAccounts.Instance;

    /// <summary>Standard input, where `netlab user` reads a password (null: the console's).</summary>
    public TextReader? Input { get; init; }

    public static CliServices Default { get; } = new(LabEngineFactory.Create, Environment.IsPrivilegedProcess);
}
