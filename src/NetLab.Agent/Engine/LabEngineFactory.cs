using NetLab.Agent.Hosting;

namespace NetLab.Agent.Engine;

/// <summary>Makes the engine the agent and the CLI's in-process mode run. Placeholder until the engine is merged.</summary>
public static class LabEngineFactory
{
    public static ILabEngine Create(AgentOptions options) => throw new NotImplementedException("engine pending");
}
