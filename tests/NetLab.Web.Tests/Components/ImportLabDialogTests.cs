using Bunit;
using MudBlazor;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

public sealed class ImportLabDialogTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public async Task Invalid_YAML_shows_the_problems_inline_keeps_the_dialog_open_and_stores_nothing()
    {
        var dialog = await ShowAsync(RepositoryFiles.Lab("invalid/macvlan-passthru-two-children.yaml"));

        _context.Dialogs.Find(".import-submit").Click();

        _context.Dialogs.WaitForAssertion(() => Assert.NotEmpty(_context.Dialogs.FindAll("tr.problem")));
        Assert.Contains("namespaces.ns3.interfaces.macvlan3.parent", _context.Dialogs.Markup, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported", _context.Dialogs.Markup, StringComparison.Ordinal);
        Assert.False(dialog.Result.IsCompleted);
        Assert.Empty(await _context.Store.ListLabsAsync(LabStore.LocalUserId));
    }

    [Fact]
    public async Task Valid_YAML_is_stored_under_the_given_name_and_closes_the_dialog_with_the_lab()
    {
        var dialog = await ShowAsync(RepositoryFiles.Lab("macvtap.yaml"));

        _context.Dialogs.Find(".import-name input").Change("my-macvtap");
        _context.Dialogs.Find(".import-submit").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
        var lab = Assert.IsType<LabSummary>(result!.Data);
        Assert.Equal("my-macvtap", lab.Name);
        Assert.Equal(["my-macvtap"], (await _context.Store.ListLabsAsync(LabStore.LocalUserId)).Select(l => l.Name));
    }

    /// <summary>
    /// A browser cuts what is pasted beyond a field's maxlength without a word: with MudBlazor's default (524288) a 1.1 MB
    /// paste was imported as the valid lab of its first half. The field takes every lab that can be valid, and one
    /// character more, so that a longer text reaches the validator and is refused naming the 1 MiB limit.
    /// </summary>
    [Fact]
    public async Task The_YAML_field_takes_one_character_past_the_lab_limit_so_a_longer_paste_is_refused_not_cut()
    {
        await ShowAsync("");

        var maxLength = int.Parse(_context.Dialogs.Find(".import-yaml textarea").GetAttribute("maxlength")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(Core.Formats.LabFormat.MaxDocumentBytes + 1, maxLength);
    }

    [Fact]
    public async Task A_text_cut_at_the_fields_length_is_refused_naming_the_1_MiB_limit_and_stores_nothing()
    {
        // What the browser sends of a 5 MB paste: the field's length of it.
        await ShowAsync(("name: big\n#" + new string('x', 5 * 1024 * 1024))[..NetLab.Web.Model.LabTextLimit.EditorMaxLength]);

        _context.Dialogs.Find(".import-submit").Click();

        _context.Dialogs.WaitForAssertion(() => Assert.Contains("a lab file may be at most 1048576 bytes (1 MiB)", _context.Dialogs.Find("tr.problem").TextContent, StringComparison.Ordinal));
        Assert.Empty(await _context.Store.ListLabsAsync(LabStore.LocalUserId));
    }

    private async Task<IDialogReference> ShowAsync(string yaml)
    {
        var service = _context.Bunit.Services.GetService(typeof(IDialogService)) as IDialogService;
        var parameters = new DialogParameters<ImportLabDialog> { { d => d.Yaml, yaml } };
        var dialog = await _context.Dialogs.InvokeAsync(() => service!.ShowAsync<ImportLabDialog>("Import", parameters));
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".import-submit")));
        return dialog;
    }
}
