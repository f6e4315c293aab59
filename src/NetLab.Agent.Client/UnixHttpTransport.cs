using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetLab.Agent.Client;

/// <summary>
/// Just enough HTTP/1.1 over the agent's Unix socket: one request per connection (Connection: close), a body by
/// Content-Length, chunked transfer or until close. HttpClient would do, but its start-up costs ~100 ms of every
/// `netlab` command (measured: a GET through HttpClient 0.16 s against 0.06 s for the runtime alone), and the CLI
/// is meant to be much faster than the `ip` commands it replaces.
/// </summary>
internal static class UnixHttpTransport
{
    public static async Task<UnixHttpResponse> SendAsync(string socketPath, string method, string path, byte[]? body, CancellationToken cancellationToken, string? actingUser = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
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

        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var head = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"{method} /{path} HTTP/1.1\r\n")
                .Append("Host: netlab-agent\r\nConnection: close\r\nAccept: application/json, application/x-ndjson\r\n");
            if (actingUser is not null)
            {
                // Checked before it goes into the request's head: a name with a line break would add headers of its own.
                head.Append(CultureInfo.InvariantCulture, $"{ActingUser.Header}: {ActingUser.Require(actingUser)}\r\n");
            }

            if (body is not null)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
            }
            else if (method != "GET")
            {
                // The agent takes a POST only as JSON, also without a body (what keeps web pages out: docs/agent-api.md).
                head.Append("Content-Type: application/json\r\nContent-Length: 0\r\n");
            }

            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
            if (body is not null)
            {
                try
                {
                    await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The agent answers a body over its limit (413) before reading it, and closes: its answer is
                    // already in the socket and says why, so read it rather than report a broken connection.
                }
            }

            return await ReadResponseAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads a status line, headers and a body (by length, chunked, or to the end) from <paramref name="stream"/>.</summary>
    internal static async Task<UnixHttpResponse> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new BufferedSocketReader(stream);
        var status = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("the agent closed the connection without answering");
        var parts = status.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new IOException($"the agent's answer does not start with an HTTP status line: '{status}'");
        }

        long? length = null;
        var chunked = false;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = header[..colon].Trim();
            var value = header[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                length = parsed;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        Stream content = chunked ? new ChunkedBodyStream(reader) : new PlainBodyStream(reader, length);
        return new UnixHttpResponse((HttpStatusCode)code, parts.Length > 2 ? parts[2] : string.Empty, content, stream);
    }

    /// <summary>Reads bytes and CRLF-ended header lines from the socket through one buffer.</summary>
    internal sealed class BufferedSocketReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return line.Length > 0 ? line.ToString() : null;
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = newline < 0 ? _end : newline;
                line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
                _start = newline < 0 ? _end : newline + 1;
                if (newline >= 0)
                {
                    return line.ToString().TrimEnd('\r');
                }
            }
        }

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }

        private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            return _end > 0;
        }
    }

    /// <summary>A body of known length, or up to the end of the connection.</summary>
    private sealed class PlainBodyStream(BufferedSocketReader reader, long? length) : ReadOnlyBodyStream
    {
        private long _left = length ?? long.MaxValue;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                return 0;
            }

            var read = await reader.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read;
        }
    }

    /// <summary>Decodes Transfer-Encoding: chunked (RFC 9112 section 7.1).</summary>
    private sealed class ChunkedBodyStream(BufferedSocketReader reader) : ReadOnlyBodyStream
    {
        private long _leftInChunk;
        private bool _done;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!_done && _leftInChunk == 0)
            {
                var sizeLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("the agent closed the connection inside a chunked answer");
                if (sizeLine.Length == 0)
                {
                    continue;
                }

                var size = sizeLine.Split(';', 2)[0].Trim();
                if (!long.TryParse(size, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _leftInChunk))
                {
                    throw new IOException($"bad chunk size '{sizeLine}' in the agent's answer");
                }

                if (_leftInChunk == 0)
                {
                    _done = true;
                }
            }

            if (_done)
            {
                return 0;
            }

            var read = await reader.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _leftInChunk)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the agent closed the connection inside a chunk");
            }

            _leftInChunk -= read;
            return read;
        }
    }

    private abstract class ReadOnlyBodyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>An answer: status, reason, and the body as a stream; disposing it closes the connection.</summary>
internal sealed class UnixHttpResponse(HttpStatusCode statusCode, string reasonPhrase, Stream content, Stream connection) : IAsyncDisposable, IDisposable
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string ReasonPhrase { get; } = reasonPhrase;

    public Stream Content { get; } = content;

    public bool IsSuccessStatusCode => (int)StatusCode is >= 200 and < 300;

    public async Task<string> ReadAsStringAsync(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Content, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    public void Dispose() => connection.Dispose();
}
