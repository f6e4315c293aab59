using System.Diagnostics;
using System.Text.Json;
using NetLab.Agent.Api;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// SO_PEERCRED admission, with a real second user: curl runs as nobody (uid/gid 65534) through setpriv, and the
/// socket is given group 65534 so that the file mode lets it connect and the agent's own check decides.
/// </summary>
public sealed class PeerCredentialTests
{
    private const uint Nobody = 65534;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Root_is_admitted_without_being_allowed()
    {
        await using var agent = await TestAgent.StartAsync();

        Assert.Empty(await agent.Client.GetLabsAsync(Cancel));
    }

    [Fact]
    public async Task A_peer_not_allowed_gets_a_403_forbidden_peer_naming_its_uid_and_the_agent_logs_it()
    {
        RequireRootAndTools();
        await using var agent = await TestAgent.StartAsync();
        await GiveSocketToGroupAsync(agent.SocketPath, Nobody);

        var (status, body) = await CurlAsNobodyAsync(agent.SocketPath, "/v1/labs");

        Assert.Equal(403, status);
        var error = JsonSerializer.Deserialize<AgentError>(body, AgentJson.Options)!;
        Assert.Equal(AgentErrorCodes.ForbiddenPeer, error.Code);
        Assert.Contains("uid 65534, gid 65534", error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-uid 65534", error.Message, StringComparison.Ordinal);
        Assert.Contains(agent.Log, l => l.Contains("Refused a peer", StringComparison.Ordinal) && l.Contains("65534", StringComparison.Ordinal));
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public async Task A_peer_whose_uid_is_allowed_is_admitted()
    {
        RequireRootAndTools();
        await using var agent = await TestAgent.StartAsync(o => o with { AllowedUids = [Nobody] });
        await GiveSocketToGroupAsync(agent.SocketPath, Nobody);

        var (status, body) = await CurlAsNobodyAsync(agent.SocketPath, "/v1/labs");

        Assert.Equal(200, status);
        Assert.Equal("[]", body);
    }

    [Fact]
    public async Task A_peer_whose_gid_is_allowed_is_admitted_and_the_socket_belongs_to_that_group()
    {
        RequireRootAndTools();
        await using var agent = await TestAgent.StartAsync(o => o with { AllowedGids = [Nobody] });

        var (status, _) = await CurlAsNobodyAsync(agent.SocketPath, "/v1/labs");

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task A_peer_without_file_access_cannot_even_connect()
    {
        RequireRootAndTools();
        await using var agent = await TestAgent.StartAsync(o => o with { AllowedUids = [Nobody] });

        var (status, _) = await CurlAsNobodyAsync(agent.SocketPath, "/v1/labs");

        Assert.Equal(0, status);
    }

    [Fact]
    public void Policy_admits_root_and_allowed_uids_and_gids_only()
    {
        var policy = new PeerPolicy([1000], [2000]);

        Assert.True(policy.Admits(new PeerCredentials(1, 0, 0)));
        Assert.True(policy.Admits(new PeerCredentials(1, 1000, 5)));
        Assert.True(policy.Admits(new PeerCredentials(1, 5, 2000)));
        Assert.False(policy.Admits(new PeerCredentials(int.MaxValue, 1001, 1001)));
    }

    private static void RequireRootAndTools()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("Running a client as another user needs root; run the suite as root.");
        }

        foreach (var tool in new[] { "/usr/bin/setpriv", "/usr/bin/curl" })
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"{tool} is missing (apt-get install util-linux curl).");
            }
        }
    }

    private static async Task GiveSocketToGroupAsync(string socketPath, uint group)
    {
        var (exit, output) = await RunAsync("/usr/bin/chgrp", [group.ToString(System.Globalization.CultureInfo.InvariantCulture), socketPath]);
        Assert.True(exit == 0, output);
    }

    /// <summary>HTTP status (0 when curl could not connect) and body of a GET run as nobody.</summary>
    private static async Task<(int Status, string Body)> CurlAsNobodyAsync(string socketPath, string path)
    {
        var (_, output) = await RunAsync(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/curl", "-s", "--max-time", "10", "--unix-socket", socketPath, "-w", "\n%{http_code}", $"http://agent{path}"]);
        var lastNewLine = output.LastIndexOf('\n');
        return (int.Parse(output[(lastNewLine + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture), output[..Math.Max(lastNewLine, 0)]);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancel);
        var errors = process.StandardError.ReadToEndAsync(Cancel);
        await process.WaitForExitAsync(Cancel);
        return (process.ExitCode, await output + await errors);
    }
}
