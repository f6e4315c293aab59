using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NetLab.Agent.Api;
using NetLab.Agent.Contracts;
using NetLab.Agent.Hosting;
using NetLab.Core.Validation;

namespace NetLab.Agent.Client;

/// <summary>
/// The agent's API over its Unix socket (docs/agent-api.md), for the CLI and the web dashboard. Errors come as
/// <see cref="AgentClientException"/> carrying the agent's <see cref="AgentError"/>; an unreachable agent as
/// <see cref="AgentUnavailableException"/>. Streams (apply, destroy, events) are read line by line as they arrive.
/// </summary>
public sealed class AgentClient : IDisposable
{
    // Any host name will do: the connection always goes to the socket.
    private static readonly Uri BaseAddress = new("http://netlab-agent/");

    private readonly HttpClient _http;

    public AgentClient(string socketPath = AgentOptions.DefaultSocketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler { ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken) };
        // No overall timeout: an apply takes as long as the kernel needs and an event stream lasts until cancelled;
        // callers bound waits with their cancellation tokens.
        _http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>What the kernel holds for every lab.</summary>
    public async Task<IReadOnlyList<LabState>> GetLabsAsync(CancellationToken cancellationToken = default) =>
        await GetJsonAsync<List<LabState>>("v1/labs", cancellationToken).ConfigureAwait(false);

    /// <exception cref="AgentClientException">Code "not-found" when the kernel holds no such lab.</exception>
    public Task<LabState> GetLabAsync(string labName, CancellationToken cancellationToken = default) =>
        GetJsonAsync<LabState>($"v1/labs/{Uri.EscapeDataString(labName)}", cancellationToken);

    /// <summary>The lab's problems as the agent finds them; empty when the lab is valid.</summary>
    public async Task<IReadOnlyList<Problem>> ValidateAsync(LabDocument document, CancellationToken cancellationToken = default)
    {
        try
        {
            await PostJsonAsync<LabValidation>("v1/validate", document, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.InvalidLab)
        {
            return error.Error.Problems ?? [];
        }
    }

    /// <exception cref="AgentClientException">Code "invalid-lab" (with the problems) when the lab is not valid.</exception>
    public Task<PlanView> PlanAsync(LabDocument document, CancellationToken cancellationToken = default) =>
        PostJsonAsync<PlanView>("v1/plan", document, cancellationToken);

    /// <summary>Progress items as the agent applies, then the result item.</summary>
    /// <exception cref="AgentClientException">The lab is invalid, or the agent failed (an error line).</exception>
    public IAsyncEnumerable<ApplyStreamItem> ApplyAsync(LabDocument document, CancellationToken cancellationToken = default) =>
        ReadOperationStreamAsync(() => new HttpRequestMessage(HttpMethod.Post, "v1/apply") { Content = JsonContent.Create(document, options: AgentJson.Options) }, cancellationToken);

    /// <summary>Progress items as the agent removes the lab's namespaces, then the result item.</summary>
    public IAsyncEnumerable<ApplyStreamItem> DestroyAsync(string labName, CancellationToken cancellationToken = default) =>
        ReadOperationStreamAsync(() => new HttpRequestMessage(HttpMethod.Post, $"v1/labs/{Uri.EscapeDataString(labName)}/destroy"), cancellationToken);

    /// <summary>A snapshot of each namespace of the lab, then every change, until <paramref name="cancellationToken"/> ends it.</summary>
    public IAsyncEnumerable<LabEvent> EventsAsync(string labName, CancellationToken cancellationToken = default) =>
        ReadLinesAsync<LabEvent>(() => new HttpRequestMessage(HttpMethod.Get, $"v1/labs/{Uri.EscapeDataString(labName)}/events"), cancellationToken);

    /// <summary>Which link kinds and modes the agent's kernel can create.</summary>
    public Task<DoctorReport> DoctorAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync<DoctorReport>("v1/doctor", cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return await ReadBodyAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> PostJsonAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: AgentJson.Options) },
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        return await ReadBodyAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<ApplyStreamItem> ReadOperationStreamAsync(Func<HttpRequestMessage> request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ended = false;
        await foreach (var item in ReadLinesAsync<ApplyStreamItem>(request, cancellationToken).ConfigureAwait(false))
        {
            if (item.Error is { } error)
            {
                throw new AgentClientException(HttpStatusCode.OK, error);
            }

            yield return item;
            ended = item.Result is not null;
        }

        if (!ended)
        {
            throw new AgentClientException(HttpStatusCode.OK, new AgentError(AgentErrorCodes.BadResponse, "The agent ended the stream before sending the result; see the agent's log, and `netlab state` for what the kernel holds now."));
        }
    }

    private async IAsyncEnumerable<T> ReadLinesAsync<T>(Func<HttpRequestMessage> request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var reader = new StreamReader(body);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or HttpRequestException)
                {
                    throw new AgentClientException(response.StatusCode, new AgentError(AgentErrorCodes.ConnectionLost, $"The connection to the agent broke in the middle of the stream: {error.Message}. See the agent's log."), error);
                }

                if (line is null)
                {
                    yield break;
                }

                if (line.Length > 0)
                {
                    yield return Deserialize<T>(line, response.StatusCode);
                }
            }
        }
    }

    /// <summary>Sends, turning connection failures into <see cref="AgentUnavailableException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var message = request();
        try
        {
            return await _http.SendAsync(message, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException error) when (error.InnerException is AgentUnavailableException unavailable)
        {
            throw unavailable;
        }
        catch (HttpRequestException error)
        {
            throw new AgentClientException(0, new AgentError(AgentErrorCodes.ConnectionLost, $"The request to the agent at {SocketPath} failed: {error.Message}. See the agent's log."), error);
        }
    }

    private static async Task<T> ReadBodyAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return Deserialize<T>(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), response.StatusCode);
    }

    private static T Deserialize<T>(string json, HttpStatusCode status)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, AgentJson.Options)
                ?? throw new JsonException("the answer is null");
        }
        catch (JsonException error)
        {
            throw new AgentClientException(status, new AgentError(AgentErrorCodes.BadResponse, $"The agent's answer is not the expected {typeof(T).Name}: {error.Message} Are the CLI and the agent the same version?"), error);
        }
    }

    private static async Task<AgentClientException> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize<AgentError>(text, AgentJson.Options) is { Code: not null } error)
            {
                return new AgentClientException(response.StatusCode, error);
            }
        }
        catch (JsonException)
        {
            // Not an AgentError: described below.
        }

        return new AgentClientException(response.StatusCode, new AgentError(AgentErrorCodes.BadResponse, $"The agent answered {(int)response.StatusCode} {response.ReasonPhrase} without an error body: {text}"));
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException error)
        {
            socket.Dispose();
            throw error.SocketErrorCode == SocketError.AccessDenied
                ? AgentUnavailableException.PermissionDenied(socketPath, error)
                : AgentUnavailableException.NoAgent(socketPath, error);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
