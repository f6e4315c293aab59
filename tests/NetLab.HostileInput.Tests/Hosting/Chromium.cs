using Microsoft.Playwright;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// Debian's Chromium (no browser download) driven by Playwright, for what only a browser can send the web: files and
/// pasted text go over the Blazor circuit, not as request bodies. Started on first use, once per test class.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Path = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips the case, saying why, where there is no Chromium.</summary>
    public static void Require() =>
        Assert.SkipUnless(File.Exists(Path), $"the web's upload cases need Debian's Chromium at {Path} (apt-get install chromium); scripts/test.sh installs it.");

    /// <summary>
    /// A fresh page (its own context: no circuit of another case), signed in to <paramref name="up"/>'s web: the first
    /// context signs in through the form and keeps its storage state in <paramref name="up"/>, later ones start from it.
    /// Steps time out after 30 s.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task<IPage> NewPageAsync(NetlabUp up)
    {
        ArgumentNullException.ThrowIfNull(up);
        Require();
        _playwright ??= await Playwright.CreateAsync();
        _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, StorageState = up.BrowserState });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        if (up.BrowserState is null)
        {
            await page.GotoAsync($"{up.Url}/account/signin");
            await page.FillAsync("input[name=username]", NetlabUp.UserName);
            await page.FillAsync("input[name=password]", NetlabUp.Password);
            await page.ClickAsync("[data-testid=signin-submit]");
            await page.WaitForSelectorAsync("[data-testid=signed-in-user]");
            up.BrowserState = await context.StorageStateAsync();
        }

        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
