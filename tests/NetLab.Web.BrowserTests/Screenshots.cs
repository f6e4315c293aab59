using Microsoft.Playwright;

namespace NetLab.Web.BrowserTests;

/// <summary>Full-page screenshots kept as test output, one PNG per step, in a folder emptied at the start.</summary>
internal sealed class Screenshots
{
    private readonly string _folder;
    private readonly List<string> _taken = [];

    public Screenshots(string folder)
    {
        _folder = folder;
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
    }

    public IReadOnlyList<string> Taken => _taken;

    public async Task TakeAsync(IPage page, string step)
    {
        var file = Path.Combine(_folder, $"{step}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        _taken.Add(file);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {file}");
    }
}
