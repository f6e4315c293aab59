using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>Requests to the web over TCP as bytes, for what HttpClient would not send (paths with `..`, any Host).</summary>
public static class WebRaw
{
    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(string url, string request)
    {
        var uri = new Uri(url);
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        var answer = new List<byte>();
        var buffer = new byte[64 * 1024];
        try
        {
            // To the end of the answer, not of the connection: a refused WebSocket upgrade keeps it open.
            while (!IsComplete(answer) && await stream.ReadAsync(buffer, timeout.Token) is var read and > 0)
            {
                answer.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // A reset after the answer: what was read is the answer.
        }

        var text = Encoding.UTF8.GetString([.. answer]);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"no HTTP answer to {request.Split('\r')[0]}: {text[..Math.Min(200, text.Length)]}");
        var status = (HttpStatusCode)int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var head = text[..headEnd];
        var body = text[(headEnd + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            // One chunk is all these answers are: the text between the size line and the next CRLF.
            var lines = body.Split("\r\n");
            body = lines.Length > 1 ? lines[1] : body;
        }

        return (status, body);
    }

    /// <summary>Whether the bytes hold a whole answer: its head, and a body of its Content-Length or a last chunk.</summary>
    private static bool IsComplete(List<byte> answer)
    {
        var text = Encoding.ASCII.GetString([.. answer]);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return false;
        }

        var head = text[..headEnd];
        var length = head.Split("\r\n").Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            return answer.Count - headEnd - 4 >= int.Parse(length[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }

    /// <summary>A GET of <paramref name="path"/> exactly as given, with the Host, Origin and sign-in cookie given.</summary>
    public static string Get(string path, string host, string? origin = null, string? cookie = null) =>
        $"GET {path} HTTP/1.1\r\nHost: {host}\r\n{(origin is null ? "" : $"Origin: {origin}\r\n")}{(cookie is null ? "" : $"Cookie: {cookie}\r\n")}Connection: close\r\n\r\n";
}
