using System.CommandLine;

namespace NetLab.Cli;

/// <summary>What every command reads from its parse result: the socket, --json, and where to write.</summary>
internal sealed record CommandContext(string SocketPath, bool Json, TextWriter Output, TextWriter Errors)
{
    public static CommandContext Of(ParseResult result, Option<string> socket, Option<bool> json) => new(
        result.GetValue(socket) ?? Agent.Hosting.AgentOptions.DefaultSocketPath,
        result.GetValue(json),
        result.InvocationConfiguration.Output,
        result.InvocationConfiguration.Error);
}

/// <summary>Options shared by the commands.</summary>
internal static class CommonOptions
{
    /// <summary>Global (on the root, recursive): the agent's socket.</summary>
    public static Option<string> Socket() => new("--socket")
    {
        Description = $"The agent's Unix socket (default {Agent.Hosting.AgentOptions.DefaultSocketPath}).",
        Recursive = true,
        DefaultValueFactory = _ => Agent.Hosting.AgentOptions.DefaultSocketPath,
    };

    /// <summary>Each command has its own --json (doctor's predates the agent).</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the API's JSON objects (one per line for streams) instead of text." };
}
