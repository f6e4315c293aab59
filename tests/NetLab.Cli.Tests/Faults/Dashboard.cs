using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Cli.Tests.Faults;

/// <summary>
/// The dashboard as a student uses it, in Debian's Chromium (no browser download) driven by Playwright: import a lab,
/// and on its page apply, destroy and run an experiment. One browser for a whole test: after a kill the page simply
/// opens the lab again on the restarted web.
/// </summary>
internal sealed partial class Dashboard : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(45);

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _url;

    private Dashboard(IPlaywright playwright, IBrowser browser, IPage page, string url)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _url = url;
    }

    public IPage Page { get; }

    private static float Timeout => (float)StepTimeout.TotalMilliseconds;

    /// <summary>A browser whose context is signed in once, through the sign-in form, as a new account of the store.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<Dashboard> StartAsync(NetLabProcesses processes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processes);
        const string UserName = "tester";
        await processes.AddUserAsync(UserName, cancellationToken);
        var dashboard = await StartAsync(processes.Url);
        try
        {
            await dashboard.Page.GotoAsync($"{processes.Url}/account/signin");
            await dashboard.Page.FillAsync("input[name=username]", UserName);
            await dashboard.Page.FillAsync("input[name=password]", NetlabUsers.TestPassword);
            await dashboard.Page.ClickAsync("[data-testid=signin-submit]");
            await dashboard.Page.WaitForSelectorAsync("[data-testid=signed-in-user]");
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    private static async Task<Dashboard> StartAsync(string url)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            page.SetDefaultTimeout(Timeout);
            return new Dashboard(playwright, browser, page, url);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Imports <paramref name="yaml"/> on the Labs page and returns the new lab's id (from its page's address).</summary>
    public async Task<long> ImportAsync(string yaml, string name)
    {
        await Page.GotoAsync(_url);
        await WaitUntilInteractiveAsync();
        await Page.Locator(".labs-import").ClickAsync();
        await Page.Locator(".import-yaml textarea").FillAsync(yaml);
        await Page.Locator(".import-submit").ClickAsync();
        var link = Page.Locator($"tr.lab-row[data-lab='{name}']").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        await link.ClickAsync(new() { Timeout = Timeout });
        await Page.WaitForURLAsync(LabAddress(), new() { Timeout = Timeout });
        return long.Parse(LabAddress().Match(Page.Url).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Opens the lab's page (a fresh circuit: after a restart the old one is gone).</summary>
    public async Task OpenLabAsync(long labId)
    {
        await Page.GotoAsync($"{_url}/labs/{labId}");
        await WaitUntilInteractiveAsync();
        await Expect(Page.Locator(".lab-valid")).ToBeVisibleAsync(new() { Timeout = Timeout });
    }

    /// <summary>Apply: waits for the plan and returns how many operations it shows; starts the apply when there are any.</summary>
    public async Task<int> StartApplyAsync()
    {
        await Page.Locator(".lab-apply").ClickAsync();
        await Expect(Page.Locator(".apply-plan, .apply-nothing")).ToBeVisibleAsync(new() { Timeout = Timeout });
        var operations = await Page.Locator(".apply-plan tr.plan-operation").CountAsync();
        if (operations > 0)
        {
            await Page.Locator(".apply-run").ClickAsync();
        }

        return operations;
    }

    /// <summary>Waits until the apply or destroy started in the dialog says it succeeded, and returns what it says.</summary>
    public async Task<string> WaitSucceededAsync()
    {
        var succeeded = Page.Locator(".apply-succeeded");
        await Expect(Page.Locator(".apply-succeeded, .apply-failure, .apply-error")).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.True(await succeeded.IsVisibleAsync(), $"the dialog says: {await Page.Locator(".apply-dialog").InnerTextAsync()}");
        return await succeeded.InnerTextAsync();
    }

    /// <summary>Destroy, confirmed.</summary>
    public async Task StartDestroyAsync()
    {
        await Page.Locator(".lab-destroy").ClickAsync();
        await Expect(Page.Locator(".destroy-confirm")).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Page.Locator(".destroy-run").ClickAsync();
    }

    /// <summary>Run experiment, with a title, started.</summary>
    public async Task StartRunAsync(string title)
    {
        await Page.Locator(".lab-run-experiment").ClickAsync();
        await Page.Locator(".run-title input").FillAsync(title);
        await Page.Locator(".run-start").ClickAsync();
    }

    /// <summary>The dialog's run status once it is no longer "running".</summary>
    public async Task<string> WaitRunEndedAsync()
    {
        var status = Page.Locator(".run-experiment-dialog .run-status");
        await Expect(status).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(status).Not.ToHaveAttributeAsync("data-status", "running", new() { Timeout = Timeout });
        return await status.GetAttributeAsync("data-status") ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private Task WaitUntilInteractiveAsync() =>
        Expect(Page.GetByTestId("interactive")).ToBeAttachedAsync(new() { Timeout = Timeout });

    [GeneratedRegex(@"/labs/(\d+)$")]
    private static partial Regex LabAddress();
}
