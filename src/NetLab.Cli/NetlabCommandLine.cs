using System.CommandLine;
using NetLab.Cli.Commands;

namespace NetLab.Cli;

/// <summary>The `netlab` command tree; each command lives in Commands/.</summary>
internal static class NetlabCommandLine
{
    public static RootCommand Build(CliServices? services = null)
    {
        services ??= CliServices.Default;
        var socket = CommonOptions.Socket();
        var root = new RootCommand("NetLab: hands-on Linux network labs (namespaces, macvlan, vlan, veth, bridge, vxlan) over rtnetlink.")
        {
            socket,
        };
        root.Subcommands.Add(ValidateCommand.Create(socket));
        root.Subcommands.Add(PlanCommand.Create(services, socket));
        root.Subcommands.Add(OperationCommands.CreateApply(services, socket));
        root.Subcommands.Add(OperationCommands.CreateDestroy(services, socket));
        root.Subcommands.Add(StateCommand.Create(services, socket));
        root.Subcommands.Add(EventsCommand.Create(services, socket));
        root.Subcommands.Add(CaptureCommand.Create(services, socket));
        root.Subcommands.Add(ProbeCommand.Create(services, socket));
        root.Subcommands.Add(AgentCommand.Create(services, socket));
        root.Subcommands.Add(UpCommand.Create(services, socket));
        root.Subcommands.Add(CertCommand.Create());
        root.Subcommands.Add(UserCommand.Create(services));
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs one `netlab` invocation with the exit codes docs/cli.md documents: a command line that does not
    /// parse (an unknown command or option, a missing or unreadable argument) is `2`, bad arguments, not System.CommandLine's
    /// `1`, which means "the lab or the operation failed"; an exception no command expected is one line on stderr and `3`,
    /// never a stack trace (System.CommandLine's default handler prints one).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CliServices? services = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        configuration.EnableDefaultExceptionHandler = false;
        var parsed = Build(services).Parse(args);
        try
        {
            var exit = await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return parsed.Errors.Count > 0 ? ExitCodes.CannotRun : exit;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM reached a command that stops by throwing: what System.CommandLine's own handler answers.
            return ExitCodes.Failed;
        }
        catch (Exception error)
        {
            var command = parsed.CommandResult.Command == parsed.RootCommandResult.Command ? "netlab" : $"netlab {parsed.CommandResult.Command.Name}";
            await configuration.Error.WriteLineAsync(
                $"{command}: unexpected error: {error.GetType().Name}: {error.Message.TrimEnd('.')}. This is a bug of netlab, not of the lab: please report it with the command that caused it.").ConfigureAwait(false);
            return ExitCodes.KernelOrAgentError;
        }
    }
}
