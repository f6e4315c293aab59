using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using NetLab.Agent.Certificates;

namespace NetLab.Agent.Tests.Certificates;

/// <summary>
/// The deployment's certificate authority: what its certificates say, that they make a real mutual-TLS handshake on
/// loopback (and another authority's do not), and that it never overwrites a file or writes through a link.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeploymentAuthorityTests : IDisposable
{
    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("netlab-ca-test-").FullName, "ca");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void An_authority_issues_an_agents_server_and_the_controllers_client_certificate_that_chain_to_it()
    {
        var ca = DeploymentAuthority.CreateAuthority(_folder, "school");
        var agent = DeploymentAuthority.Issue(_folder, "host-1", CertificateRole.Agent, ["lab-host-1.school.example"], ["10.9.0.1"]);
        var controller = DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], []);

        Assert.Equal("CN=NetLab deployment CA school", ca.Certificate.Subject);
        Assert.True(Assert.Single(ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
        Assert.Equal(("CN=host-1", "1.3.6.1.5.5.7.3.1"), (agent.Certificate.Subject, Usage(agent.Certificate)));
        Assert.Equal(("CN=web", "1.3.6.1.5.5.7.3.2"), (controller.Certificate.Subject, Usage(controller.Certificate)));
        var names = Assert.Single(agent.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["lab-host-1.school.example"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.9.0.1")], names.EnumerateIPAddresses());
        Assert.True(Chains(agent.Certificate, ca.Certificate));
        Assert.True(Chains(controller.Certificate, ca.Certificate));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(agent.KeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ca.KeyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(agent.CertificateFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(agent.KeyFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agents_and_controllers_certificates_make_a_mutual_TLS_handshake_and_another_authoritys_do_not()
    {
        DeploymentAuthority.CreateAuthority(_folder, "school");
        DeploymentAuthority.Issue(_folder, "host-1", CertificateRole.Agent, [], ["127.0.0.1"]);
        DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], []);
        var other = Path.Combine(Path.GetDirectoryName(_folder)!, "other");
        DeploymentAuthority.CreateAuthority(other, "elsewhere");
        DeploymentAuthority.Issue(other, "web", CertificateRole.Controller, [], []);

        var (serverSaw, clientSaw) = await HandshakeAsync(Path.Combine(_folder, "web"));
        Assert.Equal(("CN=web", "CN=host-1"), (serverSaw, clientSaw));

        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(Path.Combine(other, "web")));
    }

    [Fact]
    public void Nothing_is_overwritten_and_no_link_is_written_through()
    {
        DeploymentAuthority.CreateAuthority(_folder, "school");
        DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], []);
        var target = Path.Combine(Path.GetDirectoryName(_folder)!, "elsewhere.txt");
        File.WriteAllText(target, "not a key");
        File.CreateSymbolicLink(Path.Combine(_folder, "host-2.key"), target);
        File.CreateSymbolicLink(Path.Combine(_folder, "host-3.key"), Path.Combine(_folder, "missing"));
        var before = File.ReadAllText(Path.Combine(_folder, "web.key"));

        var again = Assert.Throws<InvalidOperationException>(() => DeploymentAuthority.CreateAuthority(_folder, "school"));
        var twice = Assert.Throws<InvalidOperationException>(() => DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], []));
        var linked = Assert.Throws<InvalidOperationException>(() => DeploymentAuthority.Issue(_folder, "host-2", CertificateRole.Agent, [], ["10.0.0.2"]));
        var dangling = Assert.Throws<InvalidOperationException>(() => DeploymentAuthority.Issue(_folder, "host-3", CertificateRole.Agent, [], ["10.0.0.3"]));

        Assert.Contains("never replaces one", again.Message, StringComparison.Ordinal);
        Assert.Contains("web.crt exists already", twice.Message, StringComparison.Ordinal);
        Assert.Contains("host-2.key exists already", linked.Message, StringComparison.Ordinal);
        Assert.Contains("host-3.key exists already", dangling.Message, StringComparison.Ordinal);
        Assert.Equal("not a key", File.ReadAllText(target));
        Assert.False(File.Exists(Path.Combine(_folder, "missing")));
        Assert.Equal(before, File.ReadAllText(Path.Combine(_folder, "web.key")));
        Assert.False(File.Exists(Path.Combine(_folder, "host-2.crt")));
    }

    [Theory]
    [InlineData("Host_1", "no certificate name")]
    [InlineData("ca", "names the authority's own files")]
    [InlineData("../escape", "no certificate name")]
    public void A_bad_name_is_refused_saying_the_rule(string name, string expected)
    {
        DeploymentAuthority.CreateAuthority(_folder, "school");

        var refused = Assert.Throws<ArgumentException>(() => DeploymentAuthority.Issue(_folder, name, CertificateRole.Controller, [], []));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_without_a_host_name_or_address_a_bad_address_and_a_folder_without_an_authority_are_refused()
    {
        Assert.Contains("netlab cert ca --dir", Assert.Throws<InvalidOperationException>(
            () => DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], [])).Message, StringComparison.Ordinal);
        DeploymentAuthority.CreateAuthority(_folder, "school");

        Assert.Contains("give --dns NAME or --ip ADDRESS", Assert.Throws<ArgumentException>(
            () => DeploymentAuthority.Issue(_folder, "host-1", CertificateRole.Agent, [], [])).Message, StringComparison.Ordinal);
        Assert.Contains("no IP address", Assert.Throws<ArgumentException>(
            () => DeploymentAuthority.Issue(_folder, "host-1", CertificateRole.Agent, [], ["10.0.0.300"])).Message, StringComparison.Ordinal);
        Assert.Contains("no DNS host name", Assert.Throws<ArgumentException>(
            () => DeploymentAuthority.Issue(_folder, "host-1", CertificateRole.Agent, ["bad name"], [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_never_outlives_its_authority()
    {
        var ca = DeploymentAuthority.CreateAuthority(_folder, "school", days: 30);

        var issued = DeploymentAuthority.Issue(_folder, "web", CertificateRole.Controller, [], [], days: 825);

        Assert.True(issued.Certificate.NotAfter <= ca.Certificate.NotAfter);
        Assert.True(issued.Certificate.NotAfter > DateTime.Now.AddDays(29));
    }

    private static string Usage(X509Certificate2 certificate) =>
        Assert.Single(Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()).Value!;

    private static bool Chains(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// A TLS 1.3 handshake on loopback: the server holds the agent's certificate and requires a client certificate
    /// chaining to this folder's authority; the client presents <paramref name="clientFiles"/> (.crt/.key) and trusts
    /// the same authority. What each side saw of the other.
    /// </summary>
    private async Task<(string ServerSaw, string ClientSaw)> HandshakeAsync(string clientFiles)
    {
        using var authority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_folder, DeploymentAuthority.CertificateFileName));
        using var agent = X509Certificate2.CreateFromPemFile(Path.Combine(_folder, "host-1.crt"), Path.Combine(_folder, "host-1.key"));
        using var client = X509Certificate2.CreateFromPemFile(clientFiles + ".crt", clientFiles + ".key");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        bool Trusted(X509Certificate? presented)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return presented is X509Certificate2 certificate && chain.Build(certificate);
        }

        var serving = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync(Cancel);
            await using var tls = new SslStream(accepted.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(agent, [authority]),
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, presented, _, _) => Trusted(presented),
            }, Cancel);
            var line = new byte[1];
            _ = await tls.ReadAsync(line, Cancel);
            return tls.RemoteCertificate!.Subject;
        }, Cancel);

        using var connection = new TcpClient();
        await connection.ConnectAsync(IPAddress.Loopback, port, Cancel);
        await using var stream = new SslStream(connection.GetStream());
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = [client],
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                Trusted(presented) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None,
        }, Cancel);
        await stream.WriteAsync("x"u8.ToArray(), Cancel);
        var serverSaw = await serving.WaitAsync(TimeSpan.FromSeconds(20), Cancel);
        return (serverSaw, stream.RemoteCertificate!.Subject);
    }
}
