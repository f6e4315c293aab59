using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests.Launcher;

/// <summary>`netlab up`'s HTTPS and reverse-proxy options reach the web as its settings, and nothing is sent for what is not given.</summary>
public sealed class WebNetworkTests
{
    [Fact]
    public void Up_takes_a_certificate_its_key_and_several_trusted_proxies()
    {
        var parsed = NetlabCommandLine.Build().Parse(
            ["up", "--url", "https://0.0.0.0:5443", "--certificate", "/etc/netlab/tls.crt", "--certificate-key", "/etc/netlab/tls.key",
             "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/24"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal("/etc/netlab/tls.crt", parsed.GetValue<string?>("--certificate"));
        Assert.Equal("/etc/netlab/tls.key", parsed.GetValue<string?>("--certificate-key"));
        Assert.Equal(["127.0.0.1", "10.0.0.0/24"], parsed.GetValue<string[]>("--trusted-proxy")!);
    }

    [Fact]
    public void An_older_unit_with_allow_remote_still_starts()
    {
        var parsed = NetlabCommandLine.Build().Parse(["up", "--allow-remote", "--url", "http://0.0.0.0:5080"]);

        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public void The_web_is_told_the_certificate_the_key_and_the_proxies_as_its_settings()
    {
        var network = new WebNetwork("/etc/netlab/tls.crt", "/etc/netlab/tls.key", ["127.0.0.1", "10.0.0.0/24"]);

        Assert.Equal(
            ["--Web:CertificateFile=/etc/netlab/tls.crt", "--Web:CertificateKeyFile=/etc/netlab/tls.key", "--Web:TrustedProxies=127.0.0.1;10.0.0.0/24"],
            network.WebArguments());
        Assert.Empty(WebNetwork.None.WebArguments());
    }
}
