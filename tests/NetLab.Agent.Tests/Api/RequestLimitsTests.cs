using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Hosting;
using NetLab.Core.Formats;

namespace NetLab.Agent.Tests.Api;

/// <summary>
/// Hostile requests against the real agent host: documents that would overflow the stack, bodies over the limit,
/// bodies a web page could send cross-site, listeners off loopback. Each gets a 4xx that names the limit or the rule,
/// the engine is not called, and the agent answers the next request.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RequestLimitsTests
{
    private const long LimitBytes = 8 * 1024 * 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public async Task A_lab_text_of_200000_nested_brackets_is_an_invalid_lab_naming_the_depth_limit_and_the_agent_lives_on(string format)
    {
        await using var agent = await TestAgent.StartAsync();
        var body = AgentJson.Serialize(new LabDocument(new string('[', 200_000), format));

        var (status, text) = await SendAsync(agent, HttpMethod.Post, "/v1/validate", Bytes(body), "application/json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Error(text);
        Assert.Equal(AgentErrorCodes.InvalidLab, error.Code);
        Assert.Contains($"at most {LabFormat.MaxNestingDepth} levels", Assert.Single(error.Problems!).Message, StringComparison.Ordinal);
        Assert.Empty(await agent.Client.GetLabsAsync(Cancel));
    }

    [Fact]
    public async Task A_request_body_nested_deeper_than_the_json_limit_is_a_400_naming_it()
    {
        await using var agent = await TestAgent.StartAsync();
        var body = "{\"text\": " + new string('[', 200_000);

        var (status, text) = await SendAsync(agent, HttpMethod.Post, "/v1/plan", Bytes(body), "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("depth of 64", Error(text).Message, StringComparison.Ordinal);
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public async Task A_lab_text_over_1_MiB_is_an_invalid_lab_naming_the_size_limit()
    {
        await using var agent = await TestAgent.StartAsync();
        var document = new LabDocument(Labs.ValidYaml + "\n#" + new string('x', LabFormat.MaxDocumentBytes), "yaml");

        var problems = await agent.Client.ValidateAsync(document, Cancel);

        Assert.Contains("at most 1048576 bytes (1 MiB)", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_40_MB_body_is_a_413_too_large_naming_the_limit_and_nothing_is_applied()
    {
        await using var agent = await TestAgent.StartAsync();

        // The client library, as the CLI and the web use it: the agent answers before reading, the client reads that answer.
        await using var response = await UnixHttpTransport.SendAsync(agent.SocketPath, "POST", "v1/apply", new byte[40_000_000], Cancel);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = Error(await response.ReadAsStringAsync(Cancel));
        Assert.Equal(AgentErrorCodes.TooLarge, error.Code);
        Assert.Contains($"at most {LimitBytes} bytes (8 MiB)", error.Message, StringComparison.Ordinal);
        Assert.Contains("40000000 bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(agent.Engine.Calls);
        Assert.Empty(await agent.Client.GetLabsAsync(Cancel));
    }

    [Fact]
    public async Task A_chunked_body_without_a_length_is_stopped_at_the_limit_with_the_same_413()
    {
        await using var agent = await TestAgent.StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.SocketPath), Cancel);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Bytes("POST /v1/validate HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), Cancel);

        // Valid JSON as far as it goes (one long string), so the reader reads on until Kestrel stops it.
        try
        {
            await stream.WriteAsync(Bytes("b\r\n{\"text\": \"x\r\n"), Cancel);
            var chunk = Bytes($"{64 * 1024:x}\r\n{new string('x', 64 * 1024)}\r\n");
            for (var sent = 0L; sent < 3 * LimitBytes; sent += 64 * 1024)
            {
                await stream.WriteAsync(chunk, Cancel);
            }
        }
        catch (IOException)
        {
            // The agent answered and closed before the body ended: its answer is read below.
        }

        // An agent without the limit would wait for the rest of the body: bounded, so that is a failure, not a hang.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        await using var response = await UnixHttpTransport.ReadResponseAsync(stream, patience.Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = Error(await response.ReadAsStringAsync(patience.Token));
        Assert.Equal(AgentErrorCodes.TooLarge, error.Code);
        Assert.Contains($"at most {LimitBytes} bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(await agent.Client.GetLabsAsync(Cancel));
    }

    [Fact]
    public async Task A_valid_body_just_under_the_limit_is_read()
    {
        await using var agent = await TestAgent.StartAsync();
        var document = AgentJson.Serialize(Labs.Valid);
        // JSON allows any amount of white space: the same document, one byte under the limit.
        var body = document[..^1] + new string(' ', (int)LimitBytes - 1 - Encoding.UTF8.GetByteCount(document)) + "}";

        var (status, text) = await SendAsync(agent, HttpMethod.Post, "/v1/validate", Bytes(body), "application/json; charset=utf-8");

        Assert.Equal(LimitBytes - 1, Bytes(body).Length);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"valid":true,"lab":"demo"}""", text);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData(null)]
    public async Task A_destroy_not_sent_as_json_is_a_415_and_the_lab_stays(string? contentType)
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        // What a web page can send to another site without asking first (no body, or a "simple" content type).
        var (status, text) = await SendAsync(agent, HttpMethod.Post, "/v1/labs/demo/destroy", contentType is null ? null : Bytes("x"), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        var error = Error(text);
        Assert.Equal(AgentErrorCodes.UnsupportedMediaType, error.Code);
        Assert.Contains("Content-Type: application/json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Engine.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
        Assert.Single(await agent.Client.GetLabsAsync(Cancel));
    }

    [Theory]
    [InlineData("/v1/validate")]
    [InlineData("/v1/plan")]
    [InlineData("/v1/apply")]
    [InlineData("/v1/labs/demo/probe")]
    [InlineData("/v1/labs/demo/captures")]
    public async Task Every_post_route_refuses_a_text_plain_lab_with_415_before_the_engine_is_called(string path)
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var (status, _) = await SendAsync(agent, HttpMethod.Post, path, Bytes(AgentJson.Serialize(Labs.Valid)), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public async Task The_client_sends_json_also_for_bodyless_posts_so_destroy_and_probe_work()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));

        var destroyed = await agent.Client.DestroyAsync("demo", Cancel).LastAsync(Cancel);
        var validated = await agent.Client.ValidateAsync(Labs.Valid, Cancel);

        Assert.True(destroyed.Result?.Succeeded);
        Assert.Empty(validated);
        Assert.Contains(agent.Engine.Calls, c => c.StartsWith("destroy", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0:5081")]
    [InlineData("[::]:5081")]
    [InlineData("192.0.2.1:5081")]
    public void A_tcp_endpoint_off_loopback_is_refused_before_anything_listens(string endpoint)
    {
        var directory = TestAgent.NewDirectory();
        try
        {
            var error = Assert.Throws<ArgumentException>(() => AgentHost.Create(new AgentOptions { SocketPath = Path.Combine(directory, "agent.sock"), TcpEndpoint = endpoint }, new FakeLabEngine()));

            Assert.Contains("not a loopback address", error.Message, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:PORT", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(directory, "agent.sock")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:5081")]
    [InlineData("127.0.0.2:5081")]
    [InlineData("[::1]:5081")]
    [InlineData("localhost:5081")]
    public void A_loopback_tcp_endpoint_is_accepted(string endpoint) =>
        Assert.True(IPAddress.IsLoopback(AgentHost.ParseTcpEndpoint(endpoint).Address));

    [Theory]
    [InlineData("evil.example", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1.nip.io", HttpStatusCode.Forbidden)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    public async Task Over_tcp_only_requests_addressed_to_loopback_are_answered(string host, HttpStatusCode expected)
    {
        await using var agent = await TestAgent.StartAsync(o => o with { TcpEndpoint = "127.0.0.1:0" });
        var tcp = new Uri(Assert.Single(agent.Host.Addresses, a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(tcp, "/v1/labs"));
        // A page that made its own name resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host.
        request.Headers.Host = $"{host}:{tcp.Port}";

        using var response = await http.SendAsync(request, Cancel);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            var error = Error(await response.Content.ReadAsStringAsync(Cancel));
            Assert.Equal(AgentErrorCodes.ForbiddenPeer, error.Code);
            Assert.Contains(host, error.Message, StringComparison.Ordinal);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static AgentError Error(string body) => JsonSerializer.Deserialize<AgentError>(body, AgentJson.Options)!;

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(TestAgent agent, HttpMethod method, string path, byte[]? body, string? contentType)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        return await AgentHostTests.SendOverSocketAsync(agent, request);
    }
}
