using System.Diagnostics;
using System.Text;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink.Namespaces;

namespace NetLab.Cli.Tests.Commands;

/// <summary>
/// `netlab agent` killed with SIGKILL in the middle of an apply: a new agent finds the half-made lab in the kernel,
/// the next apply converges, and destroy leaves nothing.
/// </summary>
public sealed class AgentCrashRecoveryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_killed_mid_apply_is_recovered_by_the_next_one()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("The agent changes the kernel and needs root; run the suite as root.");
        }

        var lab = $"nltestkill{Environment.ProcessId}";
        var folder = Directory.CreateTempSubdirectory("nlkill-");
        var socket = Path.Combine(folder.FullName, "agent.sock");
        var document = new LabDocument(ScaleLab(lab, Namespaces));
        try
        {
            var first = StartAgent(socket);
            try
            {
                using var client = new AgentClient(socket);
                var seen = 0;
                await foreach (var item in client.ApplyAsync(document, Cancel))
                {
                    // The first line comes after the first of ~1,200 operations: the kill lands early in the apply.
                    if (item.Progress is not null && ++seen == 1)
                    {
                        first.Kill();
                        break;
                    }
                }

                await first.WaitForExitAsync(Cancel);
            }
            catch (AgentClientException)
            {
                // The connection broke because the agent died: expected.
            }
            finally
            {
                first.Kill();
                first.Dispose();
            }

            Assert.NotEmpty(NamespacesOf(lab));

            File.Delete(socket);
            using var second = StartAgent(socket);
            try
            {
                using var client = new AgentClient(socket);
                // The apply was cut short: the new agent still has work to do.
                Assert.NotEmpty((await client.PlanAsync(document, Cancel)).Operations);
                Assert.Contains(await client.GetLabsAsync(Cancel), s => s.Lab == lab);

                var applied = await Last(client.ApplyAsync(document, Cancel));
                Assert.True(applied.Succeeded, applied.Failure?.Message);
                Assert.Empty((await client.PlanAsync(document, Cancel)).Operations);
                Assert.Equal(Namespaces + 2, NamespacesOf(lab).Count);

                var destroyed = await Last(client.DestroyAsync(lab, Cancel));
                Assert.True(destroyed.Succeeded, destroyed.Failure?.Message);
                Assert.Empty(NamespacesOf(lab));
            }
            finally
            {
                second.Kill();
            }
        }
        finally
        {
            foreach (var name in NamespacesOf(lab))
            {
                NetworkNamespace.Delete(name);
            }

            folder.Delete(recursive: true);
        }
    }

    private const int Namespaces = 200;

    private static List<string> NamespacesOf(string lab) =>
        NetworkNamespace.ListNames().Where(n => n.StartsWith($"nl-{lab}.", StringComparison.Ordinal)).ToList();

    private static async Task<ApplyResult> Last(IAsyncEnumerable<ApplyStreamItem> items)
    {
        ApplyResult? result = null;
        await foreach (var item in items)
        {
            result = item.Result ?? result;
        }

        return result ?? throw new Xunit.Sdk.XunitException("the stream ended without a result");
    }

    private static Process StartAgent(string socket)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "agent", "--socket", socket })
        {
            start.ArgumentList.Add(argument);
        }

        var agent = Process.Start(start)!;
        agent.OutputDataReceived += (_, _) => { };
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        // The socket file appears at bind(), a moment before listen(): on a loaded machine a connect in between is
        // refused, so wait for a connection that succeeds.
        while (!Accepts(socket))
        {
            Assert.False(agent.HasExited, "the agent exited at start");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the agent did not accept connections within 30 s");
            Thread.Sleep(50);
        }

        return agent;
    }

    private static bool Accepts(string socket)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static string ScaleLab(string name, int count)
    {
        var yaml = new StringBuilder($"name: {name}\nswitches:\n  sw1: {{ ports: {{ p1: {{ hairpin: false }} }} }}\nhosts:\n  h1: {{ nics: {{ eth0: {{ switch: sw1, port: p1 }} }} }}\nnamespaces:\n");
        for (var i = 1; i <= count; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  ns{i}:\n    loopback: up\n    interfaces:\n      mv{i}: {{ kind: macvlan, parent: h1/eth0, mode: bridge, addresses: [10.1.{i}.1/16] }}\n");
        }

        return yaml.ToString();
    }
}
