using Microsoft.AspNetCore.Components;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Agent;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls;

/// <summary>The lab page's connectivity check: the predictions of the lab's YAML, and after a check the agent's observations beside them.</summary>
public sealed partial class LabConnectivity : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private string? _modelYaml;

    [Inject]
    private IAgentGateway Agent { get; set; } = default!;

    /// <summary>The lab's name in the kernel (its YAML name), which the agent knows it by.</summary>
    [Parameter, EditorRequired]
    public string LabName { get; set; } = "";

    /// <summary>The revision whose predictions are shown (the current one: what Apply sends).</summary>
    [Parameter, EditorRequired]
    public string Yaml { get; set; } = "";

    /// <summary>Which revision the predictions come from, in words.</summary>
    [Parameter]
    public string Source { get; set; } = "";

    private ConnectivityMatrixModel Model { get; set; } = ConnectivityMatrixModel.Empty;

    private ProbeReport? Report { get; set; }

    private bool Running { get; set; }

    private string? Error { get; set; }

    protected override void OnParametersSet()
    {
        if (_modelYaml != Yaml)
        {
            _modelYaml = Yaml;
            Model = ConnectivityMatrixModel.From(Yaml, Report);
        }
    }

    private async Task CheckAsync()
    {
        Running = true;
        Error = null;
        try
        {
            var outcome = await Agent.ProbeAsync(LabName, new ProbeRequest(), _disposed.Token);
            if (outcome.Value is { } report)
            {
                Report = report;
                Model = ConnectivityMatrixModel.From(Yaml, report);
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
