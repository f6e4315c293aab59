using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Grading;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Api;

/// <summary>A lab as the API lists it.</summary>
public sealed record ApiLab(
    long Id,
    string Name,
    string KernelName,
    int? CurrentRevision,
    int? AppliedRevision,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    DateTimeOffset? Applied)
{
    public static ApiLab Of(LabSummary lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return new(lab.Id, lab.Name, lab.KernelName, lab.CurrentRevision, lab.AppliedRevision, lab.Created, lab.Updated, lab.Applied);
    }
}

/// <summary>A template a lab or assignment can start from (<c>labs/NAME.yaml</c>): its name, first comment line and lab name.</summary>
public sealed record ApiTemplate(string Name, string Description, string? LabName);

/// <summary>A lab with its current revision's YAML and its checks' text ("" when it has none).</summary>
public sealed record ApiLabDetails(ApiLab Lab, string Yaml, string Checks);

/// <summary>A revision saved: its number, the one it followed, its note.</summary>
public sealed record ApiRevision(long LabId, int Number, int? Parent, string Note, DateTimeOffset Created);

/// <summary><c>POST /api/labs</c>: from a template (<c>labs/NAME.yaml</c>) or from YAML, named <see cref="Name"/> or as the YAML says.</summary>
public sealed record CreateLabRequest(string? Template = null, string? Yaml = null, string? Name = null);

/// <summary>An apply or destroy: the revision applied (null after a destroy), the agent's result, and a store problem when the kernel changed but the store could not record it.</summary>
public sealed record ApiApplied(long LabId, int? Revision, ApplyResult Result, string? StoreError = null);

/// <summary>One check's result, with NetLab's explanation and fix of a failed one.</summary>
public sealed record ApiCheck(string Id, string Text, CheckOutcome Outcome, string? Observed, string? Reason, string? Explanation, string? Fix);

/// <summary>A grade of the applied revision: passed of total, every check's result, and the run it was recorded as.</summary>
public sealed record ApiGrade(long LabId, long? RunId, int Passed, int Failed, int NotChecked, int Total, double Score, string Summary, IReadOnlyList<ApiCheck> Checks, string? StoreError = null)
{
    public static ApiGrade Of(long labId, GradingOutcome graded)
    {
        ArgumentNullException.ThrowIfNull(graded);
        var grade = graded.Grade ?? throw new ArgumentException("A grading without a grade has no results.", nameof(graded));
        return new(labId, graded.Run?.Id, grade.Passed, grade.Failed, grade.NotChecked, grade.Checks.Count, grade.Score, grade.Summary,
            [.. grade.Checks.Select(c => new ApiCheck(c.Id, c.Text, c.Outcome, c.Observed, c.Reason, c.Explanation, c.Fix))], graded.StoreError);
    }
}

/// <summary>A recorded run of a lab, newest first in a list.</summary>
public sealed record ApiRun(long Id, long LabId, int Revision, string Title, RunStatus Status, DateTimeOffset Started, DateTimeOffset? Ended, string? Grade)
{
    public static ApiRun Of(RunSummary run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.Id, run.LabId, run.Revision, run.DisplayTitle, run.Status, run.Started, run.Ended, run.Grade);
    }
}

/// <summary>
/// The signed-in user's own labs: list, create (from a template or YAML), read, new revision, delete, apply, destroy,
/// check (grade) and runs, through <see cref="LabStore"/>, <see cref="LabApplication"/>, <see cref="LabDeletion"/> and
/// <see cref="LabGrading"/> as the pages do. Any user, either role: everyone has labs of their own.
/// </summary>
public static class LabsApi
{
    private const string Lab = "lab";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/templates", (LabTemplates templates) => ApiAnswers.Ok(templates.All.Select(t => new ApiTemplate(t.Name, t.Description, t.LabName)).ToList()));
        api.MapGet("/labs", ListAsync);
        api.MapPost("/labs", CreateAsync);
        api.MapGet("/labs/{labId:long}", GetAsync);
        api.MapPut("/labs/{labId:long}/yaml", SaveYamlAsync);
        api.MapDelete("/labs/{labId:long}", DeleteAsync);
        api.MapPost("/labs/{labId:long}/apply", ApplyAsync);
        api.MapPost("/labs/{labId:long}/destroy", DestroyAsync);
        api.MapPost("/labs/{labId:long}/check", CheckAsync);
        api.MapGet("/labs/{labId:long}/runs", RunsAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, LabStore labs)
    {
        var user = JsonApi.UserOf(context);
        return ApiAnswers.Ok((await labs.ListLabsAsync(user.Id)).Select(ApiLab.Of).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext context, LabStore labs, LabTemplates templates)
    {
        var user = JsonApi.UserOf(context);
        CreateLabRequest request;
        if (ApiAnswers.IsJson(context.Request))
        {
            var (read, refusal) = await ApiAnswers.ReadJsonAsync<CreateLabRequest>(context);
            if (refusal is not null)
            {
                return refusal;
            }

            request = read!;
        }
        else
        {
            // A lab file sent as it is (application/yaml), named by ?name= or its own name.
            var (yaml, refusal) = await ApiAnswers.ReadTextAsync(context, ApiAnswers.MaxYamlBytes, "YAML");
            if (refusal is not null)
            {
                return refusal;
            }

            request = new CreateLabRequest(Yaml: yaml, Name: context.Request.Query["name"].FirstOrDefault());
        }

        StoreResult<LabSummary> created;
        if (request.Template is { } templateName)
        {
            if (request.Yaml is not null)
            {
                return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "bad-request", "Send either template or yaml, not both.");
            }

            if (templates.Named(templateName) is not { } template)
            {
                return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "no-such-template",
                    $"There is no template '{templateName}': GET /api/templates lists them ({string.Join(", ", templates.All.Select(t => t.Name))}).");
            }

            created = await labs.CreateAsync(user.Id, template.Yaml, request.Name, template.CreatedNote);
        }
        else if (request.Yaml is { } yaml)
        {
            created = await labs.CreateAsync(user.Id, yaml, request.Name, "created through the API");
        }
        else
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "bad-request",
                "Say what the lab starts from: {\"template\": \"NAME\"} (a file of labs/), {\"yaml\": \"...\"}, or the YAML itself as an application/yaml body.");
        }

        return created.Succeeded
            ? ApiAnswers.Ok(ApiLab.Of(created.Value!), StatusCodes.Status201Created)
            : ApiAnswers.Refused(created.Problems, "The lab");
    }

    private static async Task<IResult> GetAsync(long labId, HttpContext context, LabStore labs, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is not { } lab || await labs.GetCurrentRevisionAsync(user.Id, labId) is not { } revision)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        var checks = await labs.GetChecksAsync(user.Id, labId);
        return ApiAnswers.Ok(new ApiLabDetails(ApiLab.Of(lab), revision.Yaml, checks?.Text ?? string.Empty));
    }

    private static async Task<IResult> SaveYamlAsync(long labId, HttpContext context, LabStore labs, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is null)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        var (yaml, refusal) = await ApiAnswers.ReadTextAsync(context, ApiAnswers.MaxYamlBytes, "YAML");
        if (refusal is not null)
        {
            return refusal;
        }

        var saved = await labs.SaveRevisionAsync(user.Id, labId, yaml!, "saved through the API");
        if (saved.Succeeded)
        {
            var revision = saved.Value!;
            return ApiAnswers.Ok(new ApiRevision(revision.LabId, revision.Number, revision.Parent, revision.Note, revision.Created));
        }

        // Deleted between the look and the save: as missing as before.
        return await labs.GetLabAsync(user.Id, labId) is null ? ApiAnswers.NotFound(logger, user, Lab, labId) : ApiAnswers.Refused(saved.Problems, "The YAML");
    }

    private static async Task<IResult> DeleteAsync(long labId, HttpContext context, LabDeletion deletion, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await deletion.PlanAsync(user.Id, labId) is null)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        var outcome = await deletion.DeleteAsync(user.Id, labId, _ => { }, context.RequestAborted);
        return outcome.Deleted
            ? Results.NoContent()
            : ApiAnswers.Fail(StatusCodes.Status409Conflict, "not-deleted", outcome.Error ?? "The lab was not deleted.");
    }

    private static async Task<IResult> ApplyAsync(long labId, HttpContext context, LabStore labs, LabApplication application, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is not { } lab || await labs.GetCurrentRevisionAsync(user.Id, labId) is not { } revision)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        // The current revision, as the lab page's Apply does.
        var outcome = await application.ApplyAsync(lab, revision.Number, revision.Yaml, _ => { }, context.RequestAborted);
        return Answer(labId, revision.Number, outcome);
    }

    private static async Task<IResult> DestroyAsync(long labId, HttpContext context, LabStore labs, LabApplication application, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is null)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        return Answer(labId, null, await application.DestroyAsync(user.Id, labId, _ => { }, context.RequestAborted));
    }

    private static async Task<IResult> CheckAsync(long labId, HttpContext context, LabStore labs, LabGrading grading, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is null)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        var graded = await grading.GradeAsync(user.Id, labId, context.RequestAborted);
        return Graded(labId, graded);
    }

    /// <summary>A grading as the API answers it: the grade, or why there is none.</summary>
    internal static IResult Graded(long labId, GradingOutcome graded)
    {
        ArgumentNullException.ThrowIfNull(graded);
        if (graded.Grade is not null)
        {
            return ApiAnswers.Ok(ApiGrade.Of(labId, graded));
        }

        if (graded.Problems.Count > 0)
        {
            return ApiAnswers.Fail(StatusCodes.Status400BadRequest, "invalid-checks", $"The checks do not fit the applied lab: {graded.Error}", graded.Problems);
        }

        if (graded.Quota is { } quota)
        {
            return ApiAnswers.Fail(StatusCodes.Status429TooManyRequests, "quota", graded.Error ?? quota.Message, quota: quota);
        }

        // Refused before the agent was asked (not applied, no checks): nothing was recorded. Else the agent failed.
        return graded.Run is null && graded.StoreError is null
            ? ApiAnswers.Fail(StatusCodes.Status409Conflict, "cannot-grade", graded.Error ?? "The lab cannot be graded now.")
            : ApiAnswers.Fail(StatusCodes.Status502BadGateway, "agent", $"The agent gave no grade: {graded.Error}");
    }

    private static async Task<IResult> RunsAsync(long labId, HttpContext context, LabStore labs, RunStore runs, ILogger<ApiLab> logger)
    {
        var user = JsonApi.UserOf(context);
        if (await labs.GetLabAsync(user.Id, labId) is null)
        {
            return ApiAnswers.NotFound(logger, user, Lab, labId);
        }

        return ApiAnswers.Ok((await runs.ListRunsAsync(user.Id, labId)).Select(ApiRun.Of).ToList());
    }

    /// <summary>
    /// An apply or destroy: 200 with the result when it succeeded; 429 when a quota refused it (nothing changed); 409
    /// with the result when the kernel refused an operation (what the result says was rolled back); 502 without an agent.
    /// </summary>
    private static IResult Answer(long labId, int? revision, LabRunOutcome outcome)
    {
        if (outcome.Agent.ErrorCode == LabApplication.QuotaErrorCode)
        {
            return ApiAnswers.Fail(StatusCodes.Status429TooManyRequests, "quota", outcome.Agent.Error ?? "A quota refused the apply.", quota: outcome.Quota);
        }

        if (outcome.Result is not { } result)
        {
            return outcome.Agent.ErrorCode == AgentErrorCodes.LabTaken
                ? ApiAnswers.Fail(StatusCodes.Status409Conflict, "lab-taken", outcome.Agent.Error ?? "The kernel lab is held by someone else.")
                : ApiAnswers.Fail(StatusCodes.Status502BadGateway, "agent", $"The agent gave no result: {outcome.Agent.Error} Nothing is known to have changed; try again once the agent runs (netlab doctor).", outcome.Agent.Problems);
        }

        if (result.Succeeded)
        {
            return ApiAnswers.Ok(new ApiApplied(labId, revision, result, outcome.StoreError));
        }

        var why = result.Failure is { } failure ? $"{failure.Operation.Command} failed: {failure.KernelMessage ?? failure.Message}" : "an operation failed";
        return Results.Json(
            new ApiError("apply-failed", $"The kernel refused it ({why}){(result.RolledBack ? "; what was done was rolled back" : "")}. Fix the lab and send it again; result says what was done.", Result: result),
            ApiAnswers.Json, statusCode: StatusCodes.Status409Conflict);
    }
}
