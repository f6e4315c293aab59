using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// The topology editor in Debian's Chromium against the real web and agent: a student adds a namespace and a macvlan
/// from the palette, sees the macvlan marked invalid (no parent), attaches it to h1's eth0 by dragging, undoes that
/// with Ctrl+Z (the mark is back) and redoes it with Ctrl+Y, moves the new box, saves, reloads, and finds the box
/// where it was left. Screenshots of every step are kept in the test output.
/// </summary>
public sealed class TopologyEditorJourneyTests
{
    private const string LabName = "macvlan-bridge";
    private static readonly float StepTimeout = (float)TimeSpan.FromSeconds(15).TotalMilliseconds;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_student_draws_a_macvlan_attaches_it_by_dragging_undoes_and_finds_a_moved_box_kept_after_reload()
    {
        Assert.SkipWhen(Environment.UserName != "root", "The browser tests start the real agent, which needs root; run the suite as root.");
        Assert.SkipUnless(File.Exists(BrowserSession.ChromiumPath), $"The browser tests need Debian's Chromium at {BrowserSession.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        var screenshots = new Screenshots(Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(TopologyEditorJourneyTests)));
        await using var session = await BrowserSession.StartAsync(1600, 1100, TimeSpan.FromMilliseconds(StepTimeout), "nltest-t", Cancel);
        var (agent, web, page) = (session.Agent, session.Web, session.Page);

        // The browser's console beside the screenshots: a script error in the canvas module shows up there.
        var console = Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(TopologyEditorJourneyTests), "console.log");
        page.Console += (_, message) => File.AppendAllText(console, $"{message.Type}: {message.Text}\n");
        page.PageError += (_, error) => File.AppendAllText(console, $"page error: {error}\n");

        // Import the seed's bridge-mode lab and open it: the canvas is the first tab.
        await page.GotoAsync(web.Url);
        await WaitUntilInteractiveAsync(page);
        await page.Locator(".labs-import").ClickAsync();
        await page.Locator(".import-yaml textarea").FillAsync(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "labs", "macvlan-bridge.yaml")));
        await page.Locator(".import-submit").ClickAsync();
        await page.Locator($"tr.lab-row[data-lab='{LabName}']").GetByRole(AriaRole.Link, new() { Name = LabName, Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/labs/\d+$"));
        await WaitUntilInteractiveAsync(page);
        await Expect(Item(page, "ns2/macvlan2").Locator(".topo-name")).ToHaveTextAsync("macvlan2@eth0");
        await Expect(Edge(page, "ns2/macvlan2", "h1/eth0")).ToContainTextAsync("macvlan bridge");
        await AssertEverythingShownAsync(page);
        await screenshots.TakeAsync(page, "01-seed-lab-on-canvas");

        // Palette: a namespace, then a macvlan in it, marked invalid (it has no parent yet), with the message in the panel.
        await page.Locator(".topo-add-namespace").ClickAsync();
        await Expect(Node(page, "ns1")).ToBeVisibleAsync();
        await page.Locator(".topo-add-macvlan").ClickAsync();
        var macvlan = Item(page, "ns1/macvlan1");
        await Expect(macvlan).ToHaveClassAsync(new Regex(@"\bhas-problem\b"));
        await Expect(macvlan.Locator("title")).ToContainTextAsync("the parent is empty");
        await Expect(page.Locator(".topo-properties .prop-problem")).ToContainTextAsync("the parent is empty");
        await screenshots.TakeAsync(page, "02-macvlan-marked-invalid");

        // Drag from the macvlan onto h1's eth0: attached, the line labelled with kind and mode, the mark gone.
        await DragAsync(page, macvlan, Item(page, "h1/eth0"));
        await Expect(Edge(page, "ns1/macvlan1", "h1/eth0")).ToContainTextAsync("macvlan bridge");
        await Expect(macvlan).Not.ToHaveClassAsync(new Regex(@"\bhas-problem\b"));
        await Expect(macvlan.Locator(".topo-name")).ToHaveTextAsync("macvlan1@eth0");
        await screenshots.TakeAsync(page, "03-attached-by-dragging");

        // Ctrl+Z undoes the attach (the mark is back), Ctrl+Y redoes it.
        await page.Keyboard.PressAsync("Control+z");
        await Expect(Edge(page, "ns1/macvlan1", "h1/eth0")).ToHaveCountAsync(0);
        await Expect(Item(page, "ns1/macvlan1")).ToHaveClassAsync(new Regex(@"\bhas-problem\b"));
        await screenshots.TakeAsync(page, "04-undone-with-ctrl-z");
        await page.Keyboard.PressAsync("Control+y");
        await Expect(Edge(page, "ns1/macvlan1", "h1/eth0")).ToHaveCountAsync(1);
        await Expect(page.Locator(".lab-valid")).ToBeVisibleAsync();

        // Move the new box by its header, save, reload: it is where it was left.
        var before = await PositionAsync(Node(page, "ns1"));
        var header = await Node(page, "ns1").Locator(".topo-title").BoundingBoxAsync();
        await page.Mouse.MoveAsync(header!.X + 5, header.Y + 5);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(header.X + 85, header.Y + 65, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Expect(page.Locator(".lab-save")).ToBeEnabledAsync();
        var moved = await PositionAsync(Node(page, "ns1"));
        Assert.NotEqual(before, moved);
        await screenshots.TakeAsync(page, "05-box-moved");
        await page.Locator(".lab-save").ClickAsync();
        await Expect(page.Locator(".lab-save")).ToBeDisabledAsync();
        await page.ReloadAsync();
        await WaitUntilInteractiveAsync(page);
        await Expect(Node(page, "ns1")).ToHaveAttributeAsync("transform", $"translate({moved.X},{moved.Y})");
        await Expect(Edge(page, "ns1/macvlan1", "h1/eth0")).ToHaveCountAsync(1);
        await screenshots.TakeAsync(page, "06-position-kept-after-reload");

        Assert.Empty(agent.Namespaces());
        Assert.All(screenshots.Taken, file => Assert.True(new FileInfo(file).Length > 0, $"screenshot {file} is missing or empty"));
        Assert.Equal(6, screenshots.Taken.Count);
    }

    /// <summary>On first open every box, line and line label is inside the canvas's surface, as drawn by the browser.</summary>
    private static async Task AssertEverythingShownAsync(IPage page)
    {
        var surface = (await page.Locator(".topo-surface svg.topo-svg").BoundingBoxAsync())!;
        var drawn = page.Locator(".topo-surface g.topo-node, .topo-surface g.topo-edge path, .topo-surface g.topo-edge text");
        Assert.True(await drawn.CountAsync() >= 4 + 3 * 2, "the seed lab's boxes and lines are drawn");
        foreach (var element in await drawn.AllAsync())
        {
            var box = (await element.BoundingBoxAsync())!;
            Assert.True(box.X >= surface.X - 0.5 && box.Y >= surface.Y - 0.5 && box.X + box.Width <= surface.X + surface.Width + 0.5 && box.Y + box.Height <= surface.Y + surface.Height + 0.5,
                $"{await element.EvaluateAsync<string>("e => e.outerHTML.slice(0, 80)")} at ({box.X}, {box.Y}, {box.Width} x {box.Height}) is outside the surface ({surface.X}, {surface.Y}, {surface.Width} x {surface.Height})");
        }
    }

    private static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.GetByTestId("interactive")).ToBeAttachedAsync(new() { Timeout = StepTimeout });

    private static ILocator Node(IPage page, string id) => page.Locator($".topo-surface g.topo-node[data-id='{id}']");

    private static ILocator Item(IPage page, string id) => page.Locator($".topo-surface g.topo-item[data-id='{id}']");

    private static ILocator Edge(IPage page, string from, string to) => page.Locator($".topo-surface g.topo-edge[data-from='{from}'][data-to='{to}']");

    /// <summary>A real pointer drag, in steps, as a hand would do it.</summary>
    private static async Task DragAsync(IPage page, ILocator from, ILocator to)
    {
        var start = await from.BoundingBoxAsync();
        var end = await to.BoundingBoxAsync();
        await page.Mouse.MoveAsync(start!.X + start.Width / 2, start.Y + start.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(end!.X + end.Width / 2, end.Y + end.Height / 2, new() { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    private static async Task<(string X, string Y)> PositionAsync(ILocator node)
    {
        var transform = await node.GetAttributeAsync("transform");
        var match = Regex.Match(transform ?? "", @"translate\(([-\d.]+),([-\d.]+)\)");
        Assert.True(match.Success, $"transform '{transform}' is not a translate");
        return (match.Groups[1].Value, match.Groups[2].Value);
    }
}
