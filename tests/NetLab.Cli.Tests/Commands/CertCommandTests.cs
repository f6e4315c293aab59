using System.Security.Cryptography.X509Certificates;
using NetLab.Agent.Tests;

namespace NetLab.Cli.Tests.Commands;

/// <summary>`netlab cert ca|issue`: the deployment's authority and its certificates from the command line, no agent.</summary>
public sealed class CertCommandTests : IDisposable
{
    private readonly string _directory = TestAgent.NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_authority_and_an_agents_certificate_are_made_and_said_where()
    {
        var folder = Path.Combine(_directory, "ca");

        var ca = await CliRun.RunAsync(["cert", "ca", "--dir", folder, "--name", "school"], cancellationToken: Cancel);
        var agent = await CliRun.RunAsync(["cert", "issue", "host-1", "--dir", folder, "--role", "agent", "--dns", "lab-host-1.school.example", "--ip", "10.9.0.1"], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.Ok, ca.Exit);
        Assert.StartsWith("certificate authority CN=NetLab deployment CA school, valid until ", ca.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, agent.Exit);
        Assert.Contains($"{Path.Combine(folder, "host-1.key")} (mode 0600)", agent.Output, StringComparison.Ordinal);
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(folder, "host-1.crt"));
        Assert.Equal("CN=host-1", certificate.Subject);
        Assert.Equal("CN=NetLab deployment CA school", certificate.Issuer);
    }

    [Fact]
    public async Task An_agent_without_an_address_is_a_command_line_to_fix_and_a_second_authority_is_refused()
    {
        var folder = Path.Combine(_directory, "ca");
        Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync(["cert", "ca", "--dir", folder], cancellationToken: Cancel)).Exit);

        var noAddress = await CliRun.RunAsync(["cert", "issue", "host-1", "--dir", folder, "--role", "agent"], cancellationToken: Cancel);
        var again = await CliRun.RunAsync(["cert", "ca", "--dir", folder], cancellationToken: Cancel);

        Assert.Equal(ExitCodes.CannotRun, noAddress.Exit);
        Assert.Contains("give --dns NAME or --ip ADDRESS", noAddress.Errors, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, again.Exit);
        Assert.Contains("never replaces one", again.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "host-1.crt")));
    }
}
