using System.CommandLine;
using NetLab.Agent.Client.Contracts;
using NetLab.Cli.Backends;
using NetLab.Cli.Output;

namespace NetLab.Cli.Commands;

/// <summary>
/// `netlab probe LAB [--timeout MS] [--json]`: the connectivity check. Exit code 0 when every pair replied, 1 when
/// some pair did not (or the lab is unknown), 2 and 3 as for every command.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var name = new Argument<string>("LAB") { Description = "The lab's name (as in its file's `name:`)." };
        var timeout = new Option<int>("--timeout")
        {
            Description = $"How long to wait for replies, in milliseconds (1-{ProbeRequest.MaxTimeoutMilliseconds}). All pairs wait together.",
            DefaultValueFactory = _ => new ProbeRequest().TimeoutMilliseconds,
        };
        var json = CommonOptions.Json();
        var command = new Command("probe", "Ping every address of the lab from every host and namespace of it (ICMP echo sent by the agent), and show which pairs replied and whether ARP was answered.") { name, timeout, json };
        command.SetAction((result, cancel) => RunAsync(services, result.GetValue(name)!, result.GetValue(timeout), CommandContext.Of(result, socket, json), cancel));
        return command;
    }

    internal static Task<int> RunAsync(CliServices services, string lab, int timeoutMilliseconds, CommandContext context, CancellationToken cancellationToken) =>
        new BackendRunner(services, context, "probe").RunAsync(async backend =>
        {
            var report = await backend.ProbeAsync(lab, new ProbeRequest(timeoutMilliseconds), cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                await context.Output.WriteLineAsync(AgentJson.Serialize(report, AgentJson.Indented)).ConfigureAwait(false);
            }
            else
            {
                ProbeOutput.Write(context.Output, report);
            }

            return report.Results.All(r => r.Replied) ? ExitCodes.Ok : ExitCodes.Failed;
        });
}
