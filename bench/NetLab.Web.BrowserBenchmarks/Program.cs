using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Netlink;
using NetLab;
using NetLab.Web.BrowserTests;

// Issue 4's live-state target: kernel event to DOM, p95 under 200 ms, measured with the real agent, the real web and
// Chromium; against a baseline measured in the same run (the agent's event stream to a client without the browser).
// Also the canvas at scale: a full drawing of a 200-namespace lab against one drag frame.
// Changes made first and not counted: the first ones pay for JIT and connection set-up in every process.
if (args is ["class", .. var classArguments])
{
    return await NetLab.Web.BrowserBenchmarks.ClassStartBenchmark.RunAsync(classArguments);
}

const int WarmUp = 6;
var iterations = 100;
var scale = 200;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-n" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 1:
            iterations = n;
            i++;
            break;
        case "--namespaces" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0:
            scale = s;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: netlab-browser-bench [-n CHANGES] [--namespaces N] | netlab-browser-bench class [--students 60] [--namespaces 6]");
            return 2;
    }
}

if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("netlab-browser-bench must run as root: the agent creates namespaces and the benchmark changes links (try sudo).");
    return 2;
}

if (!File.Exists(BrowserSession.ChromiumPath))
{
    Console.Error.WriteLine($"netlab-browser-bench needs Debian's Chromium at {BrowserSession.ChromiumPath} (apt-get install chromium).");
    return 2;
}

const string LabName = "macvlan-bridge";
var labYaml = RepositoryFiles.Lab("macvlan-bridge.yaml");
await using var session = await BrowserSession.StartAsync(1600, 1100, TimeSpan.FromSeconds(30), "nlbench-w", CancellationToken.None);
var (agent, web, page) = (session.Agent, session.Web, session.Page);
var client = new AgentClient(agent.SocketPath);
try
{
    // The web names the lab in the kernel (name and a per-lab id) and the agent serves it to its owner, so the lab is
    // imported and applied through the page, as a user does; the agent's client (the administrator) then finds it.
    await OpenImportedLabAsync(page, web.Url, labYaml, LabName);
    await ApplyFromThePageAsync(page);
    var kernelLab = agent.KernelLab(LabName);
    using var link = NetlinkHandle.ForNamed(agent.Kernel(LabName, "ns2"));
    var index = link.LinkByName("macvlan2")?.Index ?? throw new InvalidOperationException("macvlan2 is missing after apply");

    // Baseline: the same changes seen by a client of the agent's event stream, no web and no browser.
    var netlinkRoundTrips = new List<double>();
    var streamLatencies = await MeasureAgentStreamAsync(client, kernelLab, link, index, iterations, netlinkRoundTrips);

    var (canvasLatencies, tableLatencies) = await MeasureBrowserAsync(page, link, index, iterations);
    var canvasScale = await MeasureCanvasAsync(page, web.Url, scale);

    await agent.DestroyAsync(LabName);

    Report(iterations, canvasLatencies, tableLatencies, streamLatencies, netlinkRoundTrips, scale, canvasScale);
    return agent.Namespaces().Count == 0 ? 0 : 1;
}
catch (Exception error)
{
    Console.Error.WriteLine($"netlab-browser-bench failed: {error}");
    return 1;
}

static double NowMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

// Sets macvlan2 down, then up, alternately; returns the wall-clock time just after the kernel acknowledged.
static (double AckedAt, string Expected) Flip(NetlinkHandle link, int index, int iteration, List<double> roundTrips)
{
    var down = (iteration & 1) == 0;
    var watch = Stopwatch.StartNew();
    if (down)
    {
        link.LinkSetDown(index);
    }
    else
    {
        link.LinkSetUp(index);
    }

    var acked = NowMs();
    if (iteration >= 0)
    {
        roundTrips.Add(watch.Elapsed.TotalMilliseconds);
    }
    return (acked, down ? "down" : "up");
}

// A pause of 100-200 ms between changes, so that each one starts from an idle pipeline (no throttle window already
// open) and the figures are those of a single change, the dashboard's ordinary case.
static Task PauseAsync(Random random) => Task.Delay(100 + random.Next(100));

static async Task<List<double>> MeasureAgentStreamAsync(AgentClient client, string kernelLab, NetlinkHandle link, int index, int iterations, List<double> roundTrips)
{
    using var stop = new CancellationTokenSource();
    var seen = System.Threading.Channels.Channel.CreateUnbounded<(string State, double At)>();
    var snapshots = 0;
    var watcher = Task.Run(async () =>
    {
        try
        {
            await foreach (var change in client.EventsAsync(kernelLab, stop.Token))
            {
                var at = NowMs();
                if (change.Kind == LabEventKind.Snapshot)
                {
                    Interlocked.Increment(ref snapshots);
                }
                else if (change is { Kind: LabEventKind.InterfaceChanged, Element: "ns2", Interface.Name: "macvlan2" })
                {
                    seen.Writer.TryWrite((change.Interface.OperState, at));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped after the last change.
        }
    });
    while (Volatile.Read(ref snapshots) < 4)
    {
        await Task.Delay(20);
    }

    var random = new Random(1);
    var latencies = new List<double>();
    for (var i = -WarmUp; i < iterations; i++)
    {
        var (acked, expected) = Flip(link, index, i, roundTrips);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var (state, at) = await seen.Reader.ReadAsync(timeout.Token);
            if (state == expected)
            {
                if (i >= 0)
                {
                    latencies.Add(at - acked);
                }

                break;
            }
        }

        await PauseAsync(random);
    }

    await stop.CancelAsync();
    await watcher;
    return latencies;
}

static async Task OpenImportedLabAsync(IPage page, string url, string yaml, string name)
{
    await page.GotoAsync(url);
    await page.GetByTestId("interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    await page.Locator(".labs-import").ClickAsync();
    await page.Locator(".import-yaml textarea").FillAsync(yaml);
    await page.Locator(".import-submit").ClickAsync();
    try
    {
        await page.Locator($"tr.lab-row[data-lab='{name}']").GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
    }
    catch (TimeoutException)
    {
        var screenshot = Path.Combine(Path.GetTempPath(), $"netlab-browser-bench-import-{name}.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        throw new InvalidOperationException($"the import of {name} did not show the lab; the page is in {screenshot}");
    }
    await page.WaitForURLAsync(new Regex(@"/labs/\d+$"));
    await page.GetByTestId("interactive").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}

static async Task ApplyFromThePageAsync(IPage page)
{
    await page.Locator(".lab-apply").ClickAsync();
    await page.Locator(".apply-run:not([disabled])").ClickAsync();
    await page.Locator(".apply-succeeded").WaitForAsync(new() { Timeout = 60_000 });
    await page.Locator(".apply-close").ClickAsync();
}

static async Task<(List<double> Canvas, List<double> Table)> MeasureBrowserAsync(IPage page, NetlinkHandle link, int index, int iterations)
{
    await page.Locator(".topo-surface g.topo-item[data-id='ns2/macvlan2'][data-operstate='up']").WaitForAsync();
    await page.Locator(".live-namespace[data-element='ns2'] tr.live-interface[data-interface='macvlan2'] .live-state").WaitForAsync();

    // The page records when the DOM shows each change: wall-clock time as performance.timeOrigin + performance.now().
    await page.EvaluateAsync("""
        () => {
            window.__netlabChanges = [];
            const now = () => performance.timeOrigin + performance.now();
            const surface = document.querySelector('.topo-surface');
            new MutationObserver(mutations => {
                const at = now();
                for (const m of mutations) {
                    if (m.target.dataset?.id === 'ns2/macvlan2') {
                        window.__netlabChanges.push({ where: 'canvas', state: m.target.getAttribute('data-operstate'), at });
                    }
                }
            }).observe(surface, { subtree: true, attributes: true, attributeFilter: ['data-operstate'] });
            const table = document.querySelector('.live-interfaces');
            let last = null;
            new MutationObserver(() => {
                const chip = table.querySelector(".live-namespace[data-element='ns2'] tr.live-interface[data-interface='macvlan2'] .live-state");
                const state = chip ? (chip.className.match(/live-state-(\w+)/) ?? [])[1] : null;
                if (state && state !== last) {
                    last = state;
                    window.__netlabChanges.push({ where: 'table', state, at: now() });
                }
            }).observe(table, { subtree: true, childList: true, attributes: true, characterData: true });
        }
        """);

    var random = new Random(2);
    var canvas = new List<double>();
    var table = new List<double>();
    var roundTrips = new List<double>();
    for (var i = -WarmUp; i < iterations; i++)
    {
        await page.EvaluateAsync("() => { window.__netlabChanges = []; }");
        var (acked, expected) = Flip(link, index, i, roundTrips);
        await page.WaitForFunctionAsync(
            "s => ['canvas', 'table'].every(w => window.__netlabChanges.some(c => c.where === w && c.state === s))", expected,
            new() { Timeout = 5000, PollingInterval = 20 });
        var changes = await page.EvaluateAsync<JsonElement>("() => window.__netlabChanges");
        double At(string where) => changes.EnumerateArray()
            .First(c => c.GetProperty("where").GetString() == where && c.GetProperty("state").GetString() == expected)
            .GetProperty("at").GetDouble();
        if (i >= 0)
        {
            canvas.Add(At("canvas") - acked);
            table.Add(At("table") - acked);
        }

        await PauseAsync(random);
    }

    return (canvas, table);
}

static async Task<CanvasScale> MeasureCanvasAsync(IPage page, string url, int namespaces)
{
    var name = $"scale-{namespaces}";
    await OpenImportedLabAsync(page, url, NetLab.Web.BrowserBenchmarks.BenchLab.ScaleLabYaml(name, namespaces), name);
    await page.WaitForFunctionAsync($"() => document.querySelectorAll('.topo-surface g.topo-node').length === {namespaces + 2}");
    var figures = await page.EvaluateAsync<JsonElement>($$"""
        () => {
            const canvas = document.querySelector('.topo-surface').topology;
            const renders = [];
            for (let i = 0; i < 7; i++) {
                const started = performance.now();
                canvas.rerender();
                renders.push(performance.now() - started);
            }
            // Frames are far below the clock's resolution one by one: time a batch of each.
            const frames = (id) => {
                const count = 500;
                const started = performance.now();
                for (let i = 0; i < count; i++) {
                    canvas.dragFrame(id, (i % 40) - 20, (i % 30) - 15);
                }
                return (performance.now() - started) / count;
            };
            renders.sort((a, b) => a - b);
            return {
                elements: document.querySelectorAll('.topo-surface *').length,
                render: renders[Math.floor(renders.length / 2)],
                leafFrame: frames('ns{{namespaces / 2}}'),
                hubFrame: frames('h1'),
            };
        }
        """);
    return new CanvasScale(figures.GetProperty("elements").GetInt32(), figures.GetProperty("render").GetDouble(),
        figures.GetProperty("leafFrame").GetDouble(), figures.GetProperty("hubFrame").GetDouble());
}

// The agent benchmark's scale lab: N namespaces, each a bridge macvlan on one host NIC.
static void Report(int iterations, List<double> canvas, List<double> table, List<double> stream, List<double> roundTrips, int scale, CanvasScale canvasScale)
{
    static string Line(string what, List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{what,-52} p50 {NetLab.Web.BrowserBenchmarks.BenchLab.Percentile(values, 50),7:0.0} ms   p95 {NetLab.Web.BrowserBenchmarks.BenchLab.Percentile(values, 95),7:0.0} ms   max {values.Max(),7:0.0} ms");
    Console.WriteLine($"kernel event to DOM, {iterations} changes (macvlan2 down/up over netlink, 100-200 ms apart)");
    Console.WriteLine(Line("  canvas row (topology editor)", canvas));
    Console.WriteLine(Line("  live-state table", table));
    Console.WriteLine(Line("  baseline: agent event stream client, no browser", stream));
    Console.WriteLine(Line("  (netlink change round trip, for scale)", roundTrips));
    var canvasP95 = NetLab.Web.BrowserBenchmarks.BenchLab.Percentile(canvas, 95);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  ratio canvas p95 / baseline p95: {canvasP95 / NetLab.Web.BrowserBenchmarks.BenchLab.Percentile(stream, 95):0.0}   target p95 < 200 ms: {(canvasP95 < 200 ? "met" : "NOT met")} ({canvasP95:0.0} ms)"));
    Console.WriteLine($"canvas with {scale} namespaces ({canvasScale.Elements} SVG elements), script time in Chromium");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  full drawing (median of 7)                         {canvasScale.Render,8:0.000} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  drag frame, a namespace box (1 line)               {canvasScale.LeafFrame,8:0.000} ms   ratio to a full drawing: 1/{canvasScale.Render / canvasScale.LeafFrame:0}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  drag frame, h1 ({scale + 1} lines)                        {canvasScale.HubFrame,8:0.000} ms   ratio to a full drawing: 1/{canvasScale.Render / canvasScale.HubFrame:0}"));
}

internal sealed record CanvasScale(int Elements, double Render, double LeafFrame, double HubFrame);
