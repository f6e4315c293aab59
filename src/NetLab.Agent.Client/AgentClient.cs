using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;

namespace NetLab.Agent.Client;

/// <summary>
/// The agent's API over its Unix socket (docs/agent-api.md), for the CLI and the web dashboard. Errors come as
/// <see cref="AgentClientException"/> carrying the agent's <see cref="AgentError"/>; an unreachable agent as
/// <see cref="AgentUnavailableException"/>. Streams (apply, destroy, events) are read line by line as they arrive.
/// </summary>
public sealed class AgentClient : IDisposable
{
    public AgentClient(string socketPath = AgentSocket.DefaultPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>
    /// The user the web acts for (<see cref="ActingUser"/>), sent with every request: the agent then lets the request
    /// see and touch only that user's labs. Null: the machine's administrator (the CLI as root), who sees every lab.
    /// </summary>
    public string? ActingFor { get; private init; }

    /// <summary>A client of the same agent whose every request acts for <paramref name="user"/>; cheap (no connection is kept).</summary>
    /// <exception cref="ArgumentException">Not a name the agent takes (see <see cref="ActingUser.Problem"/>).</exception>
    public AgentClient For(string user) => new(SocketPath) { ActingFor = ActingUser.Require(user) };

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
            await PostJsonAsync<LabDocument, LabValidation>("v1/validate", document, cancellationToken).ConfigureAwait(false);
            return [];
        }
        catch (AgentClientException error) when (error.Error.Code == AgentErrorCodes.InvalidLab)
        {
            return error.Error.Problems ?? [];
        }
    }

    /// <exception cref="AgentClientException">Code "invalid-lab" (with the problems) when the lab is not valid.</exception>
    public Task<PlanView> PlanAsync(LabDocument document, CancellationToken cancellationToken = default) =>
        PostJsonAsync<LabDocument, PlanView>("v1/plan", document, cancellationToken);

    /// <summary>Progress items as the agent applies, then the result item.</summary>
    /// <exception cref="AgentClientException">The lab is invalid, or the agent failed (an error line).</exception>
    public IAsyncEnumerable<ApplyStreamItem> ApplyAsync(LabDocument document, CancellationToken cancellationToken = default) =>
        ReadOperationStreamAsync("POST", "v1/apply", AgentJson.SerializeToUtf8Bytes(document), cancellationToken);

    /// <summary>Progress items as the agent removes the lab's namespaces, then the result item.</summary>
    public IAsyncEnumerable<ApplyStreamItem> DestroyAsync(string labName, CancellationToken cancellationToken = default) =>
        ReadOperationStreamAsync("POST", $"v1/labs/{Uri.EscapeDataString(labName)}/destroy", null, cancellationToken);

    /// <summary>A snapshot of each namespace of the lab, then every change, until <paramref name="cancellationToken"/> ends it.</summary>
    public IAsyncEnumerable<LabEvent> EventsAsync(string labName, CancellationToken cancellationToken = default) =>
        ReadLinesAsync<LabEvent>("GET", $"v1/labs/{Uri.EscapeDataString(labName)}/events", null, cancellationToken);

    /// <summary>An ICMP echo from every namespace of the lab to every address of the lab, with what ARP showed (POST v1/labs/{name}/probe).</summary>
    /// <exception cref="AgentClientException">Code "not-found" when the kernel holds no such lab.</exception>
    public Task<ProbeReport> ProbeAsync(string labName, ProbeRequest request, CancellationToken cancellationToken = default) =>
        PostJsonAsync<ProbeRequest, ProbeReport>($"v1/labs/{Uri.EscapeDataString(labName)}/probe", request, cancellationToken);

    /// <summary>
    /// Grades the applied lab against checks (POST v1/labs/{name}/grade): a fresh connectivity check and the kernel's
    /// state of the lab, each check passed, failed (with NetLab's explanation) or not checked.
    /// </summary>
    /// <exception cref="AgentClientException">Code "not-found" when the kernel holds no such lab, "invalid-checks" or "invalid-lab" with the problems.</exception>
    public Task<GradeView> GradeAsync(string labName, GradeRequest request, CancellationToken cancellationToken = default) =>
        PostJsonAsync<GradeRequest, GradeView>($"v1/labs/{Uri.EscapeDataString(labName)}/grade", request, cancellationToken);

    /// <summary>
    /// Captures frames on one interface of the lab (POST v1/labs/{name}/captures): a Started item, then frames, until
    /// <paramref name="cancellationToken"/> ends the capture (or the agent ends it with an Ended or Error item).
    /// </summary>
    public IAsyncEnumerable<CaptureStreamItem> CaptureAsync(string labName, CaptureRequest request, CancellationToken cancellationToken = default) =>
        ReadLinesAsync<CaptureStreamItem>("POST", $"v1/labs/{Uri.EscapeDataString(labName)}/captures", AgentJson.SerializeToUtf8Bytes(request), cancellationToken);

    /// <summary>Which link kinds and modes the agent's kernel can create.</summary>
    public Task<DoctorReport> DoctorAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync<DoctorReport>("v1/doctor", cancellationToken);

    /// <summary>Nothing to release: every request has its own connection.</summary>
    public void Dispose()
    {
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        var response = await SendAsync("GET", path, null, cancellationToken).ConfigureAwait(false);
        await using (response.ConfigureAwait(false))
        {
            return await ReadBodyAsync<T>(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> PostJsonAsync<TBody, T>(string path, TBody body, CancellationToken cancellationToken)
    {
        var response = await SendAsync("POST", path, AgentJson.SerializeToUtf8Bytes(body), cancellationToken).ConfigureAwait(false);
        await using (response.ConfigureAwait(false))
        {
            return await ReadBodyAsync<T>(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<ApplyStreamItem> ReadOperationStreamAsync(string method, string path, byte[]? body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ended = false;
        await foreach (var item in ReadLinesAsync<ApplyStreamItem>(method, path, body, cancellationToken).ConfigureAwait(false))
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

    private async IAsyncEnumerable<T> ReadLinesAsync<T>(string method, string path, byte[]? body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        await using (response.ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
            }

            using var reader = new StreamReader(response.Content);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException error)
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

    /// <summary>Sends, turning connection failures into <see cref="AgentUnavailableException"/> or a lost connection.</summary>
    private async Task<UnixHttpResponse> SendAsync(string method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        try
        {
            return await UnixHttpTransport.SendAsync(SocketPath, method, path, body, cancellationToken, ActingFor).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            throw new AgentClientException(0, new AgentError(AgentErrorCodes.ConnectionLost, $"The request to the agent at {SocketPath} failed: {error.Message}. See the agent's log."), error);
        }
    }

    private static async Task<T> ReadBodyAsync<T>(UnixHttpResponse response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorOfAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return Deserialize<T>(await response.ReadAsStringAsync(cancellationToken).ConfigureAwait(false), response.StatusCode);
    }

    private static T Deserialize<T>(string json, HttpStatusCode status)
    {
        try
        {
            return AgentJson.Deserialize<T>(json)
                ?? throw new JsonException("the answer is null");
        }
        catch (JsonException error)
        {
            throw new AgentClientException(status, new AgentError(AgentErrorCodes.BadResponse, $"The agent's answer is not the expected {typeof(T).Name}: {error.Message} Are the CLI and the agent the same version?"), error);
        }
    }

    private static async Task<AgentClientException> ErrorOfAsync(UnixHttpResponse response, CancellationToken cancellationToken)
    {
        var text = await response.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (AgentJson.Deserialize<AgentError>(text) is { Code: not null } error)
            {
                return new AgentClientException(response.StatusCode, error);
            }
        }
        catch (JsonException)
        {
            // Not an AgentError: described below.
        }

        // A 429 is the agent at one of its limits whatever its body says, so callers can branch on the code (the CLI's
        // exit code, the web's wording) also when a proxy or an older agent sent it bare.
        return response.StatusCode == HttpStatusCode.TooManyRequests
            ? new AgentClientException(response.StatusCode, new AgentError(AgentErrorCodes.Busy, $"The agent is busy (429 {response.ReasonPhrase}): it is at one of its limits on captures, event streams, doctor runs or checks at once (see docs/agent-api.md, Limits). Nothing was changed; try again when one has ended."))
            : new AgentClientException(response.StatusCode, new AgentError(AgentErrorCodes.BadResponse, $"The agent answered {(int)response.StatusCode} {response.ReasonPhrase} without an error body: {text}"));
    }
}
