using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Web.Model;
using NetLab.Web.Model.Runs;
using NetLab.Web.Quotas;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Dialogs;

/// <summary>
/// "Run experiment": a title, notes and the interfaces to capture on, then the run's progress as the store has it.
/// The run belongs to <see cref="ExperimentRunner"/>, not to this dialog: closing it leaves the run going.
/// </summary>
public sealed partial class RunExperimentDialog : IDisposable
{
    /// <summary>
    /// Captures one run may choose: the agent runs at most this many on one lab at once and answers one more 429 busy,
    /// so offering more would only promise captures the run cannot have.
    /// </summary>
    internal const int MaxCaptures = CaptureRequest.DefaultMaxPerLab;

    private UpdateThrottle? _throttle;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private ExperimentRunner Runner { get; set; } = default!;

    [Inject]
    private LabStore Labs { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Parameter, EditorRequired]
    public LabSummary Lab { get; set; } = default!;

    /// <summary>The current revision's YAML, for the interfaces a capture can be chosen on.</summary>
    [Parameter, EditorRequired]
    public string Yaml { get; set; } = "";

    internal ExperimentRun? Run { get; private set; }

    private string Title { get; set; } = "";

    private string Notes { get; set; } = "";

    private IReadOnlyList<CaptureTarget> Targets { get; set; } = [];

    private HashSet<CaptureTarget> Chosen { get; } = [];

    private bool Starting { get; set; }

    private string? StartError { get; set; }

    protected override void OnParametersSet() => Targets = CaptureTargets(Yaml);

    /// <summary>Every interface of the lab: switch ports and bridges, then each host's and namespace's interfaces.</summary>
    public static IReadOnlyList<CaptureTarget> CaptureTargets(string yaml)
    {
        if (LabFormat.LoadAndValidate(yaml, LabFileFormat.Yaml).Lab is not { } lab)
        {
            return [];
        }

        return
        [
            .. lab.Switches.SelectMany(s => s.Ports.Select(p => new CaptureTarget(s.Name, p.Name)).Append(new CaptureTarget(s.Name, Switch.BridgeName))),
            .. lab.InterfaceNamespaces.SelectMany(n => n.InterfaceNames.Select(i => new CaptureTarget(n.Name, i))),
        ];
    }

    public void Dispose()
    {
        if (Run is not null && _throttle is not null)
        {
            Run.Changed -= _throttle.Signal;
        }

        _throttle?.Dispose();
    }

    private void Choose(CaptureTarget target, bool chosen)
    {
        if (chosen)
        {
            // The box of an unchosen target is disabled at the limit; this keeps a late click from passing it.
            if (Chosen.Count < MaxCaptures)
            {
                Chosen.Add(target);
            }
        }
        else
        {
            Chosen.Remove(target);
        }
    }

    private async Task StartAsync()
    {
        Starting = true;
        var revision = await Labs.GetCurrentRevisionAsync(User.Id, Lab.Id);
        if (revision is null)
        {
            StartError = "The lab has no saved revision to run: save one first.";
            Starting = false;
            return;
        }

        var options = new ExperimentOptions(Title, Notes, [.. Targets.Where(Chosen.Contains)]);
        ExperimentRun run;
        try
        {
            run = await Runner.StartAsync(User.Id, Lab, revision, options);
        }
        catch (StoreFullException full)
        {
            // Nothing was started: the run could not even be stored.
            StartError = $"The run was not started. {full.Message}";
            Starting = false;
            return;
        }
        catch (QuotaExceededException full)
        {
            StartError = $"The run was not started. {full.Message}";
            Starting = false;
            return;
        }

        _throttle = new UpdateThrottle(UpdateThrottle.DefaultInterval, RenderAsync, Time);
        run.Changed += _throttle.Signal;
        Run = run;
    }

    private async Task RenderAsync()
    {
        try
        {
            await InvokeAsync(StateHasChanged);
        }
        catch (ObjectDisposedException)
        {
            // The dialog closed between the change and the render.
        }
    }

    private void Cancel() => Dialog.Cancel();

    private void Close() => Dialog.Close(DialogResult.Ok(Run?.Run.Id));

    internal static string PhaseText(ExperimentPhase phase) => phase switch
    {
        ExperimentPhase.Applying => "Applying the revision...",
        ExperimentPhase.WaitingForState => "Waiting for the kernel's state of every lab element...",
        ExperimentPhase.ArmingCaptures => "Starting the captures...",
        ExperimentPhase.Probing => "Checking connectivity...",
        ExperimentPhase.Finishing => "Finishing...",
        _ => "Done.",
    };

    internal static Color StatusColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Color.Success,
        RunStatus.Failed => Color.Error,
        RunStatus.Interrupted => Color.Warning,
        _ => Color.Info,
    };
}
