using Bunit;
using NetLab.Web.Components.Pages;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>The lab page's YAML tab lets a browser put every lab that can be valid in it, whole (see LabTextLimit).</summary>
public sealed class LabYamlEditorTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task The_YAML_tab_takes_one_character_past_the_lab_limit()
    {
        var lab = (await _context.Store.CreateBlankAsync(LabStore.LocalUserId, "edited")).Value!;
        var page = _context.Bunit.Render<Lab>(p => p.Add(l => l.LabId, lab.Id));

        page.WaitForAssertion(() => Assert.Equal(
            (Core.Formats.LabFormat.MaxDocumentBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            page.Find(".lab-yaml textarea").GetAttribute("maxlength")));
    }
}
