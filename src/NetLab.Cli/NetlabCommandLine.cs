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
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }
}
