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

    /// <summary>A fresh page (its own context: no cookies or circuit of another case), steps timing out after 30 s.</summary>
    public async Task<IPage> NewPageAsync()
    {
        Require();
        _playwright ??= await Playwright.CreateAsync();
        _browser ??= await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
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
