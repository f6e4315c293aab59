using System.Net;
using System.Net.Sockets;
using System.Text;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// A request acting for a user (the web's NetLab-Acting-User header) reaches only that user's labs: another user's lab
/// answers as if it did not exist, its name cannot be applied over, and the engine is never asked to touch it.
/// </summary>
public sealed class LabAccessTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_users_lab_is_theirs_alone_and_every_route_answers_another_user_as_if_it_did_not_exist()
    {
        await using var agent = await StartAsync();
        var alice = agent.Client.For("alice");
        var bob = agent.Client.For("bob@school.example");
        await ApplyAsync(alice, Labs.ValidYaml);
        var calls = agent.Engine.Calls.Count;

        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => bob.GetLabAsync("demo", Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => bob.ProbeAsync("demo", new ProbeRequest(), Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => bob.PlanAsync(Labs.Valid, Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(async () => await bob.DestroyAsync("demo", Cancel).ToListAsync(Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(async () => await bob.EventsAsync("demo", Cancel).FirstAsync(Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(async () => await bob.CaptureAsync("demo", new CaptureRequest("h1", "eth0"), Cancel).FirstAsync(Cancel))).Error.Code);
        var taken = await Assert.ThrowsAsync<AgentClientException>(() => ApplyAsync(bob, Labs.ValidYaml));
        Assert.Equal((HttpStatusCode.Conflict, AgentErrorCodes.LabTaken), (taken.StatusCode, taken.Error.Code));
        Assert.Empty(await bob.GetLabsAsync(Cancel));

        // Only the state checks of plan and apply reached the engine: nothing was destroyed, probed, watched or captured.
        Assert.All(agent.Engine.Calls.Skip(calls), call => Assert.StartsWith("state", call, StringComparison.Ordinal));
        Assert.Equal("alice\n", File.ReadAllText(Path.Combine(agent.Directory, "owners", "demo")));
        Assert.Contains(agent.Log, line => line.Contains("lab demo is not the acting user bob@school.example's", StringComparison.Ordinal));

        // The owner and the administrator (no header) reach it.
        Assert.Equal("demo", (await alice.GetLabAsync("demo", Cancel)).Lab);
        Assert.Equal(["demo"], (await alice.GetLabsAsync(Cancel)).Select(l => l.Lab));
        Assert.Equal(["demo"], (await agent.Client.GetLabsAsync(Cancel)).Select(l => l.Lab));
    }

    [Fact]
    public async Task A_lab_nobody_holds_is_not_found_without_a_refusal_in_the_log()
    {
        await using var agent = await StartAsync();
        var alice = agent.Client.For("alice");
        await ApplyAsync(alice, Labs.ValidYaml);
        await alice.DestroyAsync("demo", Cancel).ToListAsync(Cancel);

        // The web's live state of a lab just destroyed still asks for it a few times: not found, and no warning of a
        // refusal (a class start logged hundreds of them).
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => alice.GetLabAsync("demo", Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => alice.GetLabAsync("never-made", Cancel))).Error.Code);

        Assert.DoesNotContain(agent.Log, line => line.Contains("is not the acting user", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_destroyed_lab_frees_its_name_for_another_user()
    {
        await using var agent = await StartAsync();
        var alice = agent.Client.For("alice");
        var bob = agent.Client.For("bob");
        await ApplyAsync(alice, Labs.ValidYaml);

        await alice.DestroyAsync("demo", Cancel).ToListAsync(Cancel);
        await ApplyAsync(bob, Labs.ValidYaml);

        Assert.Equal("demo", (await bob.GetLabAsync("demo", Cancel)).Lab);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => alice.GetLabAsync("demo", Cancel))).Error.Code);
    }

    [Fact]
    public async Task An_administrators_lab_is_no_users_and_cannot_be_claimed_by_applying_its_name()
    {
        await using var agent = await StartAsync();
        await ApplyAsync(agent.Client, Labs.ValidYaml);
        var alice = agent.Client.For("alice");

        var taken = await Assert.ThrowsAsync<AgentClientException>(() => ApplyAsync(alice, Labs.ValidYaml));

        Assert.Equal(AgentErrorCodes.LabTaken, taken.Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => alice.GetLabAsync("demo", Cancel))).Error.Code);
        Assert.False(File.Exists(Path.Combine(agent.Directory, "owners", "demo")));
    }

    [Fact]
    public async Task Of_two_users_applying_one_free_name_at_once_exactly_one_gets_it()
    {
        await using var agent = await StartAsync();
        var users = Enumerable.Range(1, 8).Select(i => agent.Client.For($"user{i}")).ToList();

        var outcomes = await Task.WhenAll(users.Select(async user =>
        {
            try
            {
                await ApplyAsync(user, Labs.ValidYaml);
                return true;
            }
            catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.LabTaken)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var winner = users[Array.IndexOf(outcomes, true)].ActingFor;
        Assert.Equal($"{winner}\n", File.ReadAllText(Path.Combine(agent.Directory, "owners", "demo")));
    }

    [Fact]
    public async Task Two_users_applying_one_file_under_kernel_names_of_their_own_each_get_theirs()
    {
        await using var agent = await StartAsync();
        var alice = agent.Client.For("alice");
        var bob = agent.Client.For("bob");

        await ApplyAsync(alice, new LabDocument(Labs.ValidYaml, Name: "demo-a1"));
        await ApplyAsync(bob, new LabDocument(Labs.ValidYaml, Name: "demo-b2"));

        Assert.Equal("demo-a1", (await alice.PlanAsync(new LabDocument(Labs.ValidYaml, Name: "demo-a1"), Cancel)).Lab);
        Assert.Equal(["demo-a1"], (await alice.GetLabsAsync(Cancel)).Select(l => l.Lab));
        Assert.Equal(["demo-b2"], (await bob.GetLabsAsync(Cancel)).Select(l => l.Lab));
        Assert.Equal("alice\n", File.ReadAllText(Path.Combine(agent.Directory, "owners", "demo-a1")));
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => bob.GetLabAsync("demo-a1", Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(async () => await bob.DestroyAsync("demo-a1", Cancel).ToListAsync(Cancel))).Error.Code);
        Assert.Equal(AgentErrorCodes.NotFound, (await Assert.ThrowsAsync<AgentClientException>(() => bob.PlanAsync(new LabDocument(Labs.ValidYaml, Name: "demo-a1"), Cancel))).Error.Code);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a.b")]
    [InlineData("")]
    public async Task A_kernel_name_that_is_no_lab_name_is_refused_as_an_invalid_lab(string name)
    {
        await using var agent = await StartAsync();

        var error = await Assert.ThrowsAsync<AgentClientException>(() => agent.Client.For("alice").PlanAsync(new LabDocument(Labs.ValidYaml, Name: name), Cancel));

        Assert.Equal(AgentErrorCodes.InvalidLab, error.Error.Code);
        Assert.Contains(error.Error.Problems!, p => p.Path == "name");
        Assert.Empty(agent.Engine.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice smith")]
    [InlineData("alice\"")]
    [InlineData("../root")]
    [InlineData("alice;bob")]
    public async Task A_malformed_acting_user_is_a_400_and_the_engine_is_not_asked(string user)
    {
        await using var agent = await StartAsync();

        // Sent by hand: the client refuses to send such a name.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.SocketPath), Cancel);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /v1/labs HTTP/1.1\r\nHost: netlab-agent\r\nConnection: close\r\n{ActingUser.Header}: {user}\r\n\r\n"), Cancel);
        using var reader = new StreamReader(new NetworkStream(socket));
        var answer = await reader.ReadToEndAsync(Cancel);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("acting user", answer, StringComparison.Ordinal);
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public void The_client_refuses_a_name_that_would_break_the_request_head()
    {
        var client = new AgentClient("/nonexistent.sock");

        var error = Assert.Throws<ArgumentException>(() => client.For("alice\r\nNetLab-Acting-User: bob"));

        Assert.Contains("character the agent does not take", error.Message, StringComparison.Ordinal);
    }

    private static async Task<TestAgent> StartAsync()
    {
        // Owner records live in a directory only root may write, as the agent's other records.
        Assert.SkipWhen(Environment.UserName != "root", "Lab owner records are written only by root; run the suite as root.");
        var directory = TestAgent.NewDirectory();
        return await TestAgent.StartAsync(o => o with { LabOwnerDirectory = Path.Combine(directory, "owners") }, directory);
    }

    private static Task ApplyAsync(AgentClient client, string yaml) => ApplyAsync(client, new LabDocument(yaml));

    private static async Task ApplyAsync(AgentClient client, LabDocument document) =>
        Assert.True((await client.ApplyAsync(document, Cancel).LastAsync(Cancel)).Result!.Succeeded);
}
