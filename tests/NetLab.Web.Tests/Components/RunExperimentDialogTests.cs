using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Components.Dialogs;
using NetLab.Web.Model.Runs;
using NetLab.Web.Store;
using NetLab.Web.Tests.Agent;

namespace NetLab.Web.Tests.Components;

/// <summary>The "Run experiment" dialog: what can be chosen to capture, within what the agent will run.</summary>
public sealed class RunExperimentDialogTests : IAsyncDisposable
{
    private readonly FakeAgentGateway _agent = new() { StartCapturesAtOnce = true };
    private readonly WebTestContext _context;

    public RunExperimentDialogTests() => _context = new WebTestContext(
        services =>
        {
            services.AddLogging();
            services.AddSingleton<ExperimentRunner>();
        },
        _agent);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private IRenderedComponent<MudDialogProvider> Dialogs => _context.Dialogs;

    [Fact]
    public async Task At_most_four_captures_can_be_chosen_and_the_helper_text_says_why()
    {
        var yaml = RepositoryFiles.Lab("macvlan-bridge.yaml");
        var lab = (await _context.Store.CreateAsync(LabStore.LocalUserId, yaml)).Value!;
        var service = _context.Bunit.Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<RunExperimentDialog> { { d => d.Lab, lab }, { d => d.Yaml, yaml } };
        await Dialogs.InvokeAsync(() => service.ShowAsync<RunExperimentDialog>("Run", parameters));
        Dialogs.WaitForAssertion(() => Assert.NotNull(Dialogs.Find("button.run-start")));
        var targets = Dialogs.FindAll(".run-capture-target").Select(t => t.GetAttribute("data-target")!).ToList();
        Assert.True(targets.Count > RunExperimentDialog.MaxCaptures, $"the template has {targets.Count} interfaces; the test needs more than {RunExperimentDialog.MaxCaptures}");
        Assert.Contains("Up to 4.", Dialogs.Find(".run-capture-limit").TextContent, StringComparison.Ordinal);

        foreach (var target in targets.Take(4))
        {
            Box(target).Change(true);
        }

        // The fifth and every other unchosen box are disabled; the chosen ones can still be unchosen.
        Assert.All(targets.Skip(4), t => Assert.True(Box(t).HasAttribute("disabled"), $"{t} should be disabled at the limit"));
        Assert.All(targets.Take(4), t => Assert.False(Box(t).HasAttribute("disabled"), $"{t} is chosen and should stay changeable"));
        var helper = Dialogs.Find(".run-capture-limit");
        Assert.Equal("4", helper.GetAttribute("data-chosen"));
        Assert.Contains("4 of at most 4 chosen.", helper.TextContent, StringComparison.Ordinal);
        Assert.Contains("The agent runs at most 4 captures on one lab at a time", helper.TextContent, StringComparison.Ordinal);
        Assert.Contains("captures open on the Lab page count too", helper.TextContent, StringComparison.Ordinal);

        // Unchoosing one frees a place again.
        Box(targets[0]).Change(false);
        Assert.False(Box(targets[4]).HasAttribute("disabled"));
        Box(targets[4]).Change(true);

        _agent.AnswerProbe(AgentOutcome<ProbeReport>.Failed("not checked in this test"));
        Dialogs.Find("button.run-start").Click();
        _agent.Outcome.SetResult(FakeAgentGateway.Succeeded());

        // The run ends (its check fails on purpose: only the captures matter here) with the four chosen captured.
        Dialogs.WaitForAssertion(() => Assert.Equal("Done", Dialogs.Find(".run-phase").GetAttribute("data-phase")), TimeSpan.FromSeconds(30));
        Assert.Equal(targets.Skip(1).Take(4).Order(StringComparer.Ordinal), _agent.Requests.Select(r => $"{r.Request.Element}/{r.Request.Interface}").Order(StringComparer.Ordinal));
    }

    private AngleSharp.Dom.IElement Box(string target) => Dialogs.Find($".run-capture-target[data-target='{target}'] input[type=checkbox]");
}
