using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NetLab.Web.Accounts;
using NetLab.Web.Components.Layout;
using NetLab.Web.Components.Pages.Account;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Components;

/// <summary>The sign-in page and the app bar's account menu, rendered with bUnit.</summary>
public sealed class AccountPagesTests : IAsyncDisposable
{
    private readonly WebTestContext _context = new(services => services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery()));

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private UserStore Users => _context.Bunit.Services.GetRequiredService<UserStore>();

    [Fact]
    public void Without_accounts_the_sign_in_page_says_which_command_makes_the_first()
    {
        var page = _context.Bunit.Render<SignIn>();

        Assert.Contains("sudo netlab user add NAME --role instructor", page.Find("[data-testid=no-account]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_form_posts_name_password_token_and_the_local_return_url_to_the_sign_in_endpoint()
    {
        await Users.AddAsync("alice", UserRole.Instructor, "correct horse");
        _context.Bunit.Services.GetRequiredService<NavigationManager>().NavigateTo("/account/signin?returnUrl=%2F%2Fevil.example&failed=wrong");

        var page = _context.Bunit.Render<SignIn>();
        var form = page.Find("form[data-testid=signin-form]");

        Assert.Empty(page.FindAll("[data-testid=no-account]"));
        Assert.Equal(("post", AccountAuthentication.SignInPath), (form.GetAttribute("method"), form.GetAttribute("action")));
        Assert.Equal("/", form.QuerySelector("input[name=returnUrl]")!.GetAttribute("value")); // another site's address is dropped
        Assert.Equal("password", form.QuerySelector("input[name=password]")!.GetAttribute("type"));
        Assert.NotNull(form.QuerySelector("input[name=username]"));
        Assert.Equal(FixedAntiforgery.Token, form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
        Assert.Contains("Wrong user name or password", page.Find("[data-testid=signin-error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disabled_account_is_told_so()
    {
        _context.Bunit.Services.GetRequiredService<NavigationManager>().NavigateTo("/account/signin?failed=disabled");

        var page = _context.Bunit.Render<SignIn>();

        Assert.Contains("This account is disabled", page.Find("[data-testid=signin-error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_bar_shows_who_is_signed_in_and_a_sign_out_form()
    {
        using var bunit = AppBarContext();
        var authorization = bunit.AddAuthorization();
        authorization.SetAuthorized("alice");
        authorization.SetClaims(
            new Claim(ClaimTypes.NameIdentifier, "1"),
            new Claim(AccountClaims.DisplayNameType, "Alice Liddell"),
            new Claim(ClaimTypes.Role, "instructor"));

        var menu = bunit.Render<AccountMenu>();
        var form = menu.Find("form[data-testid=signout-form]");

        Assert.Equal("Alice Liddell (instructor)", menu.Find("[data-testid=signed-in-user]").TextContent.Trim());
        Assert.Equal(("post", AccountAuthentication.SignOutPath), (form.GetAttribute("method"), form.GetAttribute("action")));
        Assert.Equal(FixedAntiforgery.Token, form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
        Assert.Equal("submit", form.QuerySelector("button")!.GetAttribute("type"));
    }

    [Fact]
    public void Signed_out_the_app_bar_shows_no_account()
    {
        using var bunit = AppBarContext();
        bunit.AddAuthorization().SetNotAuthorized();

        var menu = bunit.Render<AccountMenu>();

        Assert.Empty(menu.FindAll("[data-testid=signed-in-user]"));
        Assert.Empty(menu.FindAll("form"));
    }

    /// <summary>The app bar's menu on its own (the page context has rendered already, so takes no more services).</summary>
    private static BunitContext AppBarContext()
    {
        var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServices();
        bunit.Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());
        return bunit;
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public const string Token = "test-token";

        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new(Token, "__RequestVerificationToken");
    }
}
