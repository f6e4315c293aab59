using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// Issue 5's journey in Debian's Chromium against the real web and agent: the seed's bridge-mode template is run as an
/// experiment (apply, kernel events, connectivity check, all recorded), the run is opened in replay, stepped to
/// before the macvlans came up (they show down), then scrubbed to the end, where the connectivity matrix shows the seed's
/// outcomes with their explanations. Screenshots of every step are kept as test output.
/// </summary>
public sealed class ExperimentRunJourneyTests
{
    private const string LabName = "macvlan-bridge";
    private static readonly float StepTimeout = (float)TimeSpan.FromSeconds(30).TotalMilliseconds;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_student_runs_the_bridge_experiment_replays_it_from_links_down_to_the_explained_matrix()
    {
        Assert.SkipWhen(Environment.UserName != "root", "The experiment journey applies a lab to the kernel and needs root; run the suite as root.");
        Assert.SkipUnless(File.Exists(BrowserSession.ChromiumPath), $"The experiment journey needs Debian's Chromium at {BrowserSession.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        var screenshots = new Screenshots(Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(ExperimentRunJourneyTests)));
        await using var session = await BrowserSession.StartAsync(1400, 1200, TimeSpan.FromMilliseconds(StepTimeout), "nltest-x", Cancel);
        var (agent, web, page) = (session.Agent, session.Web, session.Page);

        // The bridge template, imported as the seed's author would type it.
        await page.GotoAsync(web.Url);
        await WaitUntilInteractiveAsync(page);
        await page.Locator(".labs-import").ClickAsync();
        await page.Locator(".import-yaml textarea").FillAsync(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "labs", "macvlan-bridge.yaml")));
        await page.Locator(".import-submit").ClickAsync();
        var labLink = page.Locator($"tr.lab-row[data-lab='{LabName}']").GetByRole(AriaRole.Link, new() { Name = LabName, Exact = true });
        await labLink.ClickAsync(new() { Timeout = StepTimeout });
        await page.WaitForURLAsync(new Regex(@"/labs/\d+$"), new() { Timeout = StepTimeout });
        await WaitUntilInteractiveAsync(page);

        // Run experiment: apply, record, check connectivity; the dialog shows the run succeed.
        await page.Locator(".lab-run-experiment").ClickAsync(new() { Timeout = StepTimeout });
        await page.Locator(".run-title input").FillAsync("bridge mode, lo down");
        await screenshots.TakeAsync(page, "01-run-dialog");
        await page.Locator(".run-start").ClickAsync();
        await Expect(page.Locator(".run-experiment-dialog .run-status")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = StepTimeout });
        await screenshots.TakeAsync(page, "02-run-succeeded");
        await page.Locator(".run-open").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/runs/\d+$"), new() { Timeout = StepTimeout });
        await WaitUntilInteractiveAsync(page);

        // Replay: at the start nothing exists yet.
        await page.Locator(".run-to-start").ClickAsync();
        await Expect(page.Locator(".run-state")).ToHaveAttributeAsync("data-offset", "0", new() { Timeout = StepTimeout });
        await Expect(page.Locator(".run-state-empty")).ToBeVisibleAsync();
        await Expect(page.Locator(".run-state .live-state-up")).ToHaveCountAsync(0);
        await screenshots.TakeAsync(page, "03-replay-start");

        // Step through the recorded entries one at a time (a fast apply makes, addresses and raises a link within one
        // millisecond, so the scrubber's millisecond steps can pass over it): macvlan2 exists and is down before it is
        // set up.
        var entryCount = page.Locator(".run-entry-count");
        var statesSeen = new List<string>();
        for (var entries = 1; !statesSeen.Contains("up"); entries++)
        {
            Assert.True(await page.Locator(".run-step-forward").IsEnabledAsync(), $"the run ended before macvlan2 came up; saw: {string.Join(" -> ", statesSeen)}");
            await page.Locator(".run-step-forward").ClickAsync();
            await Expect(entryCount).ToHaveAttributeAsync("data-count", entries.ToString(CultureInfo.InvariantCulture), new() { Timeout = StepTimeout });
            var state = await Macvlan2StateAsync(page);
            if (state is not null && (statesSeen.Count == 0 || statesSeen[^1] != state))
            {
                statesSeen.Add(state);
                if (state == "down")
                {
                    await screenshots.TakeAsync(page, "04-replay-macvlan2-down");
                }
            }
        }

        Assert.True(statesSeen.Count >= 2 && statesSeen[0] == "down" && statesSeen.Contains("up"), $"stepping through the apply should show macvlan2 down before up; saw: {string.Join(" -> ", statesSeen)}");

        // At the end: the connectivity matrix with the seed's outcomes, each as predicted, and the lo lesson explained.
        await page.Locator(".run-to-end").ClickAsync();
        var matrix = page.Locator(".run-probe .connectivity-matrix");
        await Expect(matrix).ToBeVisibleAsync(new() { Timeout = StepTimeout });
        var across = matrix.Locator("td[data-from='ns2'][data-address='100.0.0.3']");
        var ownAddress = matrix.Locator("td[data-from='ns2'][data-address='100.0.0.2']");
        await Expect(across).ToHaveAttributeAsync("data-verdict", "ok");
        await Expect(ownAddress).ToHaveAttributeAsync("data-verdict", "fail");
        await Expect(matrix.Locator("td[data-verdict='mismatch']")).ToHaveCountAsync(0);
        await ownAddress.ClickAsync();
        await Expect(matrix.Locator(".matrix-details-rule")).ToHaveTextAsync("own-address-lo-down");
        await Expect(matrix).ToContainTextAsync("lo is down in ns2");
        await Expect(page.Locator(".run-state .live-interface[data-interface='macvlan2'] .live-state")).ToHaveClassAsync(new Regex(@"\blive-state-up\b"));
        await screenshots.TakeAsync(page, "05-replay-end-matrix");

        // The lab stays applied after a run; remove it through the agent and check nothing is left.
        Assert.NotEmpty(agent.Namespaces());
        await agent.DestroyAsync(LabName);
        Assert.Empty(agent.Namespaces());
        Assert.All(screenshots.Taken, file => Assert.True(new FileInfo(file).Length > 0, $"screenshot {file} is missing or empty"));
    }

    /// <summary>macvlan2's state in the replayed moment: from the kernel's snapshot when there is one, else as the apply's operations left it.</summary>
    private static async Task<string?> Macvlan2StateAsync(IPage page)
    {
        var observed = page.Locator(".run-state .live-namespace[data-element='ns2'] tr.live-interface[data-interface='macvlan2'] .live-state");
        if (await observed.CountAsync() > 0)
        {
            var classes = await observed.First.GetAttributeAsync("class") ?? "";
            return classes.Contains("live-state-up", StringComparison.Ordinal) ? "up" : "down";
        }

        var applied = page.Locator(".run-applied-link[data-element='ns2'][data-interface='macvlan2']");
        return await applied.CountAsync() > 0 ? await applied.First.GetAttributeAsync("data-state") : null;
    }

    private static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.GetByTestId("interactive")).ToBeAttachedAsync(new() { Timeout = StepTimeout });
}
