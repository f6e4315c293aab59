using Microsoft.AspNetCore.Antiforgery;
using NetLab.Web.Accounts;
using NetLab.Web.Model;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>
/// The JSON API under <c>/api</c> (docs/web-api.md, "JSON API"): a student's own labs, an instructor's courses,
/// rosters and assignments, a student's copies and hand-ins, so a course can be scripted and an autograder can run
/// outside the browser. Every route requires a signed-in user (the web's fallback policy: a bearer token or the
/// cookie) and goes through the same services the pages use.
/// </summary>
public static class JsonApi
{
    public const string AntiforgeryPath = "/api/antiforgery";

    public static IEndpointRouteBuilder MapJsonApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api").AddEndpointFilter(GuardAsync);
        api.MapGet("/antiforgery", AntiforgeryToken);
        LabsApi.Map(api);
        CoursesApi.Map(api);
        AssignmentsApi.Map(api);
        CourseRecordsApi.Map(api);
        return endpoints;
    }

    /// <summary>The antiforgery token a cookie-signed-in script sends as the <c>RequestVerificationToken</c> header.</summary>
    public sealed record AntiforgeryAnswer(string HeaderName, string Token);

    private static IResult AntiforgeryToken(HttpContext context, IAntiforgery antiforgery)
    {
        // Sets the antiforgery cookie too; another site's page cannot read this answer (no CORS), so it cannot learn the token.
        var tokens = antiforgery.GetAndStoreTokens(context);
        return ApiAnswers.Ok(new AntiforgeryAnswer(tokens.HeaderName!, tokens.RequestToken!));
    }

    /// <summary>
    /// Before every route: a change (POST, PUT, DELETE) signed in by the browser's cookie must carry the antiforgery
    /// token, since a browser sends the cookie with another site's form too; a bearer token is never sent by a browser
    /// on its own, so it needs none. After: the store's full disk and a quota said as JSON.
    /// </summary>
    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !AccessTokens.CarriesBearerToken(context.Request))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
            {
                return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "antiforgery",
                    $"A change signed in with the cookie must carry the antiforgery token: GET {AntiforgeryPath} and send its token as the " +
                    "RequestVerificationToken header (with the cookies it set), or use a bearer token (POST /api/auth/token). Nothing was changed.");
            }
        }

        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (QuotaExceededException quota)
        {
            return ApiAnswers.Fail(StatusCodes.Status429TooManyRequests, "quota", quota.Message, quota: quota.Refusal);
        }
        catch (StoreFullException full)
        {
            return ApiAnswers.Fail(StatusCodes.Status507InsufficientStorage, "store-full", full.Message);
        }
    }

    /// <summary>The signed-in user (the fallback policy has required one before any route runs).</summary>
    internal static CurrentUser UserOf(HttpContext context) =>
        CurrentUser.From(context.User) ?? throw new InvalidOperationException("The JSON API answered a request without a signed-in user.");
}
