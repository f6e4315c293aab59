using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// The dashboard in Debian's Chromium, driven by Playwright, against the real web (a child process on a real port)
/// and the real agent (in-process, on a socket of its own, with a namespace prefix of its own): the seed's bridge-mode
/// lab is imported, applied, watched live while the test sets a macvlan down over netlink, and destroyed without
/// leftovers. Every step leaves a screenshot in the test output folder.
/// </summary>
public sealed class BridgeLabJourneyTests
{
    private const string LabName = "macvlan-bridge";
    private static readonly float StepTimeout = (float)TimeSpan.FromSeconds(15).TotalMilliseconds;
    private static readonly float LiveChangeTimeout = (float)TimeSpan.FromSeconds(5).TotalMilliseconds;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_student_imports_applies_watches_a_macvlan_go_down_and_destroys_the_bridge_lab_in_the_browser()
    {
        Assert.SkipWhen(Environment.UserName != "root", "The browser journey applies a lab to the kernel and needs root; run the suite as root.");
        Assert.SkipUnless(File.Exists(BrowserSession.ChromiumPath), $"The browser journey needs Debian's Chromium at {BrowserSession.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        var screenshots = new Screenshots(Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(BridgeLabJourneyTests)));
        await using var session = await BrowserSession.StartAsync(1400, 1000, TimeSpan.FromMilliseconds(StepTimeout), "nltest-b", Cancel);
        var (agent, web, page) = (session.Agent, session.Web, session.Page);

        // Labs page, Import YAML.
        await page.GotoAsync(web.Url);
        await WaitUntilInteractiveAsync(page);
        await page.Locator(".labs-import").ClickAsync();
        var yaml = page.Locator(".import-yaml textarea");
        await yaml.FillAsync(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "labs", "macvlan-bridge.yaml")));
        await screenshots.TakeAsync(page, "01-import-dialog");
        await page.Locator(".import-submit").ClickAsync();
        var labLink = page.Locator($"tr.lab-row[data-lab='{LabName}']").GetByRole(AriaRole.Link, new() { Name = LabName, Exact = true });
        await Expect(labLink).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "02-imported");

        // Open the lab, Apply, confirm the plan, wait for success.
        await labLink.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/labs/\d+$"), new() { Timeout = StepTimeout });
        await WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".lab-valid")).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        await page.Locator(".lab-apply").ClickAsync();
        var applyRun = page.Locator(".apply-run");
        await Expect(page.Locator(".apply-plan")).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        await Expect(applyRun).ToBeEnabledAsync(new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "03-plan");
        await applyRun.ClickAsync();
        await Expect(page.Locator(".apply-succeeded")).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "04-applied");
        await page.Locator(".apply-close").ClickAsync();
        await Expect(page.Locator(".apply-dialog")).ToHaveCountAsync(0, new() { Timeout = StepTimeout });

        // Live state: both macvlans up with their addresses.
        var macvlan2 = LiveInterface(page, "ns2", "macvlan2");
        var macvlan3 = LiveInterface(page, "ns3", "macvlan3");
        await Expect(macvlan2.Locator(".live-state")).ToHaveClassAsync(new Regex(@"\blive-state-up\b"), new() { Timeout = StepTimeout });
        await Expect(macvlan3.Locator(".live-state")).ToHaveClassAsync(new Regex(@"\blive-state-up\b"), new() { Timeout = StepTimeout });
        await Expect(macvlan2.Locator(".live-addresses")).ToContainTextAsync("100.0.0.2/24", new() { Timeout = StepTimeout });
        await Expect(macvlan3.Locator(".live-addresses")).ToContainTextAsync("100.0.0.3/24", new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "05-live-up");

        // A change made outside NetLab, over netlink by ip: the page shows macvlan2 down within 5 seconds.
        Assert.Equal(0, Commands.Run("ip", "-n", agent.Kernel(LabName, "ns2"), "link", "set", "macvlan2", "down"));
        await Expect(macvlan2.Locator(".live-state")).ToHaveClassAsync(new Regex(@"\blive-state-down\b"), new() { Timeout = LiveChangeTimeout });
        await Expect(macvlan2.Locator(".live-state")).ToContainTextAsync("down", new() { Timeout = LiveChangeTimeout });
        await Expect(macvlan3.Locator(".live-state")).ToHaveClassAsync(new Regex(@"\blive-state-up\b"), new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "06-macvlan2-down");

        // Destroy, confirm, and nothing of the lab is left in the kernel.
        await page.Locator(".lab-destroy").ClickAsync();
        await Expect(page.Locator(".destroy-confirm")).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "07-destroy-confirm");
        await page.Locator(".destroy-run").ClickAsync();
        await Expect(page.Locator(".apply-succeeded")).ToContainTextAsync("Destroyed", new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "08-destroyed");
        Assert.Empty(agent.Namespaces());

        Assert.All(screenshots.Taken, file => Assert.True(new FileInfo(file).Length > 0, $"screenshot {file} is missing or empty"));
        Assert.Equal(8, screenshots.Taken.Count);
    }

    /// <summary>Clicks on the prerendered page are lost; the layout shows this marker once the circuit is live.</summary>
    private static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.GetByTestId("interactive")).ToBeAttachedAsync(new() { Timeout = StepTimeout });

    private static ILocator LiveInterface(IPage page, string element, string name) =>
        page.Locator($".live-namespace[data-element='{element}'] tr.live-interface[data-interface='{name}']");
}
