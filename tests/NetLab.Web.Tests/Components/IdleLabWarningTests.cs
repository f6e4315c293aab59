using Bunit;
using Dapper;
using NetLab.Web.Components.Controls.Live;
using NetLab.Web.Components.Pages;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>The lab page warns its owner before an idle applied lab is destroyed, and "Keep it applied" keeps it.</summary>
public sealed class IdleLabWarningTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private static int Limit => new QuotaOptions().Student.IdleAppliedMinutes!.Value;

    private static int Warning => new QuotaOptions().IdleWarningMinutes;

    [Fact]
    public async Task A_lab_inside_the_warning_time_shows_when_it_goes_and_keep_it_applied_takes_the_warning_away()
    {
        var lab = await AppliedLabAsync(idleMinutes: Limit - Warning + 5);

        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        var text = page.WaitForElement(".idle-lab-warning-text").TextContent;
        Assert.Contains("its namespaces will be destroyed in 10 min", text, StringComparison.Ordinal);
        Assert.Contains($"applied labs idle for {Limit} min give their room back", text, StringComparison.Ordinal);
        Assert.Contains("apply it again any time", text, StringComparison.Ordinal);

        await page.InvokeAsync(() => page.Find("button.idle-lab-keep").Click());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".idle-lab-warning")));
        var activity = (await new LabActivity(_context.Database, TimeProvider.System).GetAppliedAsync(LabStore.LocalUserId, lab.Id))!;
        Assert.InRange(DateTimeOffset.UtcNow - activity.LastActivity, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_lab_worked_on_recently_or_not_applied_shows_no_warning()
    {
        var recent = await AppliedLabAsync(idleMinutes: Limit - Warning - 5);
        var notApplied = (await _context.Store.CreateAsync(LabStore.LocalUserId, "name: plain\n")).Value!;

        foreach (var lab in new[] { recent, notApplied })
        {
            var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));
            page.WaitForElement(".lab-revisions");
            Assert.Empty(page.FindAll(".idle-lab-warning"));
        }
    }

    [Fact]
    public void The_text_says_within_a_minute_once_the_deadline_has_passed()
    {
        var now = new DateTimeOffset(2026, 12, 6, 14, 0, 0, TimeSpan.Zero);
        var deadline = new IdleDeadline(now.AddSeconds(-5), now.AddMinutes(-15), TimeSpan.FromMinutes(120));

        var text = IdleLabWarning.Describe(now.AddMinutes(-120), deadline, now);

        Assert.StartsWith("Nothing has been done on this lab since 12:00 UTC: its namespaces will be destroyed within a minute (at 13:59 UTC;", text, StringComparison.Ordinal);
    }

    private async Task<LabSummary> AppliedLabAsync(int idleMinutes)
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, "name: idle\n")).Value!;
        Assert.True(await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1));
        var then = DateTimeOffset.UtcNow.AddMinutes(-idleMinutes).ToUnixTimeMilliseconds();
        using var connection = _context.Database.Open();
        await connection.ExecuteAsync("UPDATE labs SET updated_ms = @then, applied_ms = @then WHERE id = @id", new { then, id = lab.Id });
        return lab;
    }
}
