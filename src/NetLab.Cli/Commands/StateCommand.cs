using System.CommandLine;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Cli.Output;

namespace NetLab.Cli.Commands;

/// <summary>`netlab state [NAME]`: what the kernel holds for each lab, a table per namespace.</summary>
internal static class StateCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var name = new Argument<string?>("NAME") { Description = "One lab; all labs when left out.", Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var command = new Command("state", "Show each lab's namespaces and interfaces as the kernel has them: kind and mode, parent, up/operstate/carrier, MAC, addresses.") { name, json };
        command.SetAction((result, cancel) => RunAsync(services, result.GetValue(name), CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    internal static Task<int> RunAsync(CliServices services, string? name, CommandContext context, CancellationToken cancellationToken) =>
        new BackendRunner(services, context, "state").RunAsync(async backend =>
        {
            var labs = await backend.StateAsync(name, cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                await context.Output.WriteLineAsync(name is null
                    ? AgentJson.Serialize(labs, AgentJson.Indented)
                    : AgentJson.Serialize(labs[0], AgentJson.Indented)).ConfigureAwait(false);
            }
            else
            {
                Readable.WriteStates(context.Output, labs);
            }

            return ExitCodes.Ok;
        });
}
