using System.Security.Claims;
using NetLab.Web.Accounts;
using NetLab.Web.Store;

namespace NetLab.Web.Tests.Accounts;

/// <summary>How an ID token's claims become a NetLab identity (<see cref="SingleSignOn.Map"/>), and the settings' checks.</summary>
public sealed class SingleSignOnMappingTests
{
    private static readonly OidcOptions Options = new() { Authority = "https://login.school.example", ClientId = "netlab", ClientSecret = "s" };

    private static List<Claim> Token(params (string Type, string Value)[] extra) =>
        [new("iss", "https://login.school.example/"), new("sub", "u-1"), new("preferred_username", "alice"), new("name", "Alice Adams"), .. extra.Select(e => new Claim(e.Type, e.Value))];

    [Fact]
    public void Issuer_subject_names_and_no_role_when_no_role_claim_is_configured()
    {
        var mapped = SingleSignOn.Map(Token(("role", "instructor")), Options);

        Assert.Null(mapped.Problem);
        Assert.Equal(new ExternalIdentity("https://login.school.example/", "u-1", "alice", "Alice Adams", null), mapped.Identity);
    }

    [Theory]
    [InlineData(new string[0], UserRole.Student)]
    [InlineData(new[] { "student" }, UserRole.Student)]
    [InlineData(new[] { "Instructor" }, UserRole.Student)]
    [InlineData(new[] { "staff", "teacher" }, UserRole.Instructor)]
    public void The_configured_role_claim_makes_an_instructor_only_with_the_exact_value(string[] roles, UserRole expected)
    {
        var options = new OidcOptions { RoleClaim = "groups", InstructorRoleValue = "teacher" };

        var mapped = SingleSignOn.Map(Token([.. roles.Select(r => ("groups", r)), ("role", "teacher")]), options);

        Assert.Equal(expected, mapped.Identity!.Role);
    }

    [Fact]
    public void Other_claims_can_carry_the_names()
    {
        var options = new OidcOptions { UserNameClaim = "uid", DisplayNameClaim = "cn" };

        var mapped = SingleSignOn.Map(Token(("uid", "a.adams"), ("cn", "Adams, Alice")), options);

        Assert.Equal(("a.adams", "Adams, Alice"), (mapped.Identity!.UserName, mapped.Identity.DisplayName));
    }

    [Theory]
    [InlineData(null, "alice")]
    [InlineData("", "alice")]
    [InlineData("  Alice \t\n Adams\u0000 ", "Alice Adams")]
    [InlineData("\u0007", "alice")]
    public void The_display_name_is_one_printable_line_or_the_user_name(string? claim, string expected) =>
        Assert.Equal(expected, SingleSignOn.DisplayName(claim, "alice"));

    [Fact]
    public void A_long_display_name_is_cut_to_the_stores_bound()
    {
        var shown = SingleSignOn.DisplayName(new string('x', 300), "alice");

        Assert.Equal(UserStore.MaxDisplayNameLength, shown.Length);
        Assert.Null(UserStore.DisplayNameProblem(shown));
    }

    [Theory]
    [InlineData("sub", "the ID token's subject (sub) is missing")]
    [InlineData("iss", "the ID token's issuer (iss) is missing")]
    [InlineData("preferred_username", "has no 'preferred_username' claim")]
    public void A_token_without_what_identifies_the_person_is_refused(string missing, string expected)
    {
        var mapped = SingleSignOn.Map(Token().Where(c => c.Type != missing), Options);

        Assert.Null(mapped.Identity);
        Assert.Contains(expected, mapped.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subject_beyond_its_bound_is_refused()
    {
        var mapped = SingleSignOn.Map(Token().Where(c => c.Type != "sub").Append(new Claim("sub", new string('s', 256))), Options);

        Assert.Contains("longer than 255", mapped.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice@school.example")]
    [InlineData("-alice")]
    [InlineData("alice\nadmin")]
    public void A_user_name_against_netlabs_rule_is_refused_as_it_is_never_rewritten(string name)
    {
        var mapped = SingleSignOn.Map(Token().Where(c => c.Type != "preferred_username").Append(new Claim("preferred_username", name)), Options);

        Assert.Null(mapped.Identity);
        Assert.Contains("which is no NetLab user name", mapped.Problem, StringComparison.Ordinal);
        Assert.Contains("Web:Oidc:UserNameClaim", mapped.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', mapped.Problem!);
    }

    [Fact]
    public void Without_settings_single_sign_on_is_off_and_valid()
    {
        var options = new OidcOptions();

        Assert.False(options.Enabled);
        Assert.True(new OidcOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("https://login.school.example/realms/school")]
    [InlineData("http://127.0.0.1:5001/")]
    [InlineData("http://localhost:5001")]
    [InlineData("http://[::1]:5001/")]
    public void A_complete_configuration_is_valid_and_plain_http_only_on_loopback(string authority)
    {
        var options = new OidcOptions { Authority = authority, ClientId = "netlab", ClientSecret = "s3cret" };

        Assert.True(new OidcOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(authority.StartsWith("http:", StringComparison.Ordinal), options.AllowsHttpMetadata);
    }

    [Theory]
    [InlineData("Authority", null, "Web:Oidc:Authority is missing while other Web:Oidc settings are given")]
    [InlineData("Authority", "http://login.school.example", "is plain HTTP")]
    [InlineData("Authority", "http://login.school.example", "Use the provider's https:// address")]
    [InlineData("Authority", "login.school.example", "is not an http(s) address")]
    [InlineData("Authority", "https://login.school.example/?x=1", "is not an http(s) address")]
    [InlineData("ClientId", " ", "Web:Oidc:ClientId is missing")]
    [InlineData("ClientSecret", null, "Web__Oidc__ClientSecret")]
    [InlineData("Scopes", "profile email", "lacks 'openid'")]
    [InlineData("UserNameClaim", "", "Web:Oidc:UserNameClaim is empty")]
    [InlineData("DisplayNameClaim", "", "Web:Oidc:DisplayNameClaim is empty")]
    [InlineData("InstructorRoleValue", "", "InstructorRoleValue is empty")]
    [InlineData("DisplayName", "School\nlogin", "Web:Oidc:DisplayName must be")]
    [InlineData("PublicUrl", "netlab.example.org", "Web:Oidc:PublicUrl 'netlab.example.org' is not")]
    public void A_configuration_that_cannot_work_is_refused_saying_how_to_fix_it(string setting, string? value, string expected)
    {
        var options = new OidcOptions { Authority = "https://login.school.example", ClientId = "netlab", ClientSecret = "s3cret", RoleClaim = "groups" };
        typeof(OidcOptions).GetProperty(setting)!.SetValue(options, value);

        var result = new OidcOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
