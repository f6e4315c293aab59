using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using NetLab.HostileInput.Tests.Hosting;
using static Microsoft.Playwright.Assertions;

namespace NetLab.HostileInput.Tests.Web;

/// <summary>
/// Bad input at every entry point of the web `netlab up` runs (as its unprivileged account): foreign Host headers and
/// Origins (DNS rebinding, cross-site WebSockets), bodies over the limit, crafted paths, and, in Chromium, what only a
/// browser sends over the Blazor circuit: pasted lab YAML and uploaded run archives (a zip bomb, hostile names). Each
/// case asserts the safe outcome: the right 4xx, or the page's refusal, with a message that says what was wrong; the
/// store holds as many rows as before (read from a copy of its files); the kernel is as it was; the agent and the web
/// still answer.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WebHostileTests(NetlabUp up, Chromium chromium) : IClassFixture<NetlabUp>, IClassFixture<Chromium>, IDisposable
{
    /// <summary>The lab the run-import cases import into: made legitimately, once, by the first case that needs it.</summary>
    private const string HostLab = "hostile";

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("nlhostile-web-");

    public void Dispose() => _files.Delete(recursive: true);

    [Theory]
    [InlineData("/labs/1/export")]
    [InlineData("/hubs/labs/negotiate?negotiateVersion=1")]
    [InlineData("/")]
    public Task A_forged_or_tampered_sign_in_cookie_counts_as_none(string path) => HostileAsync(async () =>
    {
        var value = up.Cookie[(up.Cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var tampered = value[..^4] + (value[^4] == 'A' ? "BBBB" : "AAAA");
        foreach (var cookie in new[] { "netlab.auth=forged", $"netlab.auth={tampered}", $"netlab.auth={new string('A', 4000)}" })
        {
            var method = path.StartsWith("/hubs", StringComparison.Ordinal) ? "POST" : "GET";
            var (status, body) = await WebRaw.SendAsync(up.Url, $"{method} {path} HTTP/1.1\r\nHost: {new Uri(up.Url).Authority}\r\nCookie: {cookie}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

            Assert.True(
                path == "/" ? status == HttpStatusCode.Redirect : status == HttpStatusCode.Unauthorized,
                $"{method} {path} with {cookie[..Math.Min(40, cookie.Length)]}: {(int)status} {body}");
        }
    });

    [Theory]
    [InlineData("' OR 1=1 --", "x")]
    [InlineData("hostile-suite", "' OR '1'='1")]
    [InlineData("hostile-suite\r\nSet-Cookie: x=y", "hostile-suite-password")]
    [InlineData("../../etc/passwd", "hostile-suite-password")]
    public Task Hostile_sign_in_forms_set_no_cookie_and_write_nothing(string name, string password) => HostileAsync(async () =>
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = new Uri(up.Url) };
        var page = await http.GetStringAsync("/account/signin", TestContext.Current.CancellationToken);
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"").Groups[1].Value);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = name, ["password"] = password, ["returnUrl"] = "//evil.example/", ["__RequestVerificationToken"] = token,
        });

        using var answer = await http.PostAsync("/account/signin", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/account/signin?returnUrl=%2F&failed=wrong", answer.Headers.Location!.OriginalString);
        Assert.Null(cookies.GetCookies(new Uri(up.Url))["netlab.auth"]);
    });

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:80")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.evil.example")]
    [InlineData("[::2]")]
    [InlineData("127.0.0.2")]
    public Task A_foreign_Host_header_is_a_400_saying_the_hostname_is_invalid(string host) => HostileAsync(async () =>
    {
        foreach (var path in new[] { "/", "/labs/1", "/hubs/labs/negotiate?negotiateVersion=1", "/_framework/blazor.web.js" })
        {
            var (status, body) = await WebRaw.SendAsync(up.Url, WebRaw.Get(path, host));

            Assert.True(status == HttpStatusCode.BadRequest, $"Host {host}, {path}: {(int)status} {body}");
            Assert.Contains("The request hostname is invalid", body, StringComparison.Ordinal);
        }
    });

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("null")]
    [InlineData("file://")]
    public Task A_foreign_Origin_is_a_403_on_the_hubs_and_the_circuit(string origin) => HostileAsync(async () =>
    {
        var port = new Uri(up.Url).Port;
        foreach (var path in new[] { "/hubs/labs/negotiate?negotiateVersion=1", "/_blazor/negotiate?negotiateVersion=1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path);
            request.Headers.TryAddWithoutValidation("Origin", origin);
            using var response = await up.Web.SendAsync(request, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"Origin {origin}, {path}: {(int)response.StatusCode} {body}");
            Assert.Contains($"Origin {origin} may not connect to", body, StringComparison.Ordinal);
            Assert.Contains($"only pages of the web's own origin (http://127.0.0.1:{port})", body, StringComparison.Ordinal);
        }

        // A WebSocket handshake straight to the circuit, as a page of another site would open one.
        var (status, text) = await WebRaw.SendAsync(up.Url, $"GET /_blazor?id=x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        Assert.True(status == HttpStatusCode.Forbidden, $"WebSocket with Origin {origin}: {(int)status} {text}");

        // The web's own origin still negotiates.
        using var own = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        own.Headers.TryAddWithoutValidation("Origin", up.Url);
        using var ok = await up.Web.SendAsync(own, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    });

    [Theory]
    [InlineData("/", "application/x-www-form-urlencoded")]
    [InlineData("/labs/1", "multipart/form-data; boundary=x")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1", "text/plain")]
    [InlineData("/hubs/labs/negotiate?negotiateVersion=1", "application/json")]
    public Task A_body_over_8_MiB_is_a_413_naming_the_limit(string path, string contentType) => HostileAsync(async () =>
    {
        using var content = new ByteArrayContent(new byte[9 * 1024 * 1024]);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var (status, body) = await PostAsync(path, content);

        Assert.True(status == HttpStatusCode.RequestEntityTooLarge, $"{path}: {(int)status} {body}");
        Assert.Contains("at most 8388608 bytes (8 MiB)", body, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", body, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("/../../../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/_framework/../../../../etc/passwd")]
    [InlineData("/css/..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/_content/MudBlazor/..%2f..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/captures/..%2f..%2fetc%2fpasswd.pcap")]
    [InlineData("/netlab.db")]
    [InlineData("/NetLab.Web.dll")]
    [InlineData("/appsettings.json")]
    [InlineData("/labs/99999999999999999999/export")]
    [InlineData("/labs/-1/export")]
    [InlineData("/runs/1/captures/..%2f..%2f1.pcap")]
    public Task A_crafted_path_is_a_404_that_says_so_and_serves_nothing_else(string path) => HostileAsync(async () =>
    {
        var (status, body) = await WebRaw.SendAsync(up.Url, WebRaw.Get(path, new Uri(up.Url).Authority, cookie: up.Cookie));

        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {(int)status} {body}");
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite format", body, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(body), $"{path}: {(int)status} without a message");
    });

    [Theory]
    [InlineData("/labs/424242/export", "You have no lab 424242")]
    [InlineData("/runs/424242/export", "You have no run 424242")]
    [InlineData("/runs/424242/captures/1.pcap", "You have no run 424242 with a capture 1")]
    [InlineData("/captures/00000000-0000-0000-0000-000000000000.pcap", "No capture 00000000-0000-0000-0000-000000000000")]
    public Task An_export_of_what_is_not_there_is_a_404_naming_it(string path, string message) => HostileAsync(async () =>
    {
        using var response = await up.Web.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    });

    public static TheoryData<string, string> BadLabYaml() => new()
    {
        { "200000 nested brackets", "<deep>" },
        { "an alias bomb", "<bomb>" },
        { "a shell command as a name", "<inject>" },
        { "names with '..' and '/'", "<dots>" },
        { "more than 1 MiB", "<huge>" },
        { "not YAML at all", "<garbage>" },
    };

    /// <summary>Lab YAML pasted into Import YAML: every bad text stays in the dialog with its problems; nothing is stored.</summary>
    [Theory]
    [MemberData(nameof(BadLabYaml))]
    public Task Importing_bad_lab_YAML_shows_its_problems_and_stores_nothing(string what, string text) => HostileAsync(async () =>
    {
        var (yaml, problem) = text switch
        {
            "<deep>" => (new string('[', 200_000), "nest at most 64 levels"),
            "<bomb>" => ("name: lol\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n")), "anchors and aliases"),
            "<inject>" => ("name: inject\nnamespaces:\n  ns1:\n    interfaces:\n      x$(reboot): { kind: bridge }\n", "contains '$'"),
            "<dots>" => ("name: ../../etc\nnamespaces:\n  ../ns1: {}\n", "must start with a letter or digit"),
            "<huge>" => ("name: huge\n#" + new string('x', 1_100_000), "a lab file may be at most 1048576 bytes (1 MiB)"),
            _ => ("\u0001\u0002 {[ }]: : -", "not valid YAML"),
        };
        TestContext.Current.SendDiagnosticMessage($"importing {what}: {yaml.Length} characters");
        var page = await chromium.NewPageAsync(up);
        await page.GotoAsync(up.Url);
        await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
        await page.Locator(".labs-import").ClickAsync();
        await page.Locator(".import-yaml textarea").FillAsync(yaml);
        await page.Locator(".import-submit").ClickAsync();

        await Expect(page.GetByText("Nothing was imported: the lab is not valid")).ToBeVisibleAsync();
        await Expect(page.Locator(".problem-list tr.problem").First).ToContainTextAsync(problem);
        await page.Context.CloseAsync();
    });

    /// <summary>
    /// 5 MB pasted at once, more than a circuit message may hold (4 MiB): the field keeps one character past the lab
    /// limit (before, MudBlazor's default length cut it to its first 512 KB, a valid lab that was then imported), and
    /// the validator refuses that, naming the limit.
    /// </summary>
    [Fact]
    public Task A_paste_of_5_MB_is_refused_naming_the_1_MiB_limit_not_cut_into_a_valid_lab() => HostileAsync(async () =>
    {
        var page = await chromium.NewPageAsync(up);
        await page.GotoAsync(up.Url);
        await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
        await page.Locator(".labs-import").ClickAsync();
        await page.Locator(".import-yaml textarea").FillAsync("name: big\n#" + new string('x', 5 * 1024 * 1024));
        await page.Locator(".import-submit").ClickAsync();

        await Expect(page.GetByText("Nothing was imported: the lab is not valid")).ToBeVisibleAsync();
        await Expect(page.Locator(".problem-list tr.problem").First).ToContainTextAsync("a lab file may be at most 1048576 bytes (1 MiB)");
        await page.Context.CloseAsync();
    });

    public static TheoryData<string, string> BadRunArchives() => new()
    {
        { "a zip bomb (run.json inflating past 32 MiB)", "inflates to more than 32 MiB, the most one file of an import may hold" },
        { "two thousand files", "an import takes at most 1024" },
        { "a file named ../evil.pcap", "it holds a file named '../evil.pcap'" },
        { "a file named captures/../../x.pcap", "it holds a file named 'captures/../../x.pcap'" },
        { "a file named /etc/passwd", "it holds a file named '/etc/passwd'" },
        { "a capture whose element is ../../x", "capture 1's element: '../../x' starts with '.'" },
        { "a lab named $(reboot)", "the run's lab: '$(reboot)' starts with '$'" },
        { "not a zip", "is not a NetLab run export" },
        { "a truncated zip", "is not a NetLab run export" },
    };

    /// <summary>Run archives uploaded on a lab's History page: each is refused with why, and nothing is stored.</summary>
    [Theory]
    [MemberData(nameof(BadRunArchives))]
    public async Task Importing_a_hostile_run_archive_is_refused_with_why_and_stores_nothing(string what, string message)
    {
        up.Require();
        Chromium.Require();
        var page = await chromium.NewPageAsync(up);
        var labId = await EnsureHostLabAsync(page);
        var archive = Archive(what);

        await HostileAsync(async () =>
        {
            await page.GotoAsync($"{up.Url}/labs/{labId}/runs");
            await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
            // Blazor's file input listens once its script has run after the first interactive render; a file chosen
            // before that is not seen, so it is chosen again (a refused import changes nothing, so twice is harmless).
            var result = page.Locator(".runs-import-result");
            for (var attempt = 1; ; attempt++)
            {
                await page.Locator(".runs-import input[type=file]").SetInputFilesAsync(archive);
                try
                {
                    await Expect(result).ToBeVisibleAsync(new() { Timeout = 15_000 });
                    break;
                }
                catch (PlaywrightException) when (attempt < 3)
                {
                    await page.ReloadAsync();
                    await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
                }
            }

            await Expect(result).ToContainTextAsync(message, new() { Timeout = 60_000 });
            Assert.Contains(Path.GetFileName(archive), await result.InnerTextAsync(), StringComparison.Ordinal);
        });
        await page.Context.CloseAsync();
    }

    /// <summary>The id of the lab <see cref="HostLab"/>, imported through the dialog the first time (a legitimate change of the store).</summary>
    private async Task<long> EnsureHostLabAsync(IPage page)
    {
        await page.GotoAsync(up.Url);
        await Expect(page.GetByTestId("interactive")).ToBeAttachedAsync();
        var link = page.Locator($"tr.lab-row[data-lab='{HostLab}']").GetByRole(AriaRole.Link, new() { Name = HostLab, Exact = true });
        if (await link.CountAsync() == 0)
        {
            await page.Locator(".labs-import").ClickAsync();
            await page.Locator(".import-yaml textarea").FillAsync($"name: {HostLab}\nnamespaces:\n  ns1: {{}}\n");
            await page.Locator(".import-submit").ClickAsync();
            await Expect(link).ToBeVisibleAsync();
        }

        return long.Parse((await link.GetAttributeAsync("href"))!.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The crafted archive a case names, as a file.</summary>
    private string Archive(string what)
    {
        var path = Path.Combine(_files.FullName, $"crafted-{Math.Abs(what.GetHashCode(StringComparison.Ordinal))}.zip");
        if (what == "not a zip")
        {
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes("PK\u0003\u0004 this is not really a zip file at all"));
            return path;
        }

        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            switch (what)
            {
                case var bomb when bomb.StartsWith("a zip bomb", StringComparison.Ordinal):
                    using (var json = zip.CreateEntry("run.json", CompressionLevel.SmallestSize).Open())
                    {
                        var spaces = new byte[1024 * 1024];
                        Array.Fill(spaces, (byte)' ');
                        for (var i = 0; i < 100; i++)
                        {
                            json.Write(spaces);
                        }
                    }

                    break;
                case "two thousand files":
                    for (var i = 0; i < 2000; i++)
                    {
                        zip.CreateEntry($"captures/{i}.pcap");
                    }

                    break;
                case var name when name.StartsWith("a file named ", StringComparison.Ordinal):
                    WriteRunJson(zip, RunJson(HostLab, "ns1"));
                    zip.CreateEntry(name["a file named ".Length..]);
                    break;
                case "a capture whose element is ../../x":
                    WriteRunJson(zip, RunJson(HostLab, "../../x"));
                    zip.CreateEntry("captures/1.pcap");
                    break;
                case "a lab named $(reboot)":
                    WriteRunJson(zip, RunJson("$(reboot)", "ns1"));
                    zip.CreateEntry("captures/1.pcap");
                    break;
                default:
                    WriteRunJson(zip, RunJson(HostLab, "ns1"));
                    break;
            }
        }

        if (what == "a truncated zip")
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        }

        return path;
    }

    private static void WriteRunJson(ZipArchive zip, string json)
    {
        using var writer = new StreamWriter(zip.CreateEntry("run.json").Open());
        writer.Write(json);
    }

    /// <summary>A run.json of format netlab-run 1 with one capture on <paramref name="element"/>/br0 in captures/1.pcap.</summary>
    private static string RunJson(string lab, string element) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["format"] = "netlab-run",
        ["version"] = 1,
        ["lab"] = lab,
        ["revision"] = 1,
        ["kernelLab"] = lab,
        ["title"] = "crafted",
        ["notes"] = "",
        ["status"] = "succeeded",
        ["started"] = "2026-01-01T00:00:00+00:00",
        ["ended"] = "2026-01-01T00:00:01+00:00",
        ["yaml"] = $"name: {HostLab}\nnamespaces:\n  ns1: {{}}\n",
        ["entries"] = Array.Empty<object>(),
        ["captures"] = new object[]
        {
            new Dictionary<string, object?>
            {
                ["number"] = 1, ["element"] = element, ["interface"] = "br0", ["snapLength"] = 65535,
                ["started"] = "2026-01-01T00:00:00+00:00", ["ended"] = null, ["file"] = "captures/1.pcap", ["outgoing"] = Array.Empty<long>(),
            },
        },
    });

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, HttpContent content)
    {
        try
        {
            using var response = await up.Web.PostAsync(path, content, TestContext.Current.CancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        catch (HttpRequestException)
        {
            // The web answered from the length and closed before the body was sent: ask the same with bytes, which
            // reads the answer whatever happened to the rest of the request.
            var head = $"POST {path} HTTP/1.1\r\nHost: {new Uri(up.Url).Authority}\r\nContent-Type: {content.Headers.ContentType}\r\nContent-Length: {9 * 1024 * 1024}\r\nConnection: close\r\n\r\n";
            return await WebRaw.SendAsync(up.Url, head);
        }
    }

    /// <summary>
    /// The safe outcome around a web case: the store holds as many rows in every table, the kernel is as it was, and
    /// the agent and the web answer.
    /// </summary>
    private async Task HostileAsync(Func<Task> hostile)
    {
        up.Require();
        using var canaries = Canaries.Plant(up);
        var namespaces = up.Namespaces();
        var store = StoreSnapshot.Of(up.StoreFile);

        await hostile();

        var after = StoreSnapshot.Of(up.StoreFile);
        Assert.True(store.SameAs(after), $"the store changed: before {store}; after {after}");
        Assert.Equal(namespaces, up.Namespaces());
        canaries.AssertUntouched();
        await up.AssertAliveAsync();
    }
}
