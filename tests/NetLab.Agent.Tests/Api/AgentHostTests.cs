using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Api;

/// <summary>How the agent listens: socket file, its mode and folder, stale sockets, TCP only on request, error bodies.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentHostTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_socket_is_mode_0660_in_a_folder_created_0755()
    {
        var directory = TestAgent.NewDirectory();
        await using var agent = await TestAgent.StartAsync(directory: directory, socketName: "run/netlab/agent.sock");

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(agent.SocketPath));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(agent.SocketPath)!));
    }

    [Fact]
    public async Task Nothing_listens_on_TCP_by_default()
    {
        await using var agent = await TestAgent.StartAsync();

        var address = Assert.Single(agent.Host.Addresses);
        Assert.Equal($"http://unix:{agent.SocketPath}", address);
    }

    [Fact]
    public async Task A_configured_TCP_endpoint_is_served_too()
    {
        await using var agent = await TestAgent.StartAsync(o => o with { TcpEndpoint = "127.0.0.1:0" });
        var tcp = Assert.Single(agent.Host.Addresses, a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        using var http = new HttpClient { BaseAddress = new Uri(tcp) };

        var labs = await http.GetStringAsync(new Uri("/v1/labs", UriKind.Relative), Cancel);

        Assert.Equal("[]", labs);
        Assert.Contains(agent.Log, l => l.Contains("TCP has no peer credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        var directory = TestAgent.NewDirectory();
        var path = Path.Combine(directory, "agent.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(path));
        }

        await using var agent = await TestAgent.StartAsync(directory: directory);

        Assert.Empty(await agent.Client.GetLabsAsync(Cancel));
    }

    [Fact]
    public async Task A_second_agent_on_a_live_socket_refuses_to_start_and_leaves_the_first_serving()
    {
        await using var first = await TestAgent.StartAsync();
        var directory = TestAgent.NewDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestAgent.StartAsync(o => o with { SocketPath = first.SocketPath }, directory));

            Assert.Contains("already listens", error.Message, StringComparison.Ordinal);
            Assert.Empty(await first.Client.GetLabsAsync(Cancel));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("/v2/labs")]
    [InlineData("/index.html")]
    [InlineData("/v1/labs.json")]
    public async Task An_unknown_route_is_a_404_AgentError_listing_the_routes(string path)
    {
        await using var agent = await TestAgent.StartAsync();

        var (status, body) = await RawAsync(agent, HttpMethod.Get, path, null);

        Assert.Equal(HttpStatusCode.NotFound, status);
        var error = JsonSerializer.Deserialize<AgentError>(body, AgentJson.Options)!;
        Assert.Equal(AgentErrorCodes.NotFound, error.Code);
        Assert.Contains("GET /v1/labs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/apply", "POST")]
    [InlineData("PUT", "/v1/plan", "POST")]
    [InlineData("GET", "/v1/labs/demo/destroy", "POST")]
    [InlineData("DELETE", "/v1/labs/demo", "GET")]
    [InlineData("POST", "/v1/labs", "GET")]
    [InlineData("PATCH", "/v1/doctor", "GET")]
    public async Task A_route_asked_with_a_method_it_does_not_take_is_a_405_naming_the_methods_it_takes_and_the_engine_is_not_called(string method, string path, string allowed)
    {
        await using var agent = await TestAgent.StartAsync();
        // No Content-Type, as curl -X sends it: the wrong method is what is wrong, so 405 rather than 415.
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var (status, body, allow) = await SendOverSocketWithAllowAsync(agent, request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal(allowed, allow);
        var error = JsonSerializer.Deserialize<AgentError>(body, AgentJson.Options)!;
        Assert.Equal(AgentErrorCodes.MethodNotAllowed, error.Code);
        Assert.Contains($"{path} takes {allowed}, not {method}", error.Message, StringComparison.Ordinal);
        Assert.Empty(agent.Engine.Calls);
    }

    [Fact]
    public async Task A_body_that_is_not_a_lab_document_is_a_400_bad_request_saying_what_to_send()
    {
        await using var agent = await TestAgent.StartAsync();

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/plan", "name: demo");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = JsonSerializer.Deserialize<AgentError>(body, AgentJson.Options)!;
        Assert.Equal(AgentErrorCodes.BadRequest, error.Code);
        Assert.Contains("\"format\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_format_is_a_400()
    {
        await using var agent = await TestAgent.StartAsync();

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/validate", """{"text":"name: x","format":"toml"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("toml", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_answers_valid_true_with_the_labs_name_in_camelCase_json()
    {
        await using var agent = await TestAgent.StartAsync();

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/validate", JsonSerializer.Serialize(Labs.Valid, AgentJson.Options));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"valid":true,"lab":"demo"}""", body);
    }

    [Fact]
    public async Task Apply_answers_ndjson_one_object_per_line_with_enums_as_strings()
    {
        await using var agent = await TestAgent.StartAsync();

        var (status, body) = await RawAsync(agent, HttpMethod.Post, "/v1/apply", JsonSerializer.Serialize(Labs.Valid, AgentJson.Options));

        Assert.Equal(HttpStatusCode.OK, status);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.Contains("\"status\":\"started\"", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"result\":", lines[^1], StringComparison.Ordinal);
    }

    internal static async Task<(HttpStatusCode Status, string Body)> RawAsync(TestAgent agent, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        // As the client does: a POST is JSON also without a body (the agent refuses anything else with 415).
        if (body is not null || method != HttpMethod.Get)
        {
            request.Content = new StringContent(body ?? "", Encoding.UTF8, "application/json");
        }

        return await SendOverSocketAsync(agent, request);
    }

    /// <summary>Any request (paths relative to http://agent) over the agent's Unix socket, as HttpClient sends it.</summary>
    internal static async Task<(HttpStatusCode Status, string Body)> SendOverSocketAsync(TestAgent agent, HttpRequestMessage request)
    {
        var (status, body, _) = await SendOverSocketWithAllowAsync(agent, request);
        return (status, body);
    }

    /// <summary>As <see cref="SendOverSocketAsync"/>, with the answer's Allow header (empty when there is none).</summary>
    private static async Task<(HttpStatusCode Status, string Body, string Allow)> SendOverSocketWithAllowAsync(TestAgent agent, HttpRequestMessage request)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.SocketPath), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://agent") };
        using var response = await http.SendAsync(request, Cancel);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancel), string.Join(", ", response.Content.Headers.Allow));
    }
}
