using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetLab.Web.Accounts;

namespace NetLab.Web.Tests.Accounts;

/// <summary>Password guessing is slowed per client address: the sign-in form and the token endpoint share one budget an address.</summary>
public sealed class SignInRateLimitTests : IAsyncDisposable
{
    private readonly InProcessWebs _webs = new();
    private readonly WebApplicationFactory<Program> _app;

    public SignInRateLimitTests() => _app = _webs.Start(
        services => services.AddSingleton<IStartupFilter, TestPeerAddress>(),
        ("Web:SignInAttemptsPerMinute", "3"));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _webs.DisposeAsync();

    [Fact]
    public async Task Attempts_beyond_the_budget_of_one_address_get_429_with_when_to_retry_and_other_addresses_go_on()
    {
        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var answer = await GuessTokenAsync("10.0.0.5");
            answers.Add(answer.StatusCode);
        }

        using var limited = await GuessTokenAsync("10.0.0.5");
        using var form = await GuessWithFormAsync("10.0.0.5");
        using var other = await GuessTokenAsync("10.0.0.6");

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without a Retry-After");
        Assert.StartsWith("Too many sign-in attempts from this address", await limited.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void A_budget_out_of_range_is_refused_at_start_up(int perMinute)
    {
        var result = new WebOptionsValidator().Validate(null, new WebOptions { SignInAttemptsPerMinute = perMinute });

        Assert.False(result.Succeeded);
        Assert.Contains(result.Failures!, f => f.StartsWith("Web:SignInAttemptsPerMinute", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> GuessTokenAsync(string peer)
    {
        using var client = Client(peer);
        return await client.PostAsJsonAsync(AccessTokens.TokenPath, new { user = "alice", password = "guess" }, Cancel);
    }

    private async Task<HttpResponseMessage> GuessWithFormAsync(string peer)
    {
        using var client = Client(peer);
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice", ["password"] = "guess" });
        return await client.PostAsync(new Uri(AccountAuthentication.SignInPath, UriKind.Relative), body, Cancel);
    }

    private HttpClient Client(string peer)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, peer);
        return client;
    }
}
