using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NetLab.Core.Validation;
using NetLab.Web.Model;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>
/// Every refusal of the JSON API: a code a script can branch on, words saying how to fix it, and, where they exist, the
/// problems found in a lab, checks or roster (<see cref="Problems"/>), the quota that was hit (<see cref="Quota"/>), or
/// the agent's result of an apply or destroy that failed (<see cref="Result"/>).
/// </summary>
public sealed record ApiError(
    string Error,
    string Message,
    IReadOnlyList<ApiProblem>? Problems = null,
    ApiQuota? Quota = null,
    NetLab.Agent.Client.Contracts.ApplyResult? Result = null);

/// <summary>One problem of a lab, checks file or other input: where, what, and what to do.</summary>
public sealed record ApiProblem(string Path, string Message, string Hint);

/// <summary>The limit a refused action would pass (<see cref="QuotaRefusal"/>): which one, the use now, what it needed, how to free room.</summary>
public sealed record ApiQuota(string Limit, long Allowed, long InUse, long Needed, string Unit, string HowToFree)
{
    public static ApiQuota Of(QuotaRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(refusal.Limit, refusal.Allowed, refusal.InUse, refusal.Needed, refusal.Unit, refusal.HowToFree);
    }
}

/// <summary>The API's JSON (camelCase, enums as camelCase strings, nulls left out), its limits and its answers.</summary>
public static class ApiAnswers
{
    /// <summary>A JSON body (a lab's YAML travels JSON-escaped inside it, up to 1 MiB of YAML, so room for that escaped).</summary>
    public const long MaxJsonBytes = 4L * 1024 * 1024;

    /// <summary>A YAML body (<c>PUT /api/labs/{id}/yaml</c>, <c>POST /api/labs</c> with application/yaml): a lab file's own limit.</summary>
    public const long MaxYamlBytes = NetLab.Core.Formats.LabFormat.MaxDocumentBytes;

    /// <summary>A roster's CSV body: the roster import's own limit.</summary>
    public const long MaxRosterBytes = Courses.RosterImport.MaxBytes;

    /// <summary>Deeper than any request of the API: a body nested deeper is refused before it is walked.</summary>
    private const int MaxJsonDepth = 16;

    public static JsonSerializerOptions Json { get; } = CreateJson();

    public static IResult Ok<T>(T value, int status = StatusCodes.Status200OK) => Results.Json(value, Json, statusCode: status);

    public static IResult Fail(int status, string error, string message, IReadOnlyList<Problem>? problems = null, QuotaRefusal? quota = null) =>
        Results.Json(
            new ApiError(error, message, problems is { Count: > 0 } ? [.. problems.Select(p => new ApiProblem(p.Path, p.Message, p.Hint))] : null, quota is null ? null : ApiQuota.Of(quota)),
            Json,
            statusCode: status);

    /// <summary>
    /// The one answer for "not yours or not there": another user's lab, course or assignment answers exactly as one that
    /// does not exist, so ids cannot be probed; <paramref name="logger"/> notes who asked (the object may exist).
    /// </summary>
    public static IResult NotFound(ILogger logger, CurrentUser user, string what, long id)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(user);
        logger.LogWarning("API: {What} {Id} is none of {User}'s (account {UserId}) or does not exist: answered 404", what, id, user.Name, user.Id);
        return Fail(StatusCodes.Status404NotFound, "not-found", $"You have no {what} {id}: it was deleted, the number is wrong, or it is someone else's. List yours with GET {ListOf(what)}.");
    }

    /// <summary>Refused by role, whatever the id: a student asking an instructor's route, or the other way round.</summary>
    public static IResult WrongRole(CurrentUser user, string needed) =>
        Fail(StatusCodes.Status403Forbidden, needed == "instructor" ? "instructors-only" : "students-only",
            $"Only a{(needed == "instructor" ? "n" : "")} {needed} may do this; '{user.Name}' is a{(user.Role == UserRole.Instructor ? "n instructor" : " student")}. Use an {(needed == "instructor" ? "instructor's" : "enrolled student's")} account (netlab user add NAME --role {needed}).");

    /// <summary>
    /// A store's refusal: a quota (429, with the limit's words), the name taken (409), else the input's problems (400).
    /// </summary>
    public static IResult Refused(IReadOnlyList<Problem> problems, string what)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.FirstOrDefault(p => p.Path == "quota") is { } quota)
        {
            return Fail(StatusCodes.Status429TooManyRequests, "quota", quota.Message, problems);
        }

        var words = string.Join("; ", problems.Select(p => string.IsNullOrEmpty(p.Hint) ? p.Message : $"{p.Message} ({p.Hint})"));
        return problems.Any(p => p.Path == "name" && p.Message.Contains("already", StringComparison.Ordinal))
            ? Fail(StatusCodes.Status409Conflict, "conflict", $"{what} was refused: {words}. Nothing was changed.", problems)
            : Fail(StatusCodes.Status400BadRequest, "invalid", $"{what} was refused: {words}. Nothing was changed.", problems);
    }

    /// <summary>
    /// Reads a JSON body of at most <see cref="MaxJsonBytes"/> as <typeparamref name="T"/>: a longer body is refused
    /// (413) before it is read, and a body that is not such JSON is 400 with the reader's words.
    /// </summary>
    public static async Task<(T? Value, IResult? Refusal)> ReadJsonAsync<T>(HttpContext context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var (bytes, refusal) = await ReadBodyAsync(context, MaxJsonBytes, "JSON").ConfigureAwait(false);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes!, Json) is { } value
                ? (value, null)
                : (null, Fail(StatusCodes.Status400BadRequest, "bad-json", "The body is JSON null; send an object (docs/web-api.md, JSON API)."));
        }
        catch (JsonException error)
        {
            return (null, Fail(StatusCodes.Status400BadRequest, "bad-json", $"The body is not the JSON this route takes: {error.Message} See docs/web-api.md, JSON API."));
        }
    }

    /// <summary>Reads a text body (YAML, CSV) of at most <paramref name="maxBytes"/> as UTF-8; longer is 413 before it is read.</summary>
    public static async Task<(string? Text, IResult? Refusal)> ReadTextAsync(HttpContext context, long maxBytes, string what)
    {
        var (bytes, refusal) = await ReadBodyAsync(context, maxBytes, what).ConfigureAwait(false);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        try
        {
            return (new UTF8Encoding(false, true).GetString(bytes!), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Fail(StatusCodes.Status400BadRequest, "bad-text", $"The {what} body is not UTF-8 text; save it as UTF-8 and send it again."));
        }
    }

    /// <summary>The body of an /api answer no route wrote one for (not signed in, no such route): JSON like every other refusal.</summary>
    public static Task WriteStatusAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (request, status) = (context.Request, context.Response.StatusCode);
        var error = status switch
        {
            StatusCodes.Status401Unauthorized => new ApiError("sign-in",
                $"Sign in first: {request.Path} answers signed-in users only. Send Authorization: Bearer TOKEN (POST /api/auth/token) or the sign-in cookie."),
            StatusCodes.Status403Forbidden => new ApiError("forbidden", $"{request.Method} {request.Path} is not yours to use."),
            StatusCodes.Status404NotFound => new ApiError("no-such-route", $"There is no route {request.Path} in the JSON API: docs/web-api.md lists them."),
            StatusCodes.Status405MethodNotAllowed => new ApiError("method-not-allowed", $"{request.Path} does not take {request.Method}: docs/web-api.md lists the routes."),
            _ => new ApiError("error", $"The web answered {status} to {request.Method} {request.Path}."),
        };
        return context.Response.WriteAsJsonAsync(error, Json, context.RequestAborted);
    }

    /// <summary>True when the request says its body is JSON (<c>application/json</c>, or <c>...+json</c>).</summary>
    public static bool IsJson(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentType is { } type
            && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<(byte[]? Bytes, IResult? Refusal)> ReadBodyAsync(HttpContext context, long maxBytes, string what)
    {
        if (context.Request.ContentLength is { } length && length > maxBytes)
        {
            return (null, TooLarge(context, what, maxBytes, $"{length} bytes"));
        }

        // A chunked body has no length to look at first: read at most one byte past the limit.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return (null, TooLarge(context, what, maxBytes, "longer than that"));
            }
        }

        return (buffer.ToArray(), null);
    }

    private static IResult TooLarge(HttpContext context, string what, long maxBytes, string actual)
    {
        // The rest of the body is not read: the connection cannot be reused.
        context.Response.Headers.Connection = "close";
        return Fail(StatusCodes.Status413PayloadTooLarge, "too-large",
            $"The {what} body is {actual}; this route takes at most {maxBytes} bytes ({maxBytes / 1024} KiB). Nothing was changed.");
    }

    private static string ListOf(string what) => what switch
    {
        "course" => "/api/courses",
        "assignment" => "/api/courses/{id}/assignments",
        _ => "/api/labs",
    };

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            MaxDepth = MaxJsonDepth,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }
}
