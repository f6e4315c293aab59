using System.CommandLine;
using NetLab.Agent.Certificates;

namespace NetLab.Cli.Commands;

/// <summary>
/// `netlab cert ca|issue`: the deployment's certificate authority and the certificates agents and the controller
/// authenticate each other with over mutual TLS (<see cref="DeploymentAuthority"/>). Needs no agent and no root; it
/// never overwrites a file.
/// </summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var command = new Command("cert", "Make the deployment's certificate authority and issue the certificates of agents and of the controller (mutual TLS).");

        var caDirectory = Directory();
        var caName = new Option<string>("--name") { Description = "A name for the authority (it appears in its subject).", DefaultValueFactory = _ => "netlab" };
        var caDays = Days(DeploymentAuthority.DefaultCaDays);
        var ca = new Command("ca", "Make a new certificate authority in a folder: ca.crt (every side trusts it) and ca.key (keep it with the administrator, mode 0600).") { caDirectory, caName, caDays };
        ca.SetAction(result => Run(result, "ca", () =>
        {
            var made = DeploymentAuthority.CreateAuthority(result.GetValue(caDirectory)!, result.GetValue(caName)!, result.GetValue(caDays));
            return $"certificate authority {made.Certificate.Subject}, valid until {made.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}: {made.CertificateFile}, key {made.KeyFile} (mode 0600)";
        }));
        command.Subcommands.Add(ca);

        var issueDirectory = Directory();
        var name = new Argument<string>("NAME") { Description = "The certificate's name: its subject CN and its files NAME.crt and NAME.key." };
        var role = new Option<string>("--role") { Description = "agent (a lab host's agent: server authentication) or controller (the web: client authentication).", Required = true };
        role.AcceptOnlyFromAmong("agent", "controller");
        var dns = new Option<string[]>("--dns") { Description = "A DNS name the controller reaches the agent by (repeatable).", AllowMultipleArgumentsPerToken = false };
        var ip = new Option<string[]>("--ip") { Description = "An IP address the controller reaches the agent by (repeatable).", AllowMultipleArgumentsPerToken = false };
        var issueDays = Days(DeploymentAuthority.DefaultDays);
        var issue = new Command("issue", "Issue a certificate signed by the folder's authority, for an agent or for the controller.") { name, issueDirectory, role, dns, ip, issueDays };
        issue.SetAction(result => Run(result, "issue", () =>
        {
            var issued = DeploymentAuthority.Issue(
                result.GetValue(issueDirectory)!,
                result.GetValue(name)!,
                result.GetValue(role) == "agent" ? CertificateRole.Agent : CertificateRole.Controller,
                result.GetValue(dns) ?? [],
                result.GetValue(ip) ?? [],
                result.GetValue(issueDays));
            return $"{result.GetValue(role)} certificate {issued.Certificate.Subject}, valid until {issued.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}: {issued.CertificateFile}, key {issued.KeyFile} (mode 0600)";
        }));
        command.Subcommands.Add(issue);
        return command;
    }

    private static Option<string> Directory() =>
        new("--dir") { Description = "The authority's folder (made 0700 by `cert ca` when missing).", Required = true };

    private static Option<int> Days(int days) =>
        new("--days") { Description = $"How long the certificate is valid, in days (default {days}).", DefaultValueFactory = _ => days };

    private static int Run(ParseResult result, string verb, Func<string> action)
    {
        try
        {
            result.InvocationConfiguration.Output.WriteLine(action());
            return ExitCodes.Ok;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or UnauthorizedAccessException or IOException)
        {
            result.InvocationConfiguration.Error.WriteLine($"netlab cert {verb}: {error.Message}");
            return error is ArgumentException ? ExitCodes.CannotRun : ExitCodes.Failed;
        }
    }
}
