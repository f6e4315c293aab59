using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// A class on one server, in Debian's Chromium against the real web and agent: the instructor creates a course,
/// imports a roster of three students (reading their one-time passwords off the page) and publishes the seed's
/// macvlan-vepa-hairpin template with checks generated from its predictions; alice and bob, each in a browser context
/// of their own, sign in, open their copies and apply them - two kernel labs with disjoint namespaces, each named by
/// its own lab's kernel name as its page shows it; bob turns hairpin off, applies, Check my work fails a check with
/// an explanation that names hairpin, he turns it back on, applies, passes and submits; the instructor's overview shows
/// both students, and the instructor resets bob's copy (his kernel lab destroyed, the template his new revision); alice
/// can neither open bob's lab nor download its export.
/// </summary>
public sealed class ClassroomJourneyTests
{
    private const string Template = "macvlan-vepa-hairpin";
    private const string Roster = "username,display_name\nalice,Alice Liddell\nbob,\"Bob, the Builder\"\ncarol,Carol\n";
    private static readonly string[] Elements = ["h1", "ns2", "ns3", "sw1"];
    private static readonly (int Width, int Height) ViewportSize = (1280, 900);
    private const int GradeAttempts = 3;
    private static readonly float StepTimeout = (float)TimeSpan.FromSeconds(30).TotalMilliseconds;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_instructor_publishes_a_template_two_students_work_on_their_own_copies_and_one_submits_a_fixed_lab()
    {
        Assert.SkipWhen(Environment.UserName != "root", "The classroom journey applies labs to the kernel and needs root; run the suite as root.");
        Assert.SkipUnless(File.Exists(BrowserSession.ChromiumPath), $"The classroom journey needs Debian's Chromium at {BrowserSession.ChromiumPath} (apt-get install chromium); scripts/test.sh installs it.");

        // Every step waits as long as a page step may (an apply or a grading on a busy machine), not Expect's 5 s.
        SetDefaultExpectTimeout(StepTimeout);
        var screenshots = new Screenshots(Path.Combine(AppContext.BaseDirectory, "screenshots", nameof(ClassroomJourneyTests)));
        // Disposing removes every namespace under the agent's prefix, also when a step fails.
        await using var session = await BrowserSession.StartAsync(ViewportSize.Width, ViewportSize.Height, TimeSpan.FromMilliseconds(StepTimeout), "nltest-c", Cancel);
        var (agent, web, teacher) = (session.Agent, session.Web, session.Page);

        var pages = new Dictionary<string, IPage>(StringComparer.Ordinal) { ["teacher"] = teacher };
        try
        {
            // 1. The instructor (the session's account) creates a course and imports the roster.
            await teacher.GotoAsync($"{web.Url}/courses");
            await WaitUntilInteractiveAsync(teacher);
            await teacher.Locator(".courses-new-name input").FillAsync("Networks 101");
            await teacher.Locator("button.courses-create").ClickAsync();
            await Expect(teacher).ToHaveURLAsync(new Regex(@"/courses/\d+$"));
            var courseUrl = teacher.Url;
            await WaitUntilInteractiveAsync(teacher);
            await FillAndLeaveAsync(teacher.Locator(".roster-csv textarea"), Roster);
            await teacher.Locator("button.roster-import").ClickAsync();
            await Expect(teacher.Locator(".roster-row")).ToHaveCountAsync(3);
            var passwords = await OneTimePasswordsAsync(teacher);
            Assert.Equal(["alice", "bob", "carol"], passwords.Keys.Order(StringComparer.Ordinal));
            await screenshots.TakeAsync(teacher, "01-roster-imported");

            // 2. Publish the template as an assignment, its checks generated from the template's predictions.
            await FillAndLeaveAsync(teacher.Locator(".publish-title input"), "vepa with hairpin");
            await teacher.Locator("select.publish-source").SelectOptionAsync($"template:{Template}");
            await teacher.Locator("button.publish-generate").ClickAsync();
            await Expect(teacher.Locator(".publish-checks textarea")).ToHaveValueAsync(new Regex("reaches"));
            await teacher.Locator("button.publish-run").ClickAsync();
            var assignmentRow = teacher.Locator(".assignment-row[data-assignment='vepa with hairpin']");
            await Expect(assignmentRow).ToBeVisibleAsync();
            var overviewUrl = $"{web.Url}/{await assignmentRow.Locator(".assignment-overview").GetAttributeAsync("href")}";
            await screenshots.TakeAsync(teacher, "02-assignment-published");

            // 3. alice and bob, each in a browser context of their own, sign in with their one-time passwords, open the
            // assignment from the course's page, open their copies and apply them.
            var alice = await session.NewSignedInPageAsync("alice", passwords["alice"]);
            pages["alice"] = alice;
            var bob = await session.NewSignedInPageAsync("bob", passwords["bob"]);
            pages["bob"] = bob;
            var aliceLab = await OpenCopyAsync(alice, courseUrl);
            var bobLab = await OpenCopyAsync(bob, courseUrl);
            Assert.NotEqual(aliceLab, bobLab);
            await ApplyAsync(alice);
            await ApplyAsync(bob);
            await screenshots.TakeAsync(bob, "03-bob-copy-applied");

            // 4. Two kernel labs: each page names its own kernel name, and the kernel holds each lab's namespaces under it.
            var aliceKernel = await alice.Locator(".lab-kernel-name code").TextContentAsync() ?? "";
            var bobKernel = await bob.Locator(".lab-kernel-name code").TextContentAsync() ?? "";
            Assert.NotEqual(aliceKernel, bobKernel);
            var aliceNamespaces = agent.NamespacesOfKernelLab(aliceKernel);
            var bobNamespaces = agent.NamespacesOfKernelLab(bobKernel);
            Assert.Equal(Elements, aliceNamespaces.Select(n => n[(n.LastIndexOf('.') + 1)..]).Order(StringComparer.Ordinal));
            Assert.Equal(Elements, bobNamespaces.Select(n => n[(n.LastIndexOf('.') + 1)..]).Order(StringComparer.Ordinal));
            Assert.Empty(aliceNamespaces.Intersect(bobNamespaces));
            Assert.Equal(aliceNamespaces.Count + bobNamespaces.Count, agent.Namespaces().Count);

            // 5. bob turns hairpin off on sw1's port, saves, applies, and Check my work fails the ping with why: hairpin.
            await EditYamlAsync(bob, "p1: { hairpin: true }", "p1: { hairpin: false }");
            await ApplyAsync(bob);
            await CheckMyWorkAsync(bob);
            var failed = bob.Locator(".lab-check-my-work tr.grade-check[data-outcome='failed']");
            await Expect(failed.First).ToBeVisibleAsync();
            await Expect(failed.Locator(".grade-explanation").First).ToContainTextAsync("hairpin");
            await screenshots.TakeAsync(bob, "04-bob-check-failed-hairpin");

            // 6. bob turns it back on, applies, passes every check and submits.
            await EditYamlAsync(bob, "p1: { hairpin: false }", "p1: { hairpin: true }");
            await ApplyAsync(bob);
            var checkCount = await PassEveryCheckAsync(bob);
            await bob.Locator("button.lab-submit-button").ClickAsync();
            await Expect(bob.Locator(".submit-done")).ToContainTextAsync($"Submitted: {checkCount} of {checkCount} checks passed");
            await screenshots.TakeAsync(bob, "05-bob-submitted");

            // 7. The instructor's overview: alice applied her copy, bob applied his third revision, checked and submitted.
            await teacher.GotoAsync(overviewUrl);
            await WaitUntilInteractiveAsync(teacher);
            var aliceRow = teacher.Locator("tr.overview-row[data-student='alice']");
            var bobRow = teacher.Locator("tr.overview-row[data-student='bob']");
            await Expect(aliceRow.Locator(".overview-applied")).ToHaveTextAsync("revision 1");
            await Expect(aliceRow.Locator(".overview-check")).ToHaveTextAsync("not checked");
            await Expect(aliceRow.Locator(".overview-submitted")).ToHaveTextAsync("no");
            await Expect(bobRow.Locator(".overview-applied")).ToHaveTextAsync("revision 3");
            await Expect(bobRow.Locator(".overview-check")).ToHaveTextAsync($"{checkCount} of {checkCount} passed");
            await Expect(bobRow.Locator(".overview-submitted")).ToHaveTextAsync($"{checkCount} of {checkCount}");
            await Expect(teacher.Locator("tr.overview-row[data-student='carol'] .overview-copy")).ToHaveTextAsync("not opened");
            await screenshots.TakeAsync(teacher, "06-overview");

            // 7b. The instructor resets bob's copy: his kernel lab is destroyed, his copy's revision 4 is the template.
            await bobRow.Locator("button.overview-reset").ClickAsync();
            await teacher.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Reset", Exact = true }).ClickAsync();
            await Expect(teacher.Locator(".overview-action-message")).ToHaveTextAsync("bob's copy was reset: revision 4 is the template.");
            await Expect(bobRow.Locator(".overview-applied")).ToHaveTextAsync("no");
            await Expect(bobRow.Locator(".overview-copy")).ToHaveTextAsync("revision 4");
            Assert.Empty(agent.NamespacesOfKernelLab(bobKernel));
            Assert.Equal(aliceNamespaces.Count, agent.Namespaces().Count);
            await screenshots.TakeAsync(teacher, "06b-overview-after-reset");

            // 8. alice cannot reach bob's lab: its page is not found, its export is 404 (her own downloads: the cookie works).
            await alice.GotoAsync($"{web.Url}/labs/{bobLab}");
            await Expect(alice.Locator(".lab-missing")).ToContainTextAsync("There is no such lab.");
            await Expect(alice.Locator(".lab-kernel-name")).ToHaveCountAsync(0);
            await screenshots.TakeAsync(alice, "07-alice-on-bobs-lab");
            var export = await alice.APIRequest.GetAsync($"{web.Url}/labs/{bobLab}/export");
            Assert.Equal(404, export.Status);
            Assert.DoesNotContain("hairpin", await export.TextAsync(), StringComparison.Ordinal);
            var own = await alice.APIRequest.GetAsync($"{web.Url}/labs/{aliceLab}/export");
            Assert.Equal(200, own.Status);
            Assert.Contains("hairpin: true", await own.TextAsync(), StringComparison.Ordinal);

            // 9. alice's lab destroyed too (bob's went with the reset): nothing of the journey is left in the kernel.
            await agent.DestroyKernelLabAsync(aliceKernel);
            Assert.Empty(agent.Namespaces());
        }
        catch
        {
            // What each user's page showed when a step failed, beside the step screenshots.
            foreach (var (who, page) in pages)
            {
                await TryScreenshotAsync(screenshots, page, $"failed-{who}");
            }

            throw;
        }

        Assert.All(screenshots.Taken, file => Assert.True(new FileInfo(file).Length > 0, $"screenshot {file} is missing or empty"));
    }

    private static async Task TryScreenshotAsync(Screenshots screenshots, IPage page, string step)
    {
        try
        {
            await screenshots.TakeAsync(page, step);
        }
        catch (PlaywrightException e)
        {
            TestContext.Current.SendDiagnosticMessage($"no screenshot {step}: {e.Message}");
        }
    }

    /// <summary>The one-time passwords the roster import shows, by user name.</summary>
    private static async Task<Dictionary<string, string>> OneTimePasswordsAsync(IPage page)
    {
        var rows = page.Locator(".roster-created tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var user = (await rows.Nth(i).Locator("td").First.TextContentAsync() ?? "").Trim();
            passwords[user] = (await rows.Nth(i).Locator("code").TextContentAsync() ?? "").Trim();
        }

        return passwords;
    }

    /// <summary>From the course's page, Open my copy: lands on the copy's lab page; its id.</summary>
    private static async Task<long> OpenCopyAsync(IPage page, string courseUrl)
    {
        await page.GotoAsync(courseUrl);
        await WaitUntilInteractiveAsync(page);
        await page.Locator(".assignment-row[data-assignment='vepa with hairpin'] button.assignment-open").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/labs/\d+$"));
        await WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".lab-submit")).ToBeVisibleAsync();
        return long.Parse(Regex.Match(page.Url, @"/labs/(\d+)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> in the YAML tab's editor and saves the revision.</summary>
    private static async Task EditYamlAsync(IPage page, string from, string to)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "YAML" }).ClickAsync();
        var editor = page.Locator(".lab-yaml textarea");
        var yaml = await editor.InputValueAsync();
        Assert.Contains(from, yaml, StringComparison.Ordinal);
        await FillAndLeaveAsync(editor, yaml.Replace(from, to, StringComparison.Ordinal));
        await Expect(page.Locator(".lab-valid")).ToBeVisibleAsync();
        await Expect(page.Locator(".lab-save")).ToBeEnabledAsync();
        await page.Locator(".lab-save").ClickAsync();
        await Expect(page.Locator(".lab-save")).ToBeDisabledAsync();
    }

    private static Task ApplyAsync(IPage page) => LabPageSteps.ApplyMacvlanLabAsync(page, StepTimeout);

    /// <summary>
    /// Check my work on a lab that does what its checks expect, until it passes every check: at most
    /// <see cref="GradeAttempts"/> times, each miss logged with what was observed. The probe gives a ping 1 s; on this
    /// machine under the load of parallel builds (load 27 on 2 cores was seen) a ping of the fixed lab missed it once,
    /// so one miss is the machine's, not the lab's - the hairpin-off grade before shows what a real failure looks like.
    /// The number of checks.
    /// </summary>
    private static async Task<int> PassEveryCheckAsync(IPage page)
    {
        for (var attempt = 1; ; attempt++)
        {
            await CheckMyWorkAsync(page);
            var summary = await page.Locator(".lab-check-my-work .grade-summary").TextContentAsync() ?? "";
            var counts = Regex.Match(summary, @"^\s*(\d+) of (\d+) checks passed");
            Assert.True(counts.Success, $"no grade summary: {summary}");
            if (counts.Groups[1].Value == counts.Groups[2].Value)
            {
                return int.Parse(counts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            var missed = await page.Locator(".lab-check-my-work tr.grade-check[data-outcome='failed']").AllTextContentsAsync();
            Assert.True(attempt < GradeAttempts, $"the fixed lab should pass every check, attempt {attempt}: {summary}: {string.Join(" | ", missed)}");
            TestContext.Current.SendDiagnosticMessage($"Check my work attempt {attempt} missed: {summary}: {string.Join(" | ", missed)}");
        }
    }

    /// <summary>Check my work, waiting for a grade newer than the one shown (the recorded run's link changes with every grading).</summary>
    private static async Task CheckMyWorkAsync(IPage page)
    {
        var runLink = page.Locator(".lab-check-my-work .check-my-work-run a");
        var before = await runLink.CountAsync() > 0 ? await runLink.GetAttributeAsync("href") : null;
        await page.Locator("button.lab-check-my-work-button").ClickAsync();
        await Expect(runLink).ToBeVisibleAsync();
        if (before is not null)
        {
            await Expect(runLink).Not.ToHaveAttributeAsync("href", before);
        }

        await Expect(page.Locator(".lab-check-my-work .grade-summary")).ToBeVisibleAsync();
    }

    /// <summary>Types into a MudBlazor field that takes its value on change (not on every key), then leaves it so it does.</summary>
    private static async Task FillAndLeaveAsync(ILocator field, string text)
    {
        await field.FillAsync(text);
        await field.PressAsync("Tab");
    }

    private static Task WaitUntilInteractiveAsync(IPage page) =>
        Expect(page.GetByTestId("interactive")).ToBeAttachedAsync(new() { Timeout = StepTimeout });
}
