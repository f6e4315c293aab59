using NetLab.Web.Agent;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using NetLab.Core.Formats;
using NetLab.Core.Validation;
using NetLab.Web.Components.Controls.Live;
using NetLab.Web.Model;
using NetLab.Web.Model.Topology;
using CoreLab = NetLab.Core.Labs.Lab;

namespace NetLab.Web.Components.Controls.Topology;

/// <summary>
/// The graphical editor of a lab. It edits the same unsaved buffer as the YAML editor: every edit turns the lab back
/// into YAML and hands it to <see cref="YamlChanged"/>, so the two views never disagree, an edit can leave the lab
/// invalid for a while (the validator marks it), and "Save revision" stores it as for typed YAML. Drawing, dragging,
/// panning and zooming run in the browser (wwwroot/js/topology.js); the module reports intents back here.
/// </summary>
public sealed partial class TopologyCanvas : IAsyncDisposable
{
    private static readonly string[] PaletteKinds = ["nic", "port", .. TopologyEdits.InterfaceKinds];

    private ElementReference _host;
    private IJSObjectReference? _module;
    private DotNetObjectReference<TopologyCanvas>? _self;
    private string? _yamlSeen;
    private bool _graphSent;
    private string? _selectionSent;
    private LiveWatch? _live;
    private readonly LiveRows _liveRows = new(InterfaceTables.StateClass);

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private LiveLabs Live { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The page's edit buffer.</summary>
    [Parameter, EditorRequired]
    public string Yaml { get; set; } = "";

    [Parameter]
    public EventCallback<string> YamlChanged { get; set; }

    /// <summary>The page's reading of <see cref="Yaml"/>, so the canvas does not parse it again; read here when absent.</summary>
    [Parameter]
    public LabDraft? Draft { get; set; }

    /// <summary>Ctrl+Z on the canvas: the page undoes its last edit (or, with none, the last revision).</summary>
    [Parameter]
    public EventCallback OnUndo { get; set; }

    [Parameter]
    public EventCallback OnRedo { get; set; }

    /// <summary>The lab in the kernel and its owner, whose live state colours the rows; none shows no live state.</summary>
    [Parameter]
    public OwnedKernelLab? KernelLab { get; set; }

    /// <summary>A lab shown to a reader who is not its owner: no palette to add with (the page ignores any edit too).</summary>
    [Parameter]
    public bool ReadOnly { get; set; }

    [Parameter]
    public TimeSpan Throttle { get; set; } = UpdateThrottle.DefaultInterval;

    internal CoreLab? Lab { get; private set; }

    internal IReadOnlyList<Problem> Problems { get; private set; } = [];

    internal TopologyGraph Graph { get; private set; } = TopologyGraph.Empty;

    internal string? Selected { get; private set; }

    /// <summary>Why the YAML cannot be drawn (it does not read as a lab); the canvas keeps its last drawing.</summary>
    private string? ReadProblem { get; set; }

    /// <summary>Why the last drop meant nothing, e.g. a veth dropped on a macvlan.</summary>
    private string? Refusal { get; set; }

    /// <summary>The box the palette adds interfaces to: the selected box, or the box of the selected row.</summary>
    private string? Target => Selected is null || Lab is null ? null : TopologyIds.Split(Selected).Element is var element
        && (Lab.FindSwitch(element) is not null || Lab.FindNamespace(element) is not null) ? element : null;

    private bool CanAdd(string kind) => Target is { } target && Lab is not null && kind switch
    {
        "port" => Lab.FindSwitch(target) is not null,
        "nic" => Lab.Hosts.Any(h => h.Name == target),
        _ => Lab.FindNamespace(target) is not null,
    };

    protected override void OnParametersSet()
    {
        if (Yaml != _yamlSeen)
        {
            _yamlSeen = Yaml;
            var draft = Draft is { } given && given.Text == Yaml ? given : LabDraft.Of(Yaml, "");
            if (draft.Lab is { } lab)
            {
                Show(lab, draft.Problems);
                ReadProblem = null;
            }
            else
            {
                ReadProblem = $"The YAML does not read as a lab ({draft.Problems.Count} file problem(s), first: {draft.Problems.FirstOrDefault()}). " +
                    "Fix it in the YAML tab; the canvas shows the last lab it could read.";
            }
        }

        WatchLiveState();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            await SyncModuleAsync(firstRender);
        }
        catch (JSException error)
        {
            // A script error must not end the circuit: the YAML tab and the rest of the page keep working.
            ReadProblem = $"The canvas failed in the browser: {error.Message}";
            StateHasChanged();
        }
    }

    private async Task SyncModuleAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/topology.js");
            _self = DotNetObjectReference.Create(this);
            if (_module is null)
            {
                return;
            }

            await _module.InvokeVoidAsync("init", _host, _self);

            // Live state that arrived while the module was loading goes out with the first drawing.
            _graphSent = false;
            await _module.InvokeVoidAsync("render", _host, Graph);
            _graphSent = true;
            await PushLiveRowsAsync();
        }

        if (_module is null)
        {
            return;
        }

        if (!_graphSent)
        {
            _graphSent = true;
            await _module.InvokeVoidAsync("render", _host, Graph);

            // A box may have grown or shrunk, and with it how much of a live line fits.
            await PushLiveRowsAsync();
        }

        if (_selectionSent != Selected)
        {
            _selectionSent = Selected;
            await _module.InvokeVoidAsync("select", _host, Selected ?? "");
        }
    }

    [JSInvokable]
    public void Select(string id)
    {
        Selected = string.IsNullOrEmpty(id) ? null : id;
        _selectionSent = Selected;
        Refusal = null;
        StateHasChanged();
    }

    [JSInvokable]
    public Task MovedAsync(string id, double x, double y) =>
        Lab is null ? Task.CompletedTask : EditAsync(new LabEdit(TopologyEdits.Move(Lab, id, x, y), null));

    [JSInvokable]
    public async Task AttachAsync(string childId, string targetId)
    {
        if (Lab is null)
        {
            return;
        }

        var (attached, refusal) = TopologyEdits.Attach(Lab, childId, targetId);
        if (attached is null)
        {
            Refusal = refusal;
            StateHasChanged();
            return;
        }

        await EditAsync(new LabEdit(attached, childId));
    }

    [JSInvokable]
    public Task DeleteAsync(string id)
    {
        if (Lab is null)
        {
            return Task.CompletedTask;
        }

        Selected = null;
        return EditAsync(new LabEdit(TopologyEdits.Delete(Lab, id), null));
    }

    [JSInvokable]
    public Task UndoAsync() => OnUndo.InvokeAsync();

    [JSInvokable]
    public Task RedoAsync() => OnRedo.InvokeAsync();

    private async Task AddElementAsync(TopologyNodeKind kind)
    {
        if (Lab is null)
        {
            return;
        }

        var (x, y) = await FreeSpotAsync();
        var (added, id) = TopologyEdits.AddElement(Lab, kind, x, y);
        await EditAsync(new LabEdit(added, id));
    }

    private async Task AddInterfaceAsync(string kind)
    {
        if (Lab is not null && Target is { } target && TopologyEdits.AddInterface(Lab, target, kind) is var (added, id))
        {
            await EditAsync(new LabEdit(added, id));
        }
    }

    /// <summary>
    /// Near the middle of what the canvas shows (else the top left), moved right and down until the new box covers
    /// no other: a box dropped on top of another would hide it and catch the pointer meant for it.
    /// </summary>
    private async Task<(double X, double Y)> FreeSpotAsync()
    {
        var center = _module is null ? null : await _module.InvokeAsync<double[]?>("viewCenter", _host);
        const double width = AutoLayout.MinBoxWidth;
        var (x, y) = center is [var cx, var cy] ? (cx - (width / 2), cy - AutoLayout.HeaderHeight) : (AutoLayout.Gap / 2, AutoLayout.Gap / 2);
        var height = AutoLayout.BoxHeight(1);
        for (var attempt = 0; attempt < 400 && Graph.Nodes.Any(n => Overlaps(n, x, y, width, height)); attempt++)
        {
            x += width / 2;
            if (attempt % 8 == 7)
            {
                x -= 4 * width;
                y += height;
            }
        }

        return (x, y);
    }

    private static bool Overlaps(TopologyNode node, double x, double y, double width, double height) =>
        x < node.X + node.Width + 10 && node.X < x + width + 10
        && y < node.Y + node.Height + 10 && node.Y < y + height + 10;

    private async Task ZoomAsync(double factor)
    {
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("zoom", _host, factor);
        }
    }

    private async Task FitAsync()
    {
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("fit", _host);
        }
    }

    /// <summary>Every change of the lab, from the canvas or the property panel, goes through here.</summary>
    internal async Task EditAsync(LabEdit edit)
    {
        Show(edit.Lab);
        if (edit.Select is not null)
        {
            Selected = edit.Select.Length == 0 ? null : edit.Select;
        }

        Refusal = null;
        // The model has no comments; the text's own (the seed labs explain themselves in them) are carried over.
        var moved = edit.Renamed is { } renamed ? YamlComments.Renamed(renamed.Element, renamed.Row, renamed.NewName) : null;
        _yamlSeen = YamlComments.Carry(_yamlSeen ?? Yaml, LabFormat.ToYaml(edit.Lab), moved);
        await YamlChanged.InvokeAsync(_yamlSeen);
        StateHasChanged();
    }

    private void Show(CoreLab lab, IReadOnlyList<Problem>? problems = null)
    {
        Lab = lab;
        Problems = problems ?? LabValidator.Validate(lab);
        Graph = TopologyGraph.Build(lab, Problems);
        _graphSent = false;
        if (Selected is not null && Graph.FindNode(Selected) is null && Graph.FindItem(Selected) is null)
        {
            Selected = null;
        }
    }

    private void WatchLiveState()
    {
        // As the live panel: a prerender is thrown away at once and would only open and drop an agent stream.
        var lab = KernelLab;
        if (!RendererInfo.IsInteractive || _live?.Kernel == lab)
        {
            return;
        }

        StopLiveState();
        if (lab is null)
        {
            return;
        }

        _liveRows.Forget();
        // Leading edge: a single kernel change reaches the canvas at once; only bursts wait for the interval. The
        // state is the lab's shared one: the interface tables below the canvas cost the agent nothing more.
        _live = new LiveWatch(Live, lab, Throttle, PushLiveAsync, Time, leading: true);
    }

    private async Task PushLiveAsync()
    {
        try
        {
            await InvokeAsync(PushLiveRowsAsync);
        }
        catch (Exception error) when (error is ObjectDisposedException or JSDisconnectedException or TaskCanceledException)
        {
            // The circuit closed between the change and the push.
        }
    }

    private async Task PushLiveRowsAsync()
    {
        if (_module is not null && _live is not null && _liveRows.Changes(_live.State, Graph) is { Count: > 0 } changes)
        {
            await _module.InvokeVoidAsync("live", _host, changes);
        }
    }

    private void StopLiveState()
    {
        _live?.Dispose();
        _live = null;
    }

    public async ValueTask DisposeAsync()
    {
        StopLiveState();
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("dispose", _host);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone, and its drawing with it.
            }
        }

        _self?.Dispose();
    }
}

/// <summary>
/// A changed lab, and the canvas id to select afterwards (null keeps the selection, empty clears it); for a rename,
/// what was renamed, so the text's comments on it follow it.
/// </summary>
public sealed record LabEdit(CoreLab Lab, string? Select, LabRenaming? Renamed = null);

/// <summary>Element <c>Element</c> (or its row <c>Row</c>) is now called <c>NewName</c>.</summary>
public sealed record LabRenaming(string Element, string? Row, string NewName);
