using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NetLab.Web.BrowserTests;

/// <summary>Steps on a lab's page that more than one journey takes.</summary>
internal static class LabPageSteps
{
    /// <summary>
    /// Apply: the plan (when <paramref name="expectedCommand"/> is given, exactly that one command), the run, the dialog
    /// closed, then the live state showing the seed macvlan labs' two children up (ns2/macvlan2, ns3/macvlan3).
    /// </summary>
    public static async Task ApplyMacvlanLabAsync(IPage page, float timeout, Regex? expectedCommand = null)
    {
        await page.Locator(".lab-apply").ClickAsync();
        await Expect(page.Locator(".apply-plan")).ToBeVisibleAsync(new() { Timeout = timeout });
        if (expectedCommand is not null)
        {
            await Expect(page.Locator(".apply-plan .plan-command")).ToHaveTextAsync([expectedCommand]);
        }

        await page.Locator(".apply-run").ClickAsync();
        await Expect(page.Locator(".apply-succeeded")).ToBeVisibleAsync(new() { Timeout = timeout });
        await page.Locator(".apply-close").ClickAsync();
        await Expect(page.Locator(".apply-dialog")).ToHaveCountAsync(0, new() { Timeout = timeout });
        foreach (var (element, name) in new[] { ("ns2", "macvlan2"), ("ns3", "macvlan3") })
        {
            var row = page.Locator($".live-namespace[data-element='{element}'] tr.live-interface[data-interface='{name}']");
            await Expect(row.Locator(".live-state")).ToHaveClassAsync(new Regex(@"\blive-state-up\b"), new() { Timeout = timeout });
        }
    }
}
