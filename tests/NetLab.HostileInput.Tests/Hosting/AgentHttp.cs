using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NetLab.Agent.Client.Contracts;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>An answer of the agent: its status, body and Allow header.</summary>
public sealed record Answer(HttpStatusCode Status, string Body, string Allow = "")
{
    /// <summary>The body as the API's error object; fails the case when it is not one.</summary>
    public AgentError Error
    {
        get
        {
            try
            {
                return JsonSerializer.Deserialize<AgentError>(Body, AgentJson.Options) ?? throw new JsonException("null");
            }
            catch (JsonException error)
            {
                Assert.Fail($"the answer ({(int)Status}) is not an AgentError ({error.Message}): {Body[..Math.Min(Body.Length, 500)]}");
                throw;
            }
        }
    }

    public override string ToString() => $"{(int)Status} {Body[..Math.Min(Body.Length, 500)]}";
}

/// <summary>
/// HTTP over the agent's Unix socket: HttpClient for well-formed requests with any method, content type or body, and
/// raw bytes for what HttpClient would not send (paths with `..` it would normalise, malformed requests).
/// </summary>
public sealed class AgentHttp(string socketPath) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancel) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://agent"),
        Timeout = TimeSpan.FromSeconds(120),
    };

    public string SocketPath { get; } = socketPath;

    public static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    public static HttpContent Document(string text, string format = "yaml") => Json(AgentJson.Serialize(new LabDocument(text, format)));

    public async Task<Answer> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await SendAsync(request);
    }

    public async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), string.Join(", ", response.Content.Headers.Allow));
    }

    /// <summary>An open streaming answer (events, a capture): its status, and the response to read or dispose.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="request"/> as it is (CRLFs and all; the connection is closed after it) and reads the answer
    /// to its end: its status and body (a chunked body decoded).
    /// </summary>
    public async Task<Answer> RawAsync(byte[] request, TimeSpan? patience = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(patience ?? TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The agent answered and closed before the request ended: its answer is read below.
        }

        using var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer, timeout.Token);
        }
        catch (IOException)
        {
            // A reset after the answer: what was read is the answer.
        }

        return Parse(answer.ToArray());
    }

    public static byte[] Request(string method, string path, string? body = null, string? contentType = "application/json", string host = "agent")
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body ?? "");
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if (contentType is not null)
        {
            head.Append($"Content-Type: {contentType}\r\n");
        }

        head.Append($"Content-Length: {bodyBytes.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. bodyBytes];
    }

    private static Answer Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"no HTTP answer, only {bytes.Length} bytes: {text[..Math.Min(text.Length, 200)]}");
        var lines = text[..headEnd].Split("\r\n");
        var status = (HttpStatusCode)int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = text[(headEnd + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        return new Answer(status, body, headers.GetValueOrDefault("Allow", ""));
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            var size = Convert.ToInt32(body[position..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            // Sizes count bytes; the bodies here are ASCII JSON (non-ASCII is escaped by the agent's serializer).
            result.Append(body, lineEnd + 2, Math.Min(size, body.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }

    public void Dispose() => _http.Dispose();
}
