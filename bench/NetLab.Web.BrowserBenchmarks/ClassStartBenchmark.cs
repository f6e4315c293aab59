using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using NetLab.Web.BrowserTests;

namespace NetLab.Web.BrowserBenchmarks;

/// <summary>
/// Issue 13 section 7, the class start through the web's JSON API (`netlab-browser-bench class`): the real web (a child
/// process) and the real agent; an instructor imports a roster of S students (60), publishes a lab of N namespaces (6)
/// with checks generated from its predictions, every student signs in for a token and opens a copy; then all students
/// apply at one moment, each over their own connection. Measured in the same run: the class (until all applied,
/// per-student p50/p95), the same copies applied one after another, one lab of S x N namespaces applied alone by the
/// instructor (Core's per-lab limit is 256, so the largest lab it takes, scaled per namespace), the overview's latency
/// (from a student's apply answer until the instructor's overview shows it applied, polled every 50 ms during the
/// start) and the web's memory per connected student (its resident set before and after every student's hub watches
/// their lab). The web's quotas are raised so the instructor's big lab and the sign-ins are admitted, nothing else.
/// </summary>
internal static class ClassStartBenchmark
{
    private const string Usage = "usage: netlab-browser-bench class [--students 60] [--namespaces 6]";
    private const int LargestLab = 256;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(string[] args)
    {
        var students = 60;
        var namespaces = 6;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--students" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 1000:
                    students = s;
                    i++;
                    break;
                case "--namespaces" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n is >= 3 and <= 24:
                    namespaces = n;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
        }

        if (!Environment.IsPrivilegedProcess)
        {
            await Console.Error.WriteLineAsync("netlab-browser-bench class must run as root: the agent creates namespaces (try sudo).");
            return 2;
        }

        var cancel = CancellationToken.None;
        await using var agent = await InProcessAgent.StartAsync(cancel, "nlbench-c");
        await using var web = await WebProcess.StartAsync(agent.SocketPath, cancel,
        [
            // The instructor's reference lab is bigger than an instructor's default room, and 1 + S sign-ins come from
            // one loopback address within a minute; nothing else differs from the defaults.
            $"--Quotas:Instructor:NamespacesApplied={LargestLab + 10}",
            $"--Web:SignInAttemptsPerMinute={Math.Max(60, 4 * students)}",
        ]);
        using var http = new HttpClient { BaseAddress = new Uri(web.Url), Timeout = TimeSpan.FromMinutes(5) };
        try
        {
            var teacher = await TokenAsync(http, WebProcess.UserName, WebProcess.Password);
            Progress($"setting up a class of {students} students, {namespaces} namespaces each");
            var course = await SendAsync(http, teacher, HttpMethod.Post, "/api/courses", JsonContent.Create(new { name = "Class start" }));
            var roster = new StringBuilder("username\n");
            for (var s = 1; s <= students; s++)
            {
                roster.Append(CultureInfo.InvariantCulture, $"student{s:000}\n");
            }

            var imported = await SendAsync(http, teacher, HttpMethod.Post, $"/api/courses/{Id(course)}/roster", new StringContent(roster.ToString(), Encoding.UTF8, "text/csv"));
            var accounts = imported["entries"]!.AsArray().Select(e => (Name: (string)e!["userName"]!, Password: (string)e["oneTimePassword"]!)).ToList();
            var assignment = await SendAsync(http, teacher, HttpMethod.Post, $"/api/courses/{Id(course)}/assignments", JsonContent.Create(new
            {
                title = "Class start",
                yaml = BenchLab.ScaleLabYaml("classlab", namespaces - 2, loopbackUp: true),
                generateChecks = true,
            }));
            var assignmentId = Id(assignment);
            var tokens = new List<string>();
            foreach (var account in accounts)
            {
                tokens.Add(await TokenAsync(http, account.Name, account.Password));
            }

            var copies = await Task.WhenAll(tokens.Select(async token =>
            {
                var lab = await SendAsync(http, token, HttpMethod.Post, $"/api/assignments/{assignmentId}/copy", null);
                return (Token: token, Lab: Id(lab), KernelName: (string)lab["kernelName"]!);
            }));

            // Warm-up, not counted: one student's copy applied and destroyed (JIT, connections, the agent's first lab).
            await ApplyAsync(http, copies[0].Token, copies[0].Lab);
            await DestroyAsync(http, copies[0].Token, copies[0].Lab);

            // 1. The class at once, with the instructor's overview polled throughout.
            Progress("the class applies at once");
            var clock = Stopwatch.StartNew();
            var answered = new double[copies.Length];
            var seen = new double[copies.Length];
            Array.Fill(seen, double.NaN);
            var overviewTimes = new List<double>();
            using var stopPolling = new CancellationTokenSource();
            var polling = PollOverviewAsync(http, teacher, assignmentId, copies.Select(c => c.Lab).ToArray(), clock, seen, overviewTimes, stopPolling.Token);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var applies = copies.Select(async (copy, index) =>
            {
                await start.Task;
                var began = clock.Elapsed.TotalMilliseconds;
                await ApplyAsync(http, copy.Token, copy.Lab);
                answered[index] = clock.Elapsed.TotalMilliseconds;
                return answered[index] - began;
            }).ToArray();
            var released = clock.Elapsed.TotalMilliseconds;
            start.SetResult();
            var perStudent = (await Task.WhenAll(applies)).ToList();
            var classMs = clock.Elapsed.TotalMilliseconds - released;
            await WaitUntilAsync(() => seen.All(s => !double.IsNaN(s)), TimeSpan.FromSeconds(30));
            await stopPolling.CancelAsync();
            await polling;
            var held = agent.Namespaces().Count;
            if (held != students * namespaces)
            {
                throw new InvalidOperationException($"the kernel holds {held} namespaces of the class, not {students * namespaces}");
            }

            var overviewLatency = seen.Select((s, i) => Math.Max(0, s - answered[i])).ToList();

            // 1b. The whole class checked at once: every student's Check my work (a connectivity check and the kernel's
            // state, graded against the generated checks) at one moment; the agent's probe waves share the neighbour table.
            Progress("every student checks their work at once");
            var checkClock = Stopwatch.StartNew();
            var grades = await Task.WhenAll(copies.Select(async copy =>
            {
                var began = checkClock.Elapsed.TotalMilliseconds;
                var grade = await SendAsync(http, copy.Token, HttpMethod.Post, $"/api/labs/{copy.Lab}/check", null);
                return (Milliseconds: checkClock.Elapsed.TotalMilliseconds - began, Passed: grade["passed"]!.GetValue<int>(), Total: grade["total"]!.GetValue<int>());
            }));
            var classCheckMs = checkClock.Elapsed.TotalMilliseconds;
            var oneCheckClock = Stopwatch.StartNew();
            var alone = await SendAsync(http, copies[0].Token, HttpMethod.Post, $"/api/labs/{copies[0].Lab}/check", null);
            var oneCheckMs = oneCheckClock.Elapsed.TotalMilliseconds;
            var outcomes = grades.Select(g => $"{g.Passed} of {g.Total}").Append($"{alone["passed"]} of {alone["total"]}").Distinct().ToList();

            // 2. Memory per connected student: every student's hub watches their own applied lab.
            Progress("every student watches their lab");
            var before = ResidentBytes(web.ProcessId);
            var watches = new List<(HubConnection Connection, CancellationTokenSource Stop, Task Reading)>();
            foreach (var copy in copies)
            {
                watches.Add(await WatchAsync(web.Url, copy.Token, copy.KernelName));
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            var after = ResidentBytes(web.ProcessId);
            foreach (var (connection, stop, reading) in watches)
            {
                await stop.CancelAsync();
                await reading;
                await connection.DisposeAsync();
                stop.Dispose();
            }

            Progress("the class destroys at once");
            var destroyClock = Stopwatch.StartNew();
            await Task.WhenAll(copies.Select(c => DestroyAsync(http, c.Token, c.Lab)));
            var destroyMs = destroyClock.Elapsed.TotalMilliseconds;

            // 3. Baseline: the same copies one after another.
            Progress("the same labs one after another");
            var sequentialClock = Stopwatch.StartNew();
            foreach (var copy in copies)
            {
                await ApplyAsync(http, copy.Token, copy.Lab);
            }

            var sequentialMs = sequentialClock.Elapsed.TotalMilliseconds;
            foreach (var copy in copies)
            {
                await DestroyAsync(http, copy.Token, copy.Lab);
            }

            // 4. Baseline: the largest lab alone, applied by the instructor through the same API.
            Progress($"one lab of {LargestLab} namespaces alone");
            var big = await SendAsync(http, teacher, HttpMethod.Post, "/api/labs", JsonContent.Create(new { yaml = BenchLab.ScaleLabYaml("biglab", LargestLab - 2, loopbackUp: true) }));
            var bigClock = Stopwatch.StartNew();
            await ApplyAsync(http, teacher, Id(big));
            var bigMs = bigClock.Elapsed.TotalMilliseconds;
            await DestroyAsync(http, teacher, Id(big));
            var bigScaled = bigMs * students * namespaces / LargestLab;

            Report(students, namespaces, classMs, perStudent, sequentialMs, bigMs, bigScaled, overviewLatency, overviewTimes, destroyMs, before, after);
            Console.WriteLine($"  the class checked at once (Check my work): {classCheckMs / 1000:0.00} s, per student p50 / p95 " +
                $"{BenchLab.Percentile([.. grades.Select(g => g.Milliseconds)], 50) / 1000:0.00} / {BenchLab.Percentile([.. grades.Select(g => g.Milliseconds)], 95) / 1000:0.00} s; " +
                $"one student alone {oneCheckMs / 1000:0.00} s; grades: {string.Join(", ", outcomes)}");
            if (outcomes.Count != 1)
            {
                await Console.Error.WriteLineAsync("the class's grades differ: a check failed under load that passes alone");
                return 1;
            }
            return agent.Namespaces().Count == 0 ? 0 : 1;
        }
        catch (Exception error)
        {
            await Console.Error.WriteLineAsync($"netlab-browser-bench class failed: {error}");
            return 1;
        }
    }

    private static void Progress(string what) => Console.Error.WriteLine($"== {what}");

    private static async Task PollOverviewAsync(HttpClient http, string teacher, long assignment, long[] labs, Stopwatch clock, double[] seen, List<double> requestTimes, CancellationToken stop)
    {
        var index = labs.Select((lab, i) => (lab, i)).ToDictionary(p => p.lab, p => p.i);
        while (!stop.IsCancellationRequested)
        {
            var began = clock.Elapsed.TotalMilliseconds;
            var rows = await SendAsync(http, teacher, HttpMethod.Get, $"/api/assignments/{assignment}/overview", null);
            var at = clock.Elapsed.TotalMilliseconds;
            requestTimes.Add(at - began);
            foreach (var row in rows.AsArray())
            {
                if (row!["labId"]?.GetValue<long>() is { } lab && index.TryGetValue(lab, out var i) && row["appliedRevision"] is not null && double.IsNaN(seen[i]))
                {
                    seen[i] = at;
                }
            }

            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<(HubConnection, CancellationTokenSource, Task)> WatchAsync(string url, string token, string kernelName)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"{url}/hubs/labs", options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await connection.StartAsync();
        var stop = new CancellationTokenSource();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in connection.StreamAsync<JsonElement>("Watch", kernelName, stop.Token))
                {
                    first.TrySetResult();
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped by the benchmark.
            }
        });
        await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (connection, stop, reading);
    }

    private static async Task<string> TokenAsync(HttpClient http, string user, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { user, password });
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? (string)JsonNode.Parse(body)!["accessToken"]!
            : throw new InvalidOperationException($"token for {user}: {(int)response.StatusCode} {body}");
    }

    private static async Task ApplyAsync(HttpClient http, string token, long lab)
    {
        var applied = await SendAsync(http, token, HttpMethod.Post, $"/api/labs/{lab}/apply", null);
        if (applied["result"]?["succeeded"]?.GetValue<bool>() != true)
        {
            throw new InvalidOperationException($"lab {lab} did not apply: {applied.ToJsonString()}");
        }
    }

    private static Task DestroyAsync(HttpClient http, string token, long lab) =>
        SendAsync(http, token, HttpMethod.Post, $"/api/labs/{lab}/destroy", null);

    private static async Task<JsonNode> SendAsync(HttpClient http, string token, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(body.Length == 0 ? "{}" : body)!
            : throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
    }

    private static long Id(JsonNode node) => node["id"]!.GetValue<long>();

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException("the overview did not show every student's lab applied");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>VmRSS of a process, from /proc (bytes).</summary>
    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static void Report(int students, int namespaces, double classMs, List<double> perStudent, double sequentialMs, double bigMs, double bigScaled,
        List<double> overviewLatency, List<double> overviewRequests, double destroyMs, long rssBefore, long rssAfter)
    {
        var p95 = BenchLab.Percentile(perStudent, 95);
        var perStudentMemory = (rssAfter - rssBefore) / (double)students;
        string[] lines =
        [
            $"class start through the web's API: {students} students x {namespaces} namespaces = {students * namespaces}",
            $"  class at once, until all applied:      {classMs / 1000:0.00} s",
            $"  per-student apply p50 / p95 / max:     {BenchLab.Percentile(perStudent, 50) / 1000:0.00} / {p95 / 1000:0.00} / {perStudent.Max() / 1000:0.00} s   target p95 <= 2 s: {(p95 <= 2000 ? "met" : "NOT met")}",
            $"  the same labs one after another:       {sequentialMs / 1000:0.00} s (class {classMs / sequentialMs:0.00}x of it)",
            $"  one lab of {LargestLab} namespaces alone:      {bigMs / 1000:0.00} s, scaled to {students * namespaces}: {bigScaled / 1000:0.00} s (class {classMs / bigScaled:0.00}x of it; target <= 2x: {(classMs <= 2 * bigScaled ? "met" : "NOT met")})",
            $"  overview shows an apply, after its answer, p50 / p95: {BenchLab.Percentile(overviewLatency, 50):0} / {BenchLab.Percentile(overviewLatency, 95):0} ms (polled every 50 ms; {overviewRequests.Count} overview reads, p95 {BenchLab.Percentile(overviewRequests, 95):0} ms each)",
            $"  web memory per connected student (hub watching their lab): {perStudentMemory / 1024:0} KiB ({rssBefore / 1048576.0:0} -> {rssAfter / 1048576.0:0} MiB resident)",
            $"  the class destroyed at once:           {destroyMs / 1000:0.00} s",
        ];
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
    }
}
