using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Components.Pages;
using NetLab.Web.Agent;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

public sealed class LabsPageTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new();

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    [Fact]
    public void An_empty_store_shows_how_to_start()
    {
        var page = _context.Bunit.Render<Labs>();

        Assert.NotNull(page.Find(".labs-empty"));
    }

    [Fact]
    public async Task The_labs_of_the_store_are_listed_with_export_links()
    {
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("vlan-888.yaml"))).Value!;
        await _context.Store.CreateBlankAsync(LabStore.LocalUserId, "blank");

        var page = _context.Bunit.Render<Labs>();

        Assert.Equal(["blank", "vlan-888"], page.FindAll("tr.lab-row").Select(r => r.GetAttribute("data-lab")));
        Assert.Contains(page.FindAll("a.lab-export"), a => a.GetAttribute("href") == $"labs/{lab.Id}/export");
    }

    [Fact]
    public async Task Creating_a_blank_lab_opens_it()
    {
        var navigation = _context.Bunit.Services.GetRequiredService<NavigationManager>();
        var page = _context.Bunit.Render<Labs>();

        page.Find(".labs-new").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".new-name input")));
        _context.Dialogs.Find(".new-name input").Change("fresh");
        _context.Dialogs.Find(".new-submit").Click();

        page.WaitForAssertion(() => Assert.EndsWith("/labs/", LabUriBeforeId(navigation.Uri), StringComparison.Ordinal));
        var lab = Assert.Single(await _context.Store.ListLabsAsync(LabStore.LocalUserId));
        Assert.Equal("fresh", lab.Name);
        Assert.Equal(navigation.ToAbsoluteUri($"labs/{lab.Id}").ToString(), navigation.Uri);
    }

    [Fact]
    public void A_canceled_new_lab_dialog_stays_on_the_list()
    {
        var navigation = _context.Bunit.Services.GetRequiredService<NavigationManager>();
        var before = navigation.Uri;
        var page = _context.Bunit.Render<Labs>();

        page.Find(".labs-new").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".new-cancel")));
        _context.Dialogs.Find(".new-cancel").Click();

        _context.Dialogs.WaitForAssertion(() => Assert.Empty(_context.Dialogs.FindAll(".new-submit")));
        Assert.Equal(before, navigation.Uri);
    }

    /// <summary>The URI up to the lab id's digits, so a wait can tell "a lab page" before the id is known.</summary>
    private static string LabUriBeforeId(string uri) => uri.TrimEnd("0123456789".ToCharArray());

    [Fact]
    public void Importing_valid_YAML_adds_the_lab()
    {
        var page = _context.Bunit.Render<Labs>();

        page.Find(".labs-import").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.NotNull(_context.Dialogs.Find(".import-yaml textarea")));
        _context.Dialogs.Find(".import-yaml textarea").Change(RepositoryFiles.Lab("macvlan-vepa.yaml"));
        _context.Dialogs.Find(".import-submit").Click();

        page.WaitForAssertion(() => Assert.Equal(["macvlan-vepa"], page.FindAll("tr.lab-row").Select(r => r.GetAttribute("data-lab"))));
    }

    [Fact]
    public async Task Delete_asks_for_confirmation_and_then_removes_the_lab()
    {
        var doomed = (await _context.Store.CreateBlankAsync(LabStore.LocalUserId, "doomed")).Value!;
        _context.Agent.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult("doomed", true, 0, 0, 0.1)));
        var page = _context.Bunit.Render<Labs>();

        page.Find(".lab-delete").Click();
        _context.Dialogs.WaitForAssertion(() => Assert.Contains("Delete doomed", _context.Dialogs.Markup, StringComparison.Ordinal));
        Assert.Single(await _context.Store.ListLabsAsync(LabStore.LocalUserId));
        _context.Dialogs.WaitForAssertion(() => Assert.False(_context.Dialogs.Find(".delete-submit").HasAttribute("disabled")));
        _context.Dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find(".labs-empty")));
        Assert.Empty(await _context.Store.ListLabsAsync(LabStore.LocalUserId));
        Assert.Equal([$"destroy {doomed.KernelName}"], _context.Agent.Calls);
    }
}
