using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Validation;
using NetLab.Web.Agent;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Components;

public sealed class ApplyDialogTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _runner = new();
    private readonly WebTestContext _context;

    public ApplyDialogTests() => _context = new WebTestContext(agent: _runner);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<MudDialogProvider> Dialogs => _context.Dialogs;

    [Fact]
    public async Task The_plan_lists_each_operation_with_its_lab_element_and_iproute2_command()
    {
        await ShowAsync(LabRunKind.Apply);

        var rows = Dialogs.FindAll("tr.plan-operation");
        Assert.Equal(3, rows.Count);
        Assert.Equal(FakeAgentGateway.Operations.Select(o => o.Command), Dialogs.FindAll("code.plan-command").Select(c => c.TextContent));
        Assert.Equal(FakeAgentGateway.Operations.Select(o => o.Source), Dialogs.FindAll("code.plan-source").Select(c => c.TextContent));
        Assert.Contains("link-add", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(Dialogs.FindAll(".apply-unsupported"));
        Assert.False(Dialogs.Find("button.apply-run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_kind_the_kernel_lacks_is_warned_about_plainly_before_applying_and_applying_stays_possible()
    {
        _runner.PlanOutcome = AgentOutcome<PlanView>.Success(new PlanView(
            FakeAgentGateway.Lab, FakeAgentGateway.Operations, [new KindWarning("namespaces.ns2.interfaces.vlan888", "vlan", "this kernel has no 8021q")]));

        await ShowAsync(LabRunKind.Apply);

        var warning = Dialogs.Find(".apply-unsupported");
        Assert.Contains("This kernel lacks a link kind this lab uses", warning.TextContent, StringComparison.Ordinal);
        Assert.Contains("namespaces.ns2.interfaces.vlan888 (vlan): this kernel has no 8021q", Dialogs.Find(".apply-unsupported-item").TextContent, StringComparison.Ordinal);
        Assert.False(Dialogs.Find("button.apply-run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_empty_plan_says_there_is_nothing_to_do()
    {
        _runner.PlanOutcome = AgentOutcome<PlanView>.Success(new PlanView(FakeAgentGateway.Lab, [], []));

        await ShowAsync(LabRunKind.Apply);

        Assert.Equal("Nothing to do: the kernel already matches this revision.", Dialogs.Find(".apply-nothing").TextContent.Trim());
        Assert.True(Dialogs.Find("button.apply-run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task No_agent_is_said_plainly_with_how_to_start_it()
    {
        const string message = "The NetLab agent is not running at /run/netlab/agent.sock: start it with `sudo netlab agent`";
        _runner.PlanOutcome = AgentOutcome<PlanView>.Failed(message);

        await ShowAsync(LabRunKind.Apply);

        Assert.Equal(message, Dialogs.Find(".apply-error").TextContent.Trim());
        Assert.True(Dialogs.Find("button.apply-run").HasAttribute("disabled"));
    }

    [Fact]
    public async Task An_invalid_lab_shows_the_agents_problems()
    {
        _runner.PlanOutcome = AgentOutcome<PlanView>.Failed("The agent refused the lab", [new Problem("hosts.h1.nics.eth0.mac", "not a MAC address", "write six hex pairs")]);

        await ShowAsync(LabRunKind.Apply);

        Assert.Contains("hosts.h1.nics.eth0.mac", Dialogs.Find("tr.problem").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_shows_each_operation_as_the_agent_reports_it()
    {
        await ShowAsync(LabRunKind.Apply);

        Dialogs.Find("button.apply-run").Click();
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, OperationStatus.Started), Xunit.TestContext.Current.CancellationToken);
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, OperationStatus.Done, 0.25), Xunit.TestContext.Current.CancellationToken);
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(1, OperationStatus.Started), Xunit.TestContext.Current.CancellationToken);

        Dialogs.WaitForAssertion(() =>
        {
            Assert.Equal(["done", "running", "waiting"], Dialogs.FindAll("tr.run-operation").Select(r => r.GetAttribute("data-status")));
            Assert.Equal("1 / 3 operations done", Dialogs.Find(".apply-count").TextContent.Trim());
        });
        Assert.Contains("0.25 ms", Dialogs.FindAll("tr.run-operation")[0].TextContent, StringComparison.Ordinal);
        Assert.True(Dialogs.Find("button.apply-close").HasAttribute("disabled"));

        _runner.Outcome.SetResult(FakeAgentGateway.Succeeded());
        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find(".apply-succeeded")));
    }

    [Fact]
    public async Task A_failure_names_the_command_the_lab_element_the_kernel_message_and_the_rollback()
    {
        var lab = await NewLabAsync();
        var dialog = await ShowAsync(LabRunKind.Apply, lab);
        Dialogs.Find("button.apply-run").Click();
        var failed = FakeAgentGateway.Operations[1];
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, OperationStatus.Done), Xunit.TestContext.Current.CancellationToken);
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(1, OperationStatus.Failed, error: "File exists"), Xunit.TestContext.Current.CancellationToken);
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, OperationStatus.RolledBack), Xunit.TestContext.Current.CancellationToken);

        _runner.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(
            FakeAgentGateway.Lab, false, 1, 3, 1.5, new ApplyFailure(failed, $"{failed.Command}: File exists", "EEXIST", "File exists"), RolledBack: true)));

        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find(".apply-failure")));
        var failure = Dialogs.Find(".apply-failure");
        Assert.Equal(failed.Command, failure.QuerySelector(".failure-command")!.TextContent);
        Assert.Equal("hosts.h1.nics.eth0", failure.QuerySelector(".failure-source")!.TextContent);
        Assert.Equal("File exists", failure.QuerySelector(".failure-kernel")!.TextContent);
        Assert.Contains("(EEXIST)", failure.TextContent, StringComparison.Ordinal);
        Assert.Contains("Rolled back", failure.QuerySelector(".failure-rollback")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["rolled back", "failed", "waiting"], Dialogs.FindAll("tr.run-operation").Select(r => r.GetAttribute("data-status")));
        Assert.Single(Dialogs.FindAll("tr.run-failed"));
        Assert.Null((await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.AppliedRevision);

        Dialogs.Find("button.apply-close").Click();
        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(failed, Assert.IsType<ApplyResult>(result!.Data).Failure!.Operation);
    }

    [Fact]
    public async Task A_successful_apply_says_how_long_it_took_and_marks_the_revision_applied_in_the_store()
    {
        var lab = await NewLabAsync();
        await ShowAsync(LabRunKind.Apply, lab);

        Dialogs.Find("button.apply-run").Click();
        _runner.Outcome.SetResult(FakeAgentGateway.Succeeded());

        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find(".apply-succeeded")));
        var summary = Dialogs.Find(".apply-succeeded").TextContent;
        Assert.Contains("Applied: 3 operations in 1.5 ms.", summary, StringComparison.Ordinal);
        Assert.Contains("Revision 1 is recorded as applied.", summary, StringComparison.Ordinal);
        Assert.Equal(1, (await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task Destroy_asks_for_confirmation_first_then_runs_and_forgets_the_applied_revision()
    {
        var lab = await NewLabAsync();
        await _context.Store.MarkAppliedAsync(LabStore.LocalUserId, lab.Id, 1);
        var service = _context.Bunit.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ApplyDialog>
        {
            { d => d.Kind, LabRunKind.Destroy }, { d => d.LabId, lab.Id }, { d => d.LabName, lab.Name }, { d => d.KernelLab, lab.KernelName },
        };
        await Dialogs.InvokeAsync(() => service.ShowAsync<ApplyDialog>("Destroy", parameters));
        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("button.destroy-run")));

        Assert.Contains($"removes every namespace and link of lab {lab.Name}", Dialogs.Find(".destroy-confirm").TextContent, StringComparison.Ordinal);
        Assert.Contains($"The kernel knows this lab as {lab.KernelName}", Dialogs.Find(".destroy-kernel-lab").TextContent, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls);

        Dialogs.Find("button.destroy-run").Click();
        await _runner.Progress.Writer.WriteAsync(FakeAgentGateway.ProgressOf(0, OperationStatus.Done), Xunit.TestContext.Current.CancellationToken);
        _runner.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(lab.Name, true, 1, 1, 0.75)));

        Dialogs.WaitForAssertion(() => Assert.Contains("Destroyed: 1 operations in 0.75 ms.", Dialogs.Find(".apply-succeeded").TextContent, StringComparison.Ordinal));
        Assert.Equal([$"destroy {lab.KernelName}"], _runner.Calls);
        Assert.Null((await _context.Store.GetLabAsync(LabStore.LocalUserId, lab.Id))!.AppliedRevision);
    }

    [Fact]
    public async Task A_destroy_that_left_a_namespace_NetLab_did_not_make_shows_the_agents_warning()
    {
        var lab = await NewLabAsync();
        var service = _context.Bunit.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ApplyDialog>
        {
            { d => d.Kind, LabRunKind.Destroy }, { d => d.LabId, lab.Id }, { d => d.LabName, lab.Name }, { d => d.KernelLab, lab.KernelName },
        };
        await Dialogs.InvokeAsync(() => service.ShowAsync<ApplyDialog>("Destroy", parameters));
        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("button.destroy-run")));
        const string warning = "namespace nl-macvlan-bridge.extra exists and was not made by NetLab; remove it with `ip netns del nl-macvlan-bridge.extra` or rename the lab; the destroy left it as it is.";

        Dialogs.Find("button.destroy-run").Click();
        _runner.Outcome.SetResult(AgentOutcome<ApplyResult>.Success(new ApplyResult(lab.Name, true, 4, 4, 1.5, Warnings: [warning])));

        Dialogs.WaitForAssertion(() => Assert.Equal(warning, Dialogs.Find(".apply-warning").TextContent.Trim()));
    }

        private async Task<LabSummary> NewLabAsync() =>
        (await _context.Store.CreateAsync(LabStore.LocalUserId, RepositoryFiles.Lab("macvlan-bridge.yaml"))).Value!;

    private async Task<IDialogReference> ShowAsync(LabRunKind kind, LabSummary? lab = null)
    {
        // The dialog plans and applies a lab of the store, under that lab's own kernel name.
        lab ??= (await _context.Store.CreateAsync(LabStore.LocalUserId, "name: demo\n")).Value!;
        var service = _context.Bunit.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<ApplyDialog>
        {
            { d => d.Kind, kind },
            { d => d.LabId, lab.Id },
            { d => d.LabName, lab.Name },
            { d => d.Revision, 1 },
            { d => d.Yaml, "name: demo\n" },
        };
        var dialog = await Dialogs.InvokeAsync(() => service.ShowAsync<ApplyDialog>("Apply", parameters));
        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("button.apply-run")));
        return dialog;
    }
}
