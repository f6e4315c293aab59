using System.CommandLine;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Cli.Output;

namespace NetLab.Cli.Commands;

/// <summary>`netlab events NAME`: a snapshot of each namespace, then one line per link or address change, until Ctrl-C.</summary>
internal static class EventsCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var name = new Argument<string>("NAME") { Description = "The lab to watch." };
        var json = CommonOptions.Json();
        var command = new Command("events", "Watch a lab: a snapshot of each namespace, then every link and address change, one line each, until Ctrl-C.") { name, json };
        command.SetAction((result, cancel) => RunAsync(services, result.GetValue(name)!, CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    internal static Task<int> RunAsync(CliServices services, string name, CommandContext context, CancellationToken cancellationToken) =>
        new BackendRunner(services, context, "events").RunAsync(async backend =>
        {
            try
            {
                await foreach (var e in backend.EventsAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    await context.Output.WriteLineAsync(context.Json ? AgentJson.Serialize(e) : Readable.Event(e)).ConfigureAwait(false);
                    await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the way to stop watching.
                return ExitCodes.Ok;
            }

            await context.Errors.WriteLineAsync("netlab events: the agent ended the stream (it stopped?); see its log.").ConfigureAwait(false);
            return ExitCodes.KernelOrAgentError;
        });
}
