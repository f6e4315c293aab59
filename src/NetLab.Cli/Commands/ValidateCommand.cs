using System.CommandLine;
using NetLab.Agent.Api;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Output;
using NetLab.Core.Formats;

namespace NetLab.Cli.Commands;

/// <summary>`netlab validate FILE`: reads and validates a lab file here, without the agent.</summary>
internal static class ValidateCommand
{
    public static Command Create(Option<string> socket)
    {
        var file = new Argument<string>("FILE") { Description = "The lab file (.yaml, .yml or .json)." };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Check a lab file: every problem with its line and column, what is wrong and how to fix it. Needs no agent.") { file, json };
        command.SetAction(result => Run(result.GetValue(file)!, CommandContext.Of(result, socket, json)));
        return command;
    }

    internal static int Run(string path, CommandContext context)
    {
        var document = LabFiles.Read(path, context, "validate");
        if (document is null)
        {
            return ExitCodes.CannotRun;
        }

        var loaded = LabFormat.LoadAndValidate(document.Text, LabFormat.FormatOf(path));
        if (loaded.Lab is { } lab)
        {
            context.Output.WriteLine(context.Json
                ? AgentJson.Serialize(new LabValidation(true, lab.Name), AgentJson.Indented)
                : $"{path}: lab {lab.Name} is valid.");
            return ExitCodes.Ok;
        }

        if (context.Json)
        {
            context.Output.WriteLine(AgentJson.Serialize(AgentErrors.InvalidLab(loaded.Problems).Error, AgentJson.Indented));
        }
        else
        {
            Readable.WriteProblems(context.Output, path, loaded.Problems);
            context.Output.WriteLine($"{path}: {loaded.Problems.Count} problem{(loaded.Problems.Count == 1 ? "" : "s")}.");
        }

        return ExitCodes.Failed;
    }
}
