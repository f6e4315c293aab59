using Microsoft.AspNetCore.Components;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls.Experiments;

/// <summary>The lab page's connectivity check: the predictions of the lab's YAML, and after a check the agent's observations beside them.</summary>
public sealed partial class LabConnectivity : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private LabDraft? _modelDraft;

    [Inject]
    private IAgentGateway Agent { get; set; } = default!;

    /// <summary>The revision whose predictions are shown, read once by the page.</summary>
    [Parameter, EditorRequired]
    public LabDraft Draft { get; set; } = LabDraft.Of("", "");

    /// <summary>The lab in the kernel and its owner (the check acts for the owner); null until the page has read the lab.</summary>
    [Parameter, EditorRequired]
    public OwnedKernelLab? KernelLab { get; set; }

    /// <summary>Which revision the predictions come from, in words.</summary>
    [Parameter]
    public string Source { get; set; } = "";

    /// <summary>The matrix leaves out NetLab's explanations (<see cref="ConnectivityMatrix.ExplanationsHidden"/>).</summary>
    [Parameter]
    public bool ExplanationsHidden { get; set; }

    private ConnectivityMatrixModel Model { get; set; } = ConnectivityMatrixModel.Empty;

    private ProbeReport? Report { get; set; }

    private bool Running { get; set; }

    private string? Error { get; set; }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_modelDraft, Draft))
        {
            _modelDraft = Draft;
            Model = ConnectivityMatrixModel.From(Draft.Predictions, Report);
        }
    }

    private async Task CheckAsync()
    {
        if (KernelLab is not { } lab)
        {
            return;
        }

        Running = true;
        Error = null;
        try
        {
            var outcome = await Agent.ProbeAsync(lab, new ProbeRequest(), _disposed.Token);
            if (outcome.Value is { } report)
            {
                Report = report;
                Model = ConnectivityMatrixModel.From(Draft.Predictions, report);
            }
            else
            {
                Error = outcome.Error;
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page went away; nobody is left to show the outcome to.
        }
        finally
        {
            Running = false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
