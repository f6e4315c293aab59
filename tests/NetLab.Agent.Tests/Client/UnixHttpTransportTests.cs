using System.Net;
using System.Text;
using NetLab.Agent.Client;

namespace NetLab.Agent.Tests.Client;

/// <summary>The client's own HTTP/1.1 reading: status, headers, and bodies by length, chunks or connection end.</summary>
public sealed class UnixHttpTransportTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_chunked_body_with_extensions_and_chunks_split_across_reads_is_decoded()
    {
        var answer = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "6;ext=1\r\n{\"a\":1\r\n3\r\n}\n{\r\n9\r\n\"b\":2}\n\n\n\r\n0\r\n\r\n";

        using var response = await UnixHttpTransport.ReadResponseAsync(new TrickleStream(answer, 5), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"a\":1}\n{\"b\":2}\n\n\n", await response.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_body_stops_at_its_content_length()
    {
        var answer = "HTTP/1.1 422 Unprocessable Entity\r\ncontent-length: 4\r\n\r\nbodyTRAILING";

        using var response = await UnixHttpTransport.ReadResponseAsync(new TrickleStream(answer, 3), Cancel);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Unprocessable Entity", response.ReasonPhrase);
        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal("body", await response.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_body_without_length_runs_to_the_end_of_the_connection()
    {
        using var response = await UnixHttpTransport.ReadResponseAsync(new TrickleStream("HTTP/1.1 200 OK\r\n\r\nall of it", 64), Cancel);

        Assert.Equal("all of it", await response.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n\r\n")]
    public async Task What_is_not_an_HTTP_answer_is_an_IOException(string answer) =>
        await Assert.ThrowsAsync<IOException>(() => UnixHttpTransport.ReadResponseAsync(new TrickleStream(answer, 8), Cancel));

    [Fact]
    public async Task A_connection_closed_inside_a_chunk_is_an_IOException()
    {
        using var response = await UnixHttpTransport.ReadResponseAsync(new TrickleStream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", 4), Cancel);

        await Assert.ThrowsAsync<IOException>(() => response.ReadAsStringAsync(Cancel));
    }

    /// <summary>Hands out the answer a few bytes per read, as a socket may.</summary>
    private sealed class TrickleStream(string text, int bytesPerRead) : MemoryStream(Encoding.ASCII.GetBytes(text))
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
    }
}
