using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Agent.Engine;
using NetLab.Core.Labs;

namespace NetLab.Agent.Api;

/// <summary>
/// Which labs a request may see and touch. A request that names its acting user (the header
/// <see cref="ActingUser.Header"/>, sent by the web for its signed-in user) reaches only the labs recorded as that
/// user's (<see cref="LabOwners"/>); any other lab answers as if it did not exist (404), and the refusal is logged. A
/// request without the header is the administrator's and reaches every lab. The web checks ownership itself; this is
/// the agent checking again, so that no mistake in the web lets one student's request touch another's lab.
/// </summary>
internal static partial class LabAccess
{
    private static readonly object ActingUserKey = new();

    /// <summary>The request's acting user; null for an administrator's request.</summary>
    public static string? ActingUserOf(HttpContext context) => context.Items[ActingUserKey] as string;

    /// <summary>Middleware: reads the acting user (400 when malformed) and refuses a route's lab that is not the user's (404).</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var values = context.Request.Headers[ActingUser.Header];
        if (values.Count > 1 || (values.Count == 1 && ActingUser.Problem(values[0]) is not null))
        {
            await AgentEndpoints.WriteErrorAsync(context, AgentErrors.BadRequest(
                values.Count > 1 ? $"The request names {values.Count} acting users; send one {ActingUser.Header} header." : ActingUser.Problem(values[0])!)).ConfigureAwait(false);
            return;
        }

        if (values.Count == 1)
        {
            var user = values[0]!;
            context.Items[ActingUserKey] = user;

            // A name that is no lab name is left to the route, which answers 400 saying why.
            if (context.GetRouteValue("name") is string lab && LabName.Problem(lab) is null
                && context.RequestServices.GetRequiredService<LabOwners>().OwnerOf(lab) is var owner && owner != user)
            {
                // Someone else's lab is a refusal worth a warning; a name nobody holds (a lab just destroyed, whose page
                // still polls it) is only not found: a class start logged hundreds of false refusals otherwise.
                var engine = context.RequestServices.GetRequiredService<ILabEngine>();
                if (owner is not null || await HeldAsync(context, engine, lab).ConfigureAwait(false))
                {
                    Refused(context, user, lab);
                }
                else
                {
                    LogNoSuchLab(Logger(context), context.Request.Method, context.Request.Path, lab);
                }

                await AgentEndpoints.WriteErrorAsync(context, AgentErrors.LabNotFound(lab)).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The labs of <paramref name="states"/> the request may see.</summary>
    public static IReadOnlyList<LabState> Visible(HttpContext context, IReadOnlyList<LabState> states)
    {
        if (ActingUserOf(context) is not { } user)
        {
            return states;
        }

        var owners = context.RequestServices.GetRequiredService<LabOwners>();
        return [.. states.Where(s => owners.OwnerOf(s.Lab) == user)];
    }

    /// <summary>
    /// Whether the request may plan <paramref name="lab"/>: an administrator always; a user for a lab of theirs, or for a
    /// name nobody holds (no owner, nothing in the kernel). Otherwise answers 404 and returns false.
    /// </summary>
    public static async Task<bool> MayPlanAsync(HttpContext context, ILabEngine engine, string lab)
    {
        if (ActingUserOf(context) is not { } user)
        {
            return true;
        }

        var owner = context.RequestServices.GetRequiredService<LabOwners>().OwnerOf(lab);
        if (owner == user || (owner is null && !await HeldAsync(context, engine, lab).ConfigureAwait(false)))
        {
            return true;
        }

        Refused(context, user, lab);
        await AgentEndpoints.WriteErrorAsync(context, AgentErrors.LabNotFound(lab)).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Whether the request may apply <paramref name="lab"/>, claiming the name for its user when nobody holds it: an
    /// administrator always; a user for a lab of theirs or a free name. Otherwise answers 409 (lab-taken) and returns false.
    /// </summary>
    public static async Task<bool> MayApplyAsync(HttpContext context, ILabEngine engine, string lab)
    {
        if (ActingUserOf(context) is not { } user)
        {
            return true;
        }

        var owners = context.RequestServices.GetRequiredService<LabOwners>();
        var owner = owners.OwnerOf(lab);
        if (owner == user || (owner is null && !await HeldAsync(context, engine, lab).ConfigureAwait(false) && owners.Claim(lab, user)))
        {
            return true;
        }

        Refused(context, user, lab);
        await AgentEndpoints.WriteErrorAsync(context, AgentErrors.LabTaken(lab)).ConfigureAwait(false);
        return false;
    }

    private static async Task<bool> HeldAsync(HttpContext context, ILabEngine engine, string lab) =>
        (await engine.StateAsync(lab, context.RequestAborted).ConfigureAwait(false)).Count > 0;

    private static void Refused(HttpContext context, string user, string lab) =>
        LogRefused(Logger(context), context.Request.Method, context.Request.Path, user, lab);

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("NetLab.Agent.LabAccess");

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: no lab {Lab} is held")]
    private static partial void LogNoSuchLab(ILogger logger, string method, string path, string lab);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path}: lab {Lab} is not the acting user {User}'s")]
    private static partial void LogRefused(ILogger logger, string method, string path, string user, string lab);
}
