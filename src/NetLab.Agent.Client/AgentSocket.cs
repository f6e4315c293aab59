namespace NetLab.Agent.Client;

/// <summary>Where the agent listens unless told otherwise; the agent, the CLI and the web share the default.</summary>
public static class AgentSocket
{
    public const string DefaultPath = "/run/netlab/agent.sock";
}
