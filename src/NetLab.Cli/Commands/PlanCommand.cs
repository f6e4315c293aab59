using System.CommandLine;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Cli.Output;

namespace NetLab.Cli.Commands;

/// <summary>`netlab plan FILE`: the operations an apply would run, each with its iproute2 command.</summary>
internal static class PlanCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var file = new Argument<string>("FILE") { Description = "The lab file (.yaml, .yml or .json)." };
        var json = CommonOptions.Json();
        var command = new Command("plan", "Show what `netlab apply` would do to the kernel, operation by operation, as iproute2 commands. Changes nothing.") { file, json };
        command.SetAction((result, cancel) => RunAsync(services, result.GetValue(file)!, CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    internal static async Task<int> RunAsync(CliServices services, string path, CommandContext context, CancellationToken cancellationToken)
    {
        if (LabFiles.Read(path, context, "plan") is not { } document)
        {
            return ExitCodes.CannotRun;
        }

        return await new BackendRunner(services, context, "plan", path).RunAsync(async backend =>
        {
            var plan = await backend.PlanAsync(document, cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                await context.Output.WriteLineAsync(AgentJson.Serialize(plan, AgentJson.Indented)).ConfigureAwait(false);
            }
            else
            {
                Readable.WritePlan(context.Output, plan);
            }

            return ExitCodes.Ok;
        }).ConfigureAwait(false);
    }
}
