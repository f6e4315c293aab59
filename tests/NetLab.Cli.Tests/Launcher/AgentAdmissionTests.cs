using NetLab.Cli.Commands;
using NetLab.Cli.Launcher;

namespace NetLab.Cli.Tests.Launcher;

/// <summary>
/// Who the agent `netlab up` starts admits: the web's user, and not everyone who shares its group (with --web-user
/// nobody, every daemon in nogroup; with an account made by hand, maybe every user in `users`). The agent runs as up
/// runs it, over a fake engine; the peers are curl processes with the uid and gid the test gives them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentAdmissionTests
{
    private static readonly WebUser Web = new("nltest-web", 64_999, 64_998);

    [Fact]
    public async Task Up_admits_the_web_user_alone_and_a_stranger_in_its_group_gets_403()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("the agent and peers of other uids need root; run the suite as root.");
        }

        var folder = Directory.CreateTempSubdirectory("nltest-admission-");
        File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        var socket = Path.Combine(folder.FullName, "agent.sock");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var admission = AgentAdmission.For(Web);
        var agent = AgentCommand.RunAsync(
            new CliServices(_ => new NetLab.Agent.Tests.FakeLabEngine(), IsRoot: true), socket, admission.Uids, admission.Gids, tcp: null, admission.SocketGroup, AgentLimits.None, TextWriter.Null, stop.Token);
        try
        {
            await WaitForSocketAsync(socket, agent);

            Assert.Equal($"0:{Web.Gid} 660", Run("stat", "--format=%u:%g %a", socket)); // the web can open it
            Assert.Equal("200", AsPeer(Web.Uid, Web.Gid, socket));
            Assert.Equal("403", AsPeer(64_990, Web.Gid, socket)); // another account whose primary group is the web's
        }
        finally
        {
            await stop.CancelAsync();
            _ = await agent;
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The HTTP status a process with only these ids gets for GET /v1/labs on the socket.</summary>
    private static string AsPeer(uint uid, uint gid, string socket) =>
        Run("setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", "curl", "--silent", "--output", "/dev/null", "--write-out", "%{http_code}", "--unix-socket", socket, "http://agent/v1/labs");

    private static string Run(string program, params string[] arguments)
    {
        var (exit, output) = ExternalCommand.Run(program, arguments);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} failed ({exit}): {output}");
        return output.Trim();
    }

    /// <summary>Until the agent has bound the socket and set its mode and group (right after binding), 30 s at most.</summary>
    private static async Task WaitForSocketAsync(string socket, Task<int> agent)
    {
        var ready = $"0:{Web.Gid} 660";
        for (var waited = 0; !File.Exists(socket) || ExternalCommand.Run("stat", "--format=%u:%g %a", socket).Output.Trim() != ready; waited += 50)
        {
            Assert.False(agent.IsCompleted, "the agent stopped before its socket was ready");
            if (waited > 30_000)
            {
                return; // the assertions then say what the socket looks like
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
