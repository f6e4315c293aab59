using System.Net;
using System.Text;
using System.Text.Json;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Teaching;
using NetLab.HostileInput.Tests.Hosting;

namespace NetLab.HostileInput.Tests.Agent;

/// <summary>
/// Bad input at every route of the agent's API, over its Unix socket, against the agent `netlab up` runs as root. Each
/// case asserts the safe outcome: the right 4xx with an AgentError whose message says what was wrong, nothing changed
/// in the kernel (no namespace under the agent's prefix appears or goes, and the namespaces NetLab did not make, see
/// <see cref="Canaries"/>, keep their links), and the agent and the web still answer.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentApiHostileTests(NetlabUp up) : IClassFixture<NetlabUp>
{
    private const long BodyLimit = 8 * 1024 * 1024;

    public static TheoryData<string> LabRoutes() => new("/v1/validate", "/v1/plan", "/v1/apply");

    public static TheoryData<string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string>();
        string[] bodies = ["{", "{\"text\": ", "not json", "{\"text\": \"name: a\"} trailing", "{'text': 'name: a'}", "{\"text\": \"name: a\",}}", "\u0001\u0002", "{\"text\": \"\\uZZZZ\"}"];
        foreach (var route in new[] { "/v1/validate", "/v1/plan", "/v1/apply" })
        {
            foreach (var body in bodies)
            {
                data.Add(route, body);
            }
        }

        return data;
    }

    public static TheoryData<string, string> WrongTypes() => new()
    {
        { "{\"text\": 5}", "$.text" },
        { "{\"text\": true}", "$.text" },
        { "{\"text\": {\"name\": \"a\"}}", "$.text" },
        { "{\"text\": [\"name: a\"]}", "$.text" },
        { "{\"text\": \"name: a\", \"format\": 7}", "$.format" },
        { "{\"text\": \"name: a\", \"format\": [\"yaml\"]}", "$.format" },
        { "[]", "$" },
        { "\"name: a\"", "$" },
        { "42", "$" },
    };

    /// <summary>Every printable ASCII character that is not a letter or digit.</summary>
    public static TheoryData<char> SpecialCharacters() => new(Enumerable.Range(0x20, 0x7f - 0x20).Select(c => (char)c).Where(c => !char.IsAsciiLetterOrDigit(c)));

    /// <summary>Lab names as a hostile client puts them in a route (already percent-encoded where a URL needs it).</summary>
    public static TheoryData<string> NotLabNamesInRoutes() => new(
        "..", "...", "..%2F..%2Fetc", "a%2Fb", "%2Fetc%2Fpasswd", "victim.ns1", "a.b", "x%20y", "%24(reboot)", "%60id%60", "-rf", "%00", "%0A", new string('a', 33), "%2E%2E");

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public Task Malformed_JSON_is_a_400_that_says_what_to_send(string route, string body) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, route, AgentHttp.Json(body));

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{route} with {body}: {answer}");
        Assert.Equal(AgentErrorCodes.BadRequest, answer.Error.Code);
        Assert.Contains("{\"text\": \"<the lab file's text>\", \"format\": \"yaml\"}", answer.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public Task A_body_of_wrong_types_is_a_400_naming_where(string body, string where) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/plan", AgentHttp.Json(body));

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{body}: {answer}");
        Assert.Contains($"Path: {where} ", answer.Error.Message, StringComparison.Ordinal);
        Assert.Contains("not a lab document", answer.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("xml")]
    [InlineData("JSON5")]
    [InlineData("yaml\u0000")]
    [InlineData("../yaml")]
    public Task An_unknown_format_is_a_400_naming_the_two_there_are(string format) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/apply", AgentHttp.Document("name: fmt\nnamespaces:\n  ns1: {}\n", format));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("Unknown lab format", answer.Error.Message, StringComparison.Ordinal);
        Assert.Contains("send \"yaml\" or \"json\"", answer.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [MemberData(nameof(LabRoutes))]
    public Task A_body_over_8_MiB_with_its_length_is_a_413_naming_the_limit(string route) => HostileAsync(async () =>
    {
        var body = AgentJson.Serialize(new LabDocument("name: huge\n#" + new string('x', (int)BodyLimit)));

        // Raw: the agent answers from the length alone and closes, which HttpClient reports as a broken pipe.
        var answer = await up.Agent.RawAsync(AgentHttp.Request("POST", route, body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(AgentErrorCodes.TooLarge, answer.Error.Code);
        Assert.Contains($"at most {BodyLimit} bytes (8 MiB)", answer.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", answer.Error.Message, StringComparison.Ordinal);
    });

    [Fact]
    public Task A_chunked_body_without_a_length_is_stopped_at_8_MiB_with_a_413() => HostileAsync(async () =>
    {
        // 24 MiB of one JSON string, sent in chunks: valid as far as it goes, so only the limit can stop it.
        var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n{new string('x', 64 * 1024)}\r\n");
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes("POST /v1/apply HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nb\r\n{\"text\": \"x\r\n"));
        for (var sent = 0L; sent < 3 * BodyLimit; sent += 64 * 1024)
        {
            request.Write(chunk);
        }

        var answer = await up.Agent.RawAsync(request.ToArray());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Contains($"at most {BodyLimit} bytes", answer.Error.Message, StringComparison.Ordinal);
    });

    [Fact]
    public Task A_body_of_200000_nested_brackets_is_a_400_and_the_agent_lives() => HostileAsync(async () =>
    {
        foreach (var body in new[] { new string('[', 200_000), "{\"text\": \"name: a\", \"x\": " + new string('[', 200_000), "{\"text\": " + new string('{', 200_000) })
        {
            var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/validate", AgentHttp.Json(body));

            Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
            Assert.Contains("not a lab document", answer.Error.Message, StringComparison.Ordinal);
        }
    });

    /// <summary>Issue 12's second case: 200,000 nested '[' killed the agent (a stack overflow cannot be caught).</summary>
    [Theory]
    [InlineData("yaml flow sequences", "yaml", 0)]
    [InlineData("yaml flow mappings", "yaml", 1)]
    [InlineData("yaml block sequences", "yaml", 2)]
    [InlineData("yaml block mappings", "yaml", 3)]
    [InlineData("json arrays", "json", 0)]
    [InlineData("json objects (150,000)", "json", 4)]
    public Task A_lab_text_nested_200000_deep_is_a_422_naming_the_depth_limit_and_the_agent_lives(string what, string format, int shape) => HostileAsync(async () =>
    {
        var text = shape switch
        {
            0 => new string('[', 200_000),
            1 => string.Concat(Enumerable.Repeat("{a: ", 200_000)),
            2 => string.Concat(Enumerable.Range(0, 1000).Select(i => new string(' ', i) + "- \n")),
            3 => string.Concat(Enumerable.Range(0, 1000).Select(i => new string(' ', i) + "a:\n")),
            _ => string.Concat(Enumerable.Repeat("{\"a\": ", 150_000)), // 900 KB: under the size limit, so the depth is what is refused
        };

        foreach (var route in new[] { "/v1/validate", "/v1/plan", "/v1/apply" })
        {
            var answer = await up.Agent.SendAsync(HttpMethod.Post, route, AgentHttp.Document(text, format));

            Assert.True(answer.Status == HttpStatusCode.UnprocessableEntity, $"{what} to {route}: {answer}");
            Assert.Equal(AgentErrorCodes.InvalidLab, answer.Error.Code);
            Assert.Contains($"a lab file may nest at most {LabFormat.MaxNestingDepth} levels", Assert.Single(answer.Error.Problems!).Message, StringComparison.Ordinal);
        }
    });

    [Fact]
    public Task A_lab_text_over_1_MiB_is_a_422_naming_the_limit() => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/apply", AgentHttp.Document("name: big\n#" + new string('x', LabFormat.MaxDocumentBytes)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
        Assert.Contains($"a lab file may be at most {LabFormat.MaxDocumentBytes} bytes (1 MiB)", Assert.Single(answer.Error.Problems!).Message, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("billion laughs")]
    [InlineData("merge keys")]
    [InlineData("alias as a key")]
    [InlineData("recursive anchor")]
    public Task A_YAML_alias_bomb_is_a_422_at_its_first_alias(string what) => HostileAsync(async () =>
    {
        var text = what switch
        {
            "billion laughs" => "name: lol\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + string.Concat(Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n")),
            "merge keys" => "name: merge\nbase: &b { kind: bridge }\nnamespaces:\n  ns1:\n    interfaces:\n      br0: { <<: *b }\n",
            "alias as a key" => "name: key\n&k kind: bridge\n*k : veth\n",
            _ => "name: rec\nx: &x [*x]\n",
        };

        var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/apply", AgentHttp.Document(text));

        Assert.True(answer.Status == HttpStatusCode.UnprocessableEntity, $"{what}: {answer}");
        var problem = Assert.Single(answer.Error.Problems!);
        Assert.True(
            problem.Message.Contains("anchors and aliases (&name, *name) are not supported", StringComparison.Ordinal)
            || problem.Message.Contains("not valid YAML", StringComparison.Ordinal),
            $"{what}: {problem.Message}");
        Assert.NotNull(problem.Location);
    });

    /// <summary>
    /// Every printable special character in a lab's name, an element's name and an interface's name (a JSON lab text,
    /// so each arrives exactly as it is): '-' and '_' (and '.' in an interface name) are names, and then every word of the
    /// plan is one a shell takes literally; every other character is a 422 naming it, and as a lab name in a route a 400.
    /// </summary>
    [Theory]
    [MemberData(nameof(SpecialCharacters))]
    public Task Every_printable_special_character_in_a_name_is_refused_by_name_or_planned_as_literal_shell_words(char c) => HostileAsync(async () =>
    {
        var allowedInNames = c is '-' or '_';
        var cases = new (string What, string Lab, bool Allowed)[]
        {
            ("lab name", Lab($"x{c}y", "ns1", "br0"), allowedInNames),
            ("element name", Lab("chars", $"n{c}1", "br0"), allowedInNames),
            ("interface name", Lab("chars", "ns1", $"b{c}0"), allowedInNames || c == '.'),
        };

        foreach (var (what, lab, allowed) in cases)
        {
            var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/plan", AgentHttp.Document(lab, "json"));
            if (allowed)
            {
                Assert.True(answer.Status == HttpStatusCode.OK, $"'{c}' in the {what}: {answer}");
                var plan = JsonSerializer.Deserialize<PlanView>(answer.Body, AgentJson.Options)!;
                Assert.All(plan.Operations, o => Assert.True(o.Command.All(ch => ch == ' ' || ShellWords.IsLiteral(ch)), $"not literal shell words: {o.Command}"));
            }
            else
            {
                Assert.True(answer.Status == HttpStatusCode.UnprocessableEntity, $"'{c}' in the {what}: {answer}");
                Assert.Contains(answer.Error.Problems!, p => p.Message.Contains($"'{c}'", StringComparison.Ordinal));
            }
        }

        var route = await up.Agent.SendAsync(HttpMethod.Get, $"/v1/labs/{Uri.EscapeDataString($"x{c}y")}");
        Assert.True(route.Status == (allowedInNames ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest), $"GET /v1/labs/x{c}y: {route}");
        Assert.Contains(allowedInNames ? "holds no lab named" : "No lab can be named like that", route.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [MemberData(nameof(NotLabNamesInRoutes))]
    public Task A_name_no_lab_can_have_in_a_route_is_a_400_saying_what_a_lab_name_is(string name) => HostileAsync(async () =>
    {
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, $"/v1/labs/{name}", null),
            (HttpMethod.Post, $"/v1/labs/{name}/destroy", ""),
            (HttpMethod.Get, $"/v1/labs/{name}/events", null),
            (HttpMethod.Post, $"/v1/labs/{name}/probe", ""),
            (HttpMethod.Post, $"/v1/labs/{name}/captures", "{\"element\": \"ns1\", \"interface\": \"v0\"}"),
        };

        foreach (var (method, path, body) in requests)
        {
            var answer = await up.Agent.SendAsync(method, path, body is null ? null : AgentHttp.Json(body));

            // A name that is a whole path segment of its own ("..", "%2E%2E") is resolved away by HTTP before routing.
            if (answer.Status == HttpStatusCode.NotFound && answer.Error.Message.StartsWith("No route", StringComparison.Ordinal))
            {
                continue;
            }

            // Kestrel itself refuses a NUL in a path (400, no body) before any middleware of the agent sees the request.
            if (name == "%00" && answer.Status == HttpStatusCode.BadRequest && answer.Body.Length == 0)
            {
                continue;
            }

            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{method} {path}: {answer}");
            Assert.StartsWith("No lab can be named like that", answer.Error.Message, StringComparison.Ordinal);
        }
    });

    /// <summary>Issue 12's fourth case, through `up`: a namespace under a lab's name that NetLab did not make is left alone.</summary>
    [Fact]
    public Task A_destroy_of_a_lab_whose_namespace_someone_else_made_leaves_it_and_says_so() => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, $"/v1/labs/{Canaries.VictimLab}/destroy", AgentHttp.Json(""));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var result = JsonSerializer.Deserialize<ApplyStreamItem>(answer.Body.Trim().Split('\n')[^1], AgentJson.Options)!.Result!;
        Assert.Equal(0, result.Total);
        Assert.Contains(result.Warnings!, w => w.Contains($"{up.Kernel(Canaries.VictimLab, "ns1")} exists and was not made by NetLab", StringComparison.Ordinal));

        // An apply that would have to create it is refused before anything changes.
        var apply = await up.Agent.SendAsync(HttpMethod.Post, "/v1/apply", AgentHttp.Document($"name: {Canaries.VictimLab}\nnamespaces:\n  ns1: {{}}\n  ns2: {{}}\n"));
        Assert.Equal(HttpStatusCode.BadRequest, apply.Status);
        Assert.Contains("was not made by NetLab", apply.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", apply.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("GET /v1/../../../../etc/passwd")]
    [InlineData("GET /%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("GET /v1/labs/..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("POST /v1/labs/..%2F/destroy")]
    [InlineData("POST /v1/labs/victim/../../labs/victim.ns1/destroy")]
    [InlineData("GET //etc/passwd")]
    [InlineData("GET /v1/labs/%00/events")]
    [InlineData("GET http://agent/../../etc/passwd")]
    public Task A_path_with_dot_dot_never_leaves_the_API_and_changes_nothing(string line) => HostileAsync(async () =>
    {
        var (method, path) = (line.Split(' ')[0], line.Split(' ')[1]);

        var answer = await up.Agent.RawAsync(AgentHttp.Request(method, path, method == "POST" ? "" : null));

        Assert.True((int)answer.Status is >= 400 and < 500, $"{line}: {answer}");
        Assert.DoesNotContain("root:", answer.Body, StringComparison.Ordinal);
        if (answer.Status != HttpStatusCode.BadRequest || answer.Body.Length > 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(answer.Body), $"{line}: {(int)answer.Status} without a message");
        }
    });

    [Theory]
    [InlineData("GET", "/v1/apply", "POST")]
    [InlineData("GET", "/v1/validate", "POST")]
    [InlineData("PUT", "/v1/plan", "POST")]
    [InlineData("DELETE", "/v1/labs/victim", "GET")]
    [InlineData("GET", "/v1/labs/victim/destroy", "POST")]
    [InlineData("PUT", "/v1/labs/victim/destroy", "POST")]
    [InlineData("POST", "/v1/labs", "GET")]
    [InlineData("POST", "/v1/labs/victim/events", "GET")]
    [InlineData("GET", "/v1/labs/victim/captures", "POST")]
    [InlineData("DELETE", "/v1/labs/victim/probe", "POST")]
    [InlineData("POST", "/v1/doctor", "GET")]
    [InlineData("HEAD", "/v1/apply", "POST")]
    [InlineData("OPTIONS", "/v1/labs", "GET")]
    public Task A_wrong_method_is_a_405_naming_the_method_the_route_takes(string method, string path, string allowed) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(new HttpMethod(method), path);

        Assert.True(answer.Status == HttpStatusCode.MethodNotAllowed, $"{method} {path}: {answer}");
        Assert.Equal(allowed, answer.Allow);
        if (method != "HEAD")
        {
            Assert.Equal(AgentErrorCodes.MethodNotAllowed, answer.Error.Code);
            Assert.Contains($"takes {allowed}, not {method}", answer.Error.Message, StringComparison.Ordinal);
        }
    });

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/jsonp")]
    [InlineData("")]
    [InlineData("*/*")]
    public Task A_post_that_is_not_JSON_is_a_415_before_any_endpoint_runs(string contentType) => HostileAsync(async () =>
    {
        var body = AgentJson.Serialize(new LabDocument($"name: {Canaries.VictimLab}\nnamespaces:\n  ns2: {{}}\n"));
        foreach (var path in new[] { "/v1/apply", $"/v1/labs/{Canaries.VictimLab}/destroy", "/v1/plan" })
        {
            var answer = await up.Agent.RawAsync(AgentHttp.Request("POST", path, body, contentType.Length == 0 ? null : contentType));

            Assert.True(answer.Status == HttpStatusCode.UnsupportedMediaType, $"{contentType} to {path}: {answer}");
            Assert.Equal(AgentErrorCodes.UnsupportedMediaType, answer.Error.Code);
            Assert.Contains("takes only Content-Type: application/json", answer.Error.Message, StringComparison.Ordinal);
        }
    });

    [Theory]
    [InlineData("/")]
    [InlineData("/v2/labs")]
    [InlineData("/v1")]
    [InlineData("/v1/labs/victim/destroy/now")]
    [InlineData("/v1/labs/victim/state")]
    [InlineData("/index.html")]
    [InlineData("/v1/LABS/x/y/z")]
    public Task An_unknown_route_is_a_404_listing_the_routes(string path) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Get, path);

        Assert.True(answer.Status == HttpStatusCode.NotFound, $"{path}: {answer}");
        Assert.Contains("The API is under /v1", answer.Error.Message, StringComparison.Ordinal);
        Assert.Contains("POST /v1/apply", answer.Error.Message, StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("{\"timeoutMilliseconds\": \"soon\"}", "not a probe request")]
    [InlineData("{\"timeoutMilliseconds\": 0}", "out of range")]
    [InlineData("{\"timeoutMilliseconds\": -1}", "out of range")]
    [InlineData("{\"timeoutMilliseconds\": 86400000}", "out of range")]
    [InlineData("{\"timeoutMilliseconds\": 1e400}", "not a probe request")]
    [InlineData("[", "not a probe request")]
    public Task A_bad_probe_request_is_a_400_and_nothing_is_pinged(string body, string message) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, $"/v1/labs/{Canaries.VictimLab}/probe", AgentHttp.Json(body));

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{body}: {answer}");
        Assert.Contains(message, answer.Error.Message, StringComparison.Ordinal);
    });

    /// <summary>Paths inside a lab text: a parent, a peer or a switch named with '..' or '/' is a problem, not a path.</summary>
    [Theory]
    [InlineData("namespaces:\n  ns1:\n    interfaces:\n      m0: { kind: macvlan, mode: bridge, parent: ../h1/eth0 }\n")]
    [InlineData("namespaces:\n  ns1:\n    interfaces:\n      m0: { kind: macvlan, mode: bridge, parent: ns1/../../eth0 }\n")]
    [InlineData("namespaces:\n  ns1:\n    interfaces:\n      a: { kind: veth, peer: ns2/../ns1/b }\n  ns2: {}\n")]
    [InlineData("namespaces:\n  ns1:\n    interfaces:\n      m0: { kind: macvlan, mode: bridge, parent: /sys/class/net/eth0 }\n")]
    [InlineData("hosts:\n  h1:\n    nics:\n      eth0: { switch: ../sw1, port: p1 }\n")]
    [InlineData("namespaces:\n  ../ns1: {}\n")]
    [InlineData("namespaces:\n  ns1:\n    interfaces:\n      ../eth0: { kind: bridge }\n")]
    public Task A_lab_that_names_paths_with_dot_dot_is_a_422(string body) => HostileAsync(async () =>
    {
        var answer = await up.Agent.SendAsync(HttpMethod.Post, "/v1/apply", AgentHttp.Document("name: paths\n" + body));

        Assert.True(answer.Status == HttpStatusCode.UnprocessableEntity, answer.ToString());
        Assert.All(answer.Error.Problems!, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    });

    /// <summary>
    /// Floods of the long-lived requests, on a lab this case applies (legitimately: the only namespace it makes, under
    /// the agent's prefix, and destroyed at the end): event streams up to the agent's limit, then 429; captures up to
    /// the lab's limit, then 429; each slot comes back when its client leaves, and the agent's descriptors with it.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task Floods_of_event_streams_and_captures_get_429_busy_beyond_the_limits_and_give_everything_back()
    {
        up.Require();
        using var canaries = Canaries.Plant(up);
        const string lab = "flood";
        var cancel = TestContext.Current.CancellationToken;
        var descriptorsBefore = Descriptors(up.LauncherPid);
        try
        {
            var applied = await LastAsync(up.Client.ApplyAsync(new LabDocument($"name: {lab}\nnamespaces:\n  ns1:\n    interfaces:\n      br0: {{ kind: bridge }}\n"), cancel));
            Assert.True(applied.Result!.Succeeded, applied.Result.Failure?.Message);
            Assert.Equal([up.Kernel(lab, "ns1")], up.Namespaces().Where(n => n != canaries.UnderPrefix));

            // Event streams: the agent serves 64 at once (AgentOptions.MaxEventStreams).
            var streams = new List<HttpResponseMessage>();
            try
            {
                for (var i = 0; i < 64; i++)
                {
                    var stream = await up.Agent.OpenStreamAsync(HttpMethod.Get, $"/v1/labs/{lab}/events", null, cancel);
                    streams.Add(stream);
                    Assert.True(stream.StatusCode == HttpStatusCode.OK, $"event stream {i + 1}: {(int)stream.StatusCode}");
                }

                var refused = await up.Agent.SendAsync(HttpMethod.Get, $"/v1/labs/{lab}/events");
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
                Assert.Equal(AgentErrorCodes.Busy, refused.Error.Code);
                Assert.Contains("64 event streams, its limit", refused.Error.Message, StringComparison.Ordinal);

                streams[0].Dispose();
                streams.RemoveAt(0);
                var again = await EventuallyAsync(async () =>
                {
                    var stream = await up.Agent.OpenStreamAsync(HttpMethod.Get, $"/v1/labs/{lab}/events", null, cancel);
                    if (stream.StatusCode == HttpStatusCode.OK)
                    {
                        return stream;
                    }

                    stream.Dispose();
                    return null;
                });
                streams.Add(again);
            }
            finally
            {
                streams.ForEach(s => s.Dispose());
            }

            // Captures: 4 per lab (AgentOptions.MaxCapturesPerLab), each a thread and a packet socket.
            var captures = new List<HttpResponseMessage>();
            var request = "{\"element\": \"ns1\", \"interface\": \"br0\"}";
            try
            {
                for (var i = 0; i < 4; i++)
                {
                    var capture = await up.Agent.OpenStreamAsync(HttpMethod.Post, $"/v1/labs/{lab}/captures", AgentHttp.Json(request), cancel);
                    captures.Add(capture);
                    if (capture.StatusCode != HttpStatusCode.OK)
                    {
                        // Read only when refused: a running capture's body never ends.
                        Assert.Fail($"capture {i + 1}: {(int)capture.StatusCode} {await capture.Content.ReadAsStringAsync(cancel)}");
                    }
                }

                var refused = await up.Agent.SendAsync(HttpMethod.Post, $"/v1/labs/{lab}/captures", AgentHttp.Json(request));
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
                Assert.Contains($"Lab '{lab}' has 4 captures running, the limit per lab", refused.Error.Message, StringComparison.Ordinal);
            }
            finally
            {
                captures.ForEach(c => c.Dispose());
            }

            var fresh = await EventuallyAsync(async () =>
            {
                var capture = await up.Agent.OpenStreamAsync(HttpMethod.Post, $"/v1/labs/{lab}/captures", AgentHttp.Json(request), cancel);
                if (capture.StatusCode == HttpStatusCode.OK)
                {
                    return capture;
                }

                capture.Dispose();
                return null;
            });
            fresh.Dispose();

            // A capture on what is not the lab's: the machine's interfaces, another element, a path.
            foreach (var other in new[] { "{\"element\": \"ns1\", \"interface\": \"eth0\"}", "{\"element\": \"../ns1\", \"interface\": \"br0\"}", "{\"element\": \"ns1\", \"interface\": \"../../eth0\"}", "{\"element\": \"ns1\", \"interface\": \"br0\", \"snapLength\": -1}", "{\"element\": 5}" })
            {
                var answer = await up.Agent.SendAsync(HttpMethod.Post, $"/v1/labs/{lab}/captures", AgentHttp.Json(other));
                Assert.True(answer.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{other}: {answer}");
                Assert.False(string.IsNullOrWhiteSpace(answer.Error.Message));
            }
        }
        finally
        {
            var destroyed = await LastAsync(up.Client.DestroyAsync(lab, CancellationToken.None));
            Assert.True(destroyed.Result!.Succeeded, destroyed.Result.Failure?.Message);
        }

        Assert.Equal([canaries.UnderPrefix], up.Namespaces());
        canaries.AssertUntouched();
        await up.AssertAliveAsync();

        // Nothing a stream or a capture opened is left: the agent's descriptors come back to about where they were
        // (a few for pooled connections and caches may come and go; 64 streams and 5 captures are far more).
        var descriptorsAfter = await EventuallyValueAsync(() => Task.FromResult(Descriptors(up.LauncherPid) is var n && n <= descriptorsBefore + 16 ? (int?)n : null), TimeSpan.FromSeconds(20));
        TestContext.Current.SendDiagnosticMessage($"agent descriptors: {descriptorsBefore} before the floods, {descriptorsAfter} after");
    }

    /// <summary>A lab as JSON text with one namespace holding one bridge, with the names given.</summary>
    private static string Lab(string name, string element, string bridge) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = name,
            ["namespaces"] = new Dictionary<string, object> { [element] = new Dictionary<string, object> { ["interfaces"] = new Dictionary<string, object> { [bridge] = new Dictionary<string, string> { ["kind"] = "bridge" } } } },
        });

    /// <summary>
    /// The safe outcome around a case: canaries planted first; afterwards the namespaces under the prefix are what they
    /// were, the canaries untouched, and the agent and the web answer.
    /// </summary>
    private async Task HostileAsync(Func<Task> hostile)
    {
        up.Require();
        using var canaries = Canaries.Plant(up);
        var before = up.Namespaces();

        await hostile();

        Assert.Equal(before, up.Namespaces());
        canaries.AssertUntouched();
        await up.AssertAliveAsync();
    }

    private static int Descriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static async Task<ApplyStreamItem> LastAsync(IAsyncEnumerable<ApplyStreamItem> items)
    {
        ApplyStreamItem? last = null;
        await foreach (var item in items)
        {
            last = item;
        }

        return last ?? throw new InvalidOperationException("the stream was empty");
    }

    /// <summary>Asks until <paramref name="attempt"/> gives something (a slot comes back once the agent sees its client leave).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> attempt, TimeSpan? patience = null)
        where T : class
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            Assert.True(clock.Elapsed < (patience ?? TimeSpan.FromSeconds(10)), "what was let go did not come back in time");
            await Task.Delay(100);
        }
    }

    private static async Task<T> EventuallyValueAsync<T>(Func<Task<T?>> attempt, TimeSpan? patience = null)
        where T : struct
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            Assert.True(clock.Elapsed < (patience ?? TimeSpan.FromSeconds(10)), "what was let go did not come back in time");
            await Task.Delay(100);
        }
    }
}
