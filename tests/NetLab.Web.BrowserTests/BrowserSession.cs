using Microsoft.Playwright;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// Everything a browser journey runs against: the real agent in this process, the real web as a child process, and
/// Debian's Chromium (no download) driven by Playwright, with one page. Disposing closes them in reverse order, so the
/// agent's namespaces go last, also after a failure. bench/NetLab.Web.Benchmarks compiles this file too.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly BrowserNewPageOptions _pageOptions;
    private readonly float _stepTimeout;

    private BrowserSession(InProcessAgent agent, WebProcess web, IPlaywright playwright, IBrowser browser, IPage page, BrowserNewPageOptions pageOptions, float stepTimeout)
    {
        Agent = agent;
        Web = web;
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _pageOptions = pageOptions;
        _stepTimeout = stepTimeout;
    }

    public InProcessAgent Agent { get; }

    public WebProcess Web { get; }

    public IPage Page { get; }

    /// <param name="width">The page's viewport width in pixels.</param>
    /// <param name="height">The page's viewport height in pixels.</param>
    /// <param name="stepTimeout">Playwright's default timeout for every step on the page.</param>
    /// <param name="prefixStem">The agent's namespace prefix stem (see <see cref="InProcessAgent.StartAsync"/>).</param>
    /// <param name="cancel">Cancels the start.</param>
    public static async Task<BrowserSession> StartAsync(int width, int height, TimeSpan stepTimeout, string prefixStem, CancellationToken cancel)
    {
        var agent = await InProcessAgent.StartAsync(cancel, prefixStem);
        WebProcess? web = null;
        IPlaywright? playwright = null;
        try
        {
            web = await WebProcess.StartAsync(agent.SocketPath, cancel);
            playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            var pageOptions = new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } };
            var page = await browser.NewPageAsync(pageOptions);
            page.SetDefaultTimeout((float)stepTimeout.TotalMilliseconds);
            await SignInAsync(page, web);
            return new BrowserSession(agent, web, playwright, browser, page, pageOptions, (float)stepTimeout.TotalMilliseconds);
        }
        catch
        {
            playwright?.Dispose();
            if (web is not null)
            {
                await web.DisposeAsync();
            }

            await agent.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Signs the page's browser context in once, through the real sign-in form, as <see cref="WebProcess.UserName"/>:
    /// the cookie stays in the context, so every later page of the journey is signed in.
    /// </summary>
    public static Task SignInAsync(IPage page, WebProcess web) => SignInAsync(page, web, WebProcess.UserName, WebProcess.Password);

    /// <summary>Signs the page's browser context in as <paramref name="userName"/> through the real sign-in form.</summary>
    public static async Task SignInAsync(IPage page, WebProcess web, string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(web);
        await page.GotoAsync($"{web.Url}/account/signin");
        await page.FillAsync("input[name=username]", userName);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("[data-testid=signin-submit]");
        await page.WaitForSelectorAsync("[data-testid=signed-in-user]");
    }

    /// <summary>
    /// A page in a browser context of its own (its own cookies: another user, as on another machine), the same size
    /// and step timeout as <see cref="Page"/>, signed in as <paramref name="userName"/>. Closed with the browser.
    /// </summary>
    public async Task<IPage> NewSignedInPageAsync(string userName, string password)
    {
        var page = await _browser.NewPageAsync(_pageOptions);
        page.SetDefaultTimeout(_stepTimeout);
        await SignInAsync(page, Web, userName, password);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
            await Web.DisposeAsync();
        }
        finally
        {
            await Agent.DisposeAsync();
        }
    }
}
