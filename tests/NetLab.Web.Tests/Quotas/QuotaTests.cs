using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;
using NetLab.Web.Model.Captures;
using NetLab.Web.Quotas;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Quotas;

/// <summary>
/// Per-role limits: what an account may hold (labs, runs, bytes) is refused where the store writes, applies and captures
/// are refused before they start; a refusal names the limit, the use now and what the action needed, and nothing changes.
/// </summary>
public sealed class QuotaTests : IDisposable
{
    private const string TwoNamespaces = "name: two\nnamespaces:\n  a: {}\n  b: {}\n";

    private readonly TempDatabase _db = new();
    private readonly QuotaOptions _quotas = new()
    {
        Student = new RoleQuota { Labs = 2, NamespacesApplied = 3, Runs = 1, CapturesAtOnce = 1, StoredBytes = 4096 },
        Instructor = new RoleQuota { Labs = 10, NamespacesApplied = 10 },
        NamespacesAppliedInTotal = 5,
    };

    private readonly UserStore _users;
    private readonly LabStore _labs;

    public QuotaTests()
    {
        _users = new UserStore(_db.Database, TimeProvider.System);
        _labs = new LabStore(_db.Database, TimeProvider.System, Options.Create(_quotas));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_student_gets_as_many_labs_as_the_role_allows_and_the_refusal_says_the_limit_the_use_and_how_to_free_room()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var instructor = await _users.AddAsync("ins", UserRole.Instructor, "a-good-password");

        Assert.True((await _labs.CreateBlankAsync(student.Id, "one")).Succeeded);
        Assert.True((await _labs.CreateBlankAsync(student.Id, "two")).Succeeded);
        var third = await _labs.CreateBlankAsync(student.Id, "three");
        var instructors = await _labs.CreateBlankAsync(instructor.Id, "three");

        Assert.False(third.Succeeded);
        var problem = Assert.Single(third.Problems);
        Assert.Equal("quota", problem.Path);
        Assert.Equal("Limit reached: labs per student is 2 labs; 2 labs in use and this needs 1 labs more. Delete a lab you no longer need (Labs page, the lab's Delete) to make room.", problem.Message);
        Assert.Equal(2, (await _labs.ListLabsAsync(student.Id)).Count);
        Assert.True(instructors.Succeeded);
    }

    [Fact]
    public async Task A_revision_that_would_pass_the_stored_bytes_is_refused_and_not_saved()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var lab = (await _labs.CreateBlankAsync(student.Id, "big")).Value!;
        var large = "name: big\ndescription: " + new string('x', 5000) + "\n";

        var saved = await _labs.SaveRevisionAsync(student.Id, lab.Id, large);

        Assert.False(saved.Succeeded);
        Assert.StartsWith("Limit reached: stored bytes per student is 4 KiB;", Assert.Single(saved.Problems).Message, StringComparison.Ordinal);
        Assert.Single(await _labs.ListRevisionsAsync(student.Id, lab.Id));
    }

    [Fact]
    public async Task A_run_beyond_the_roles_runs_is_refused_with_nothing_stored()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var lab = (await _labs.CreateBlankAsync(student.Id, "runs")).Value!;
        var runs = new RunStore(_db.Database, TimeProvider.System, Options.Create(_quotas));
        await runs.CreateRunAsync(student.Id, lab.Id, 1, "name: runs\n", "runs", "first", "");

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => runs.CreateRunAsync(student.Id, lab.Id, 1, "name: runs\n", "runs", "second", ""));

        Assert.Equal("recorded runs per student", refused.Refusal.Limit);
        Assert.Equal((1L, 1L), (refused.Refusal.Allowed, refused.Refusal.InUse));
        Assert.Single(await runs.ListRunsAsync(student.Id, lab.Id));
    }

    [Fact]
    public async Task An_apply_beyond_the_namespaces_a_student_may_hold_at_once_is_refused_before_the_agent_is_asked()
    {
        var student = await _users.AddAsync("stu", UserRole.Student, "a-good-password");
        var first = (await _labs.CreateAsync(student.Id, TwoNamespaces, "first")).Value!;
        var second = (await _labs.CreateAsync(student.Id, TwoNamespaces.Replace("name: two", "name: other", StringComparison.Ordinal), "second")).Value!;
        var (application, agent, live) = Application();
        using var watching = live;
        await _labs.MarkAppliedAsync(student.Id, first.Id, 1);
        agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        var refused = await application.ApplyAsync(student.Id, second.Id, 1, TwoNamespaces, _ => { }, Cancel);
        var again = await application.ApplyAsync(student.Id, first.Id, 1, TwoNamespaces, _ => { }, Cancel);

        Assert.Equal(LabApplication.QuotaErrorCode, refused.Agent.ErrorCode);
        Assert.Equal(
            "Limit reached: namespaces applied at once per student is 3 namespaces; 2 namespaces in use and this needs 2 namespaces more. Destroy a lab you are not using (its page, Destroy) to free room.",
            refused.Agent.Error);
        Assert.Null((await _labs.GetLabAsync(student.Id, second.Id))!.AppliedRevision);
        Assert.True(again.Agent.Succeeded); // the lab's own namespaces are replaced by its apply, not counted twice
        Assert.Equal(["apply"], agent.Calls);
    }

    [Fact]
    public async Task The_whole_servers_namespaces_at_once_are_shared_by_everyone()
    {
        var instructor = await _users.AddAsync("ins", UserRole.Instructor, "a-good-password");
        var other = await _users.AddAsync("ins2", UserRole.Instructor, "a-good-password");
        foreach (var name in new[] { "a", "b" })
        {
            var lab = (await _labs.CreateAsync(other.Id, TwoNamespaces, name)).Value!;
            await _labs.MarkAppliedAsync(other.Id, lab.Id, 1);
        }

        var mine = (await _labs.CreateAsync(instructor.Id, TwoNamespaces, "mine")).Value!;
        var admission = new ApplyAdmission(_labs, _users, Options.Create(_quotas));

        var refusal = await admission.CheckAsync(instructor.Id, mine.Id, TwoNamespaces);

        Assert.NotNull(refusal);
        Assert.Equal(("namespaces applied at once on this lab server", 5L, 4L, 2L), (refusal.Limit, refusal.Allowed, refusal.InUse, refusal.Needed));
    }

    [Fact]
    public async Task A_capture_beyond_the_roles_captures_at_once_is_refused()
    {
        var agent = new FakeAgentGateway();
        using var captures = new CaptureService(agent, TimeProvider.System, NullLogger<CaptureService>.Instance, Options.Create(_quotas));
        var student = new CurrentUser(7, "stu");
        var first = captures.Start(student, new NetLab.Web.Agent.OwnedKernelLab("lab", 7), new CaptureRequest("ns", "eth0"));

        var refused = Assert.Throws<QuotaExceededException>(() => captures.Start(student, new NetLab.Web.Agent.OwnedKernelLab("lab", 7), new CaptureRequest("ns", "eth1")));

        Assert.Equal("Limit reached: captures at once per student is 1 captures; 1 captures in use and this needs 1 captures more. Stop a capture you started (its lab's Captures tab) to make room.", refused.Message);
        Assert.Equal([first.Id], captures.ForLab(student, "lab").Select(c => c.Id));
        first.Stop();
        await WaitAsync(() => first.Status is not (CaptureStatus.Starting or CaptureStatus.Running));
        captures.Start(student, new NetLab.Web.Agent.OwnedKernelLab("lab", 7), new CaptureRequest("ns", "eth1"));
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(null, -1)]
    public void Negative_limits_are_refused_at_start_up(int? labs, int? total)
    {
        var options = new QuotaOptions { Student = new RoleQuota { Labs = labs }, NamespacesAppliedInTotal = total };

        var result = new QuotaOptionsValidator().Validate(null, options);

        Assert.False(result.Succeeded);
        Assert.Contains("a limit is 0 or more, or empty for none", result.FailureMessage, StringComparison.Ordinal);
    }

    private (LabApplication Application, FakeAgentGateway Agent, LiveLabs Live) Application()
    {
        var agent = new FakeAgentGateway();
        var live = new LiveLabs(agent, TimeProvider.System, NullLogger<LiveLabs>.Instance);
        return (new LabApplication(agent, _labs, live, admission: new ApplyAdmission(_labs, _users, Options.Create(_quotas))), agent, live);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(10, Cancel);
        }
    }
}
