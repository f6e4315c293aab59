using System.Net;
using Microsoft.AspNetCore;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using NetLab.TestIdentityProvider;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

// usage: NetLab.TestIdentityProvider --config FILE [--port N]
// Prints "listening http://127.0.0.1:PORT" once it serves; runs until its standard input closes or SIGTERM.
if (args is not ["--config", var configPath, .. var rest] || rest is not ([] or ["--port", _]))
{
    Console.Error.WriteLine("usage: NetLab.TestIdentityProvider --config FILE [--port N]");
    return 2;
}

var config = ProviderConfig.Load(configPath);
var port = rest is ["--port", var p] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 0;

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "NetLab.TestIdentityProvider" });
builder.Configuration.Sources.Clear();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("OpenIddict", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

// One database for the process: the options callback runs for every context, so the name is chosen once.
var database = $"provider-{Guid.NewGuid():N}";
builder.Services.AddDbContext<DbContext>(options =>
{
    options.UseInMemoryDatabase(database);
    options.UseOpenIddict();
});
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options => options.LoginPath = "/account/login");
builder.Services.AddAuthorization();
builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DbContext>())
    .AddServer(options =>
    {
        options.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetUserInfoEndpointUris("connect/userinfo")
            .SetEndSessionEndpointUris("connect/logout");
        options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
        options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles);
        // Keys live as long as the process: a test's provider is started for the test and gone after it.
        options.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
        options.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableUserInfoEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough()
            // Plain HTTP, on loopback only (the listener above): tests have no certificate for it.
            .DisableTransportSecurityRequirement();
    });

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

await using (var scope = app.Services.CreateAsyncScope())
{
    var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
    foreach (var client in config.Clients)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Email,
                Permissions.Scopes.Roles,
            },
        };
        descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u)));
        descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris.Select(u => new Uri(u)));
        await applications.CreateAsync(descriptor);
    }
}

app.MapGet("/account/login", (string? returnUrl, string? error) => Results.Content(LoginPage.Html(returnUrl ?? "/", error), "text/html"));
app.MapPost("/account/login", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync();
    var returnUrl = form["returnUrl"].ToString();
    var user = config.Users.FirstOrDefault(u => u.UserName == form["username"].ToString() && u.Password == form["password"].ToString());
    if (user is null)
    {
        return Results.Content(LoginPage.Html(returnUrl, "Unknown user name or wrong password."), "text/html", statusCode: StatusCodes.Status200OK);
    }

    var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Subject)], CookieAuthenticationDefaults.AuthenticationScheme);
    await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    // Only back into this provider (the authorization endpoint): never an open redirect.
    return Results.Redirect(returnUrl.StartsWith("/connect/", StringComparison.Ordinal) ? returnUrl : "/");
}).DisableAntiforgery();

app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext context) =>
{
    var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
    var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    var user = signedIn.Succeeded ? config.Users.FirstOrDefault(u => u.Subject == signedIn.Principal.FindFirstValue(ClaimTypes.NameIdentifier)) : null;
    if (user is null)
    {
        return Results.Challenge(
            new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + QueryString.Create(context.Request.HasFormContentType ? [.. context.Request.Form] : [.. context.Request.Query]) },
            [CookieAuthenticationDefaults.AuthenticationScheme]);
    }

    var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, user.Subject)
        .SetClaim(Claims.Name, user.Name)
        .SetClaim(Claims.PreferredUsername, user.UserName)
        .SetClaim(Claims.Email, user.Email)
        .SetClaims(Claims.Role, [.. user.Roles]);
    identity.SetScopes(request.GetScopes());
    identity.SetDestinations(claim => claim.Type switch
    {
        Claims.Name or Claims.PreferredUsername when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Email when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
        _ => [Destinations.AccessToken],
    });
    return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

app.MapMethods("/connect/userinfo", ["GET", "POST"], async (HttpContext context) =>
{
    var token = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    if (!token.Succeeded)
    {
        return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    return Results.Json(token.Principal.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.First().Value : g.Select(c => c.Value).ToArray()));
});

app.MapMethods("/connect/logout", ["GET", "POST"], async (HttpContext context) =>
{
    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
});

await app.StartAsync();
Console.WriteLine($"listening {app.Urls.First()}");
Console.Out.Flush();

// A test that dies without stopping it closes its pipe: the provider goes with it.
var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
await Task.WhenAny(stdinClosed, app.WaitForShutdownAsync());
await app.StopAsync();
return 0;
