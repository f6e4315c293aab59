using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace NetLab.Web.Accounts;

/// <summary>
/// Password guessing is slowed per client address (ASP.NET Core's rate limiter, a token bucket per address): the sign-in
/// form and the token endpoint together take <see cref="WebOptions.SignInAttemptsPerMinute"/> attempts a minute from
/// one address, with as many at once, so a class behind one NAT address can sign in together while a student with a
/// shell on the lab server cannot try thousands of a classmate's passwords (each also costs the web a PBKDF2 hash).
/// </summary>
public static class SignInRateLimit
{
    public const string PolicyName = "sign-in";

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(10);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsync(
                    $"Too many sign-in attempts from this address; try again in {Math.Ceiling(retry.TotalSeconds):0} s.", cancellationToken).ConfigureAwait(false);
            };
            limiter.AddPolicy(PolicyName, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.SignInAttemptsPerMinute;
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perMinute,
                    TokensPerPeriod = Math.Max(1, perMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
}
