using Bunit;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>The lab page's Checks tab: generate from the predictions, edit, check as typed, save with the lab.</summary>
public sealed class LabChecksPanelTests : IAsyncDisposable
{
    private const string OneCheck = "checks:\n- { from: ns2, reaches: 100.0.0.3 }\n";

    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private async Task<(LabSummary Lab, IRenderedComponent<Lab> Page)> BridgePageAsync(string? checks = null)
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;
        if (checks is not null)
        {
            Assert.True((await _context.Store.SaveChecksAsync(LabStore.LocalUserId, lab.Id, checks)).Succeeded);
        }

        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));
        return (lab, page);
    }

    private static string Editor(IRenderedComponent<Lab> page) => page.Find(".checks-editor textarea").GetAttribute("value") ?? "";

    [Fact]
    public async Task Generate_fills_the_editor_with_the_predictions_and_save_stores_them_with_the_lab()
    {
        var (lab, page) = await BridgePageAsync();
        Assert.True(page.Find("button.checks-save").HasAttribute("disabled"));

        page.Find("button.checks-generate").Click();

        page.WaitForAssertion(() => Assert.Contains("- {from: ns2, reaches: 100.0.0.3}", Editor(page), StringComparison.Ordinal));
        Assert.Contains("- {from: ns2, doesNotReach: 100.0.0.2}", Editor(page), StringComparison.Ordinal);
        Assert.Contains("- {interface: ns2/macvlan2, kind: macvlan, mode: bridge}", Editor(page), StringComparison.Ordinal);
        Assert.Contains("not saved yet", page.Find(".checks-valid").TextContent, StringComparison.Ordinal);

        page.Find("button.checks-save").Click();

        page.WaitForAssertion(() => Assert.True(page.Find("button.checks-save").HasAttribute("disabled")));
        Assert.Equal(Editor(page), (await _context.Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
        Assert.EndsWith("all valid for this lab.", page.Find(".checks-valid").TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_asks_before_it_replaces_checks_and_keeps_them_when_told_to()
    {
        var (_, page) = await BridgePageAsync(OneCheck);
        page.WaitForAssertion(() => Assert.Equal(OneCheck, Editor(page)));

        page.Find("button.checks-generate").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Replace the checks?", _context.Dialogs.Markup, StringComparison.Ordinal));
        Button(_context.Dialogs, "Keep mine").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain("Replace the checks?", _context.Dialogs.Markup, StringComparison.Ordinal));
        Assert.Equal(OneCheck, Editor(page));

        page.Find("button.checks-generate").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Replace the checks?", _context.Dialogs.Markup, StringComparison.Ordinal));
        Button(_context.Dialogs, "Replace").Click();

        page.WaitForAssertion(() => Assert.Contains("doesNotReach", Editor(page), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_check_naming_what_the_lab_lacks_shows_its_problem_and_cannot_be_saved()
    {
        var (lab, page) = await BridgePageAsync();

        page.Find(".checks-editor textarea").Change("checks:\n- { from: ns9, reaches: 100.0.0.3 }\n");

        page.WaitForAssertion(() => Assert.Contains("has no host or namespace 'ns9'", page.Find(".lab-checks .problem-list").TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("button.checks-save").HasAttribute("disabled"));
        Assert.Equal("", (await _context.Store.GetChecksAsync(LabStore.LocalUserId, lab.Id))!.Text);
    }

    [Fact]
    public async Task Checks_wait_for_the_labs_unsaved_edits_to_be_saved()
    {
        var (_, page) = await BridgePageAsync();

        page.Find(".lab-yaml textarea").Change(RepositoryFiles.Lab("macvlan-bridge.yaml") + "# an edit\n");
        page.Find(".checks-editor textarea").Change(OneCheck);

        page.WaitForAssertion(() => Assert.NotNull(page.Find(".checks-save-lab-first")));
        Assert.True(page.Find("button.checks-save").HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_checks_editor_takes_one_character_past_the_checks_limit()
    {
        var (_, page) = await BridgePageAsync();

        Assert.Equal(
            (Core.Grading.ChecksFormat.MaxDocumentBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            page.Find(".checks-editor textarea").GetAttribute("maxlength"));
    }

    internal static AngleSharp.Dom.IElement Button(IRenderedComponent<MudBlazor.MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text);
}
