using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;

namespace NetLab.Cli;

/// <summary>What the commands take from the machine: the engine for in-process runs, and whether we are root. Tests pass fakes.</summary>
internal sealed record CliServices(Func<AgentOptions, ILabEngine> CreateEngine, bool IsRoot)
{
    public static CliServices Default { get; } = new(LabEngineFactory.Create, Environment.IsPrivilegedProcess);
}
