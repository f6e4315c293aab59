using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Cli.Output;

namespace NetLab.Cli.Backends;

/// <summary>
/// Runs a command against the agent, or, when no agent answers and we are root, against the engine in this process.
/// Turns the API's errors into messages and exit codes, the same for every command.
/// </summary>
internal sealed class BackendRunner(CliServices services, CommandContext context, string commandName, string? labFile = null)
{
    private string SocketPath => context.SocketPath;

    private TextWriter Errors => context.Errors;

    public async Task<int> RunAsync(Func<ILabBackend, Task<int>> command)
    {
        try
        {
            try
            {
                using var remote = new RemoteBackend(new AgentClient(SocketPath));
                return await command(remote).ConfigureAwait(false);
            }
            catch (AgentUnavailableException unavailable) when (services.IsRoot && NoAgentListens(unavailable))
            {
                // Nothing was printed yet: an unreachable agent fails at connect, before the first answer.
                await Errors.WriteLineAsync($"netlab {commandName}: no agent at {SocketPath}; running the engine in this process").ConfigureAwait(false);
                ILabEngine engine;
                try
                {
                    engine = services.CreateEngine(new AgentOptions { SocketPath = SocketPath });
                }
#pragma warning disable CA1031 // Whatever keeps the engine from starting is reported, not thrown at the user.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    await Errors.WriteLineAsync($"netlab {commandName}: cannot start the engine in this process: {error.Message}").ConfigureAwait(false);
                    return ExitCodes.KernelOrAgentError;
                }

                using var local = new InProcessBackend(engine);
                return await command(local).ConfigureAwait(false);
            }
        }
        catch (AgentUnavailableException unavailable)
        {
            await Errors.WriteLineAsync($"netlab {commandName}: {unavailable.Message}").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }
        catch (AgentClientException error)
        {
            await ReportAsync(error).ConfigureAwait(false);
            return ExitCodeOf(error.Error.Code);
        }
    }

    /// <summary>The error on stderr (with each problem of an invalid lab at its file:line:col), and as JSON on stdout with --json.</summary>
    public async Task ReportAsync(AgentClientException error)
    {
        await Errors.WriteLineAsync($"netlab {commandName}: {error.Error.Message}").ConfigureAwait(false);
        Readable.WriteProblems(Errors, labFile, error.Error.Problems ?? []);
        if (context.Json)
        {
            await context.Output.WriteLineAsync(AgentJson.Serialize(error.Error, AgentJson.Indented)).ConfigureAwait(false);
        }
    }

    /// <summary>No socket file, or a stale one nobody listens on (not: a socket we may not open).</summary>
    private bool NoAgentListens(AgentUnavailableException unavailable) =>
        !File.Exists(SocketPath)
        || unavailable.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };

    public static int ExitCodeOf(string code) => code switch
    {
        AgentErrorCodes.InvalidLab or AgentErrorCodes.NotFound => ExitCodes.Failed,
        // Busy: the agent refused at one of its limits; nothing ran, and the same command may run later.
        AgentErrorCodes.ForbiddenPeer or AgentErrorCodes.BadRequest or AgentErrorCodes.Busy => ExitCodes.CannotRun,
        _ => ExitCodes.KernelOrAgentError,
    };
}

