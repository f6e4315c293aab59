using Microsoft.AspNetCore.Components;
using NetLab.Core.Validation;
using NetLab.Web.Model.Topology;
using CoreLab = NetLab.Core.Labs.Lab;

namespace NetLab.Web.Components.Controls.Topology;

/// <summary>
/// The property panel of the canvas's selection: a row's name, kind, parent, mode, vlan id and protocol, MAC, MTU,
/// addresses and up, or a box's name and loopback; with the validator's messages for it. A rename carries every
/// reference to the renamed thing (or is refused with the reason, changing nothing). Every field applies on
/// change (a new lab through <see cref="OnEdit"/>), as dragging does.
/// </summary>
public sealed partial class TopologyProperties
{
    private CoreLab? _formLab;
    private string? _formId;

    // A new key per refusal: the name field is made anew, so it shows the name the lab still has instead of what was typed.
    private int _renameRefusals;

    [Parameter]
    public CoreLab? Lab { get; set; }

    [Parameter]
    public string? SelectedId { get; set; }

    [Parameter]
    public TopologyGraph Graph { get; set; } = TopologyGraph.Empty;

    [Parameter]
    public IReadOnlyList<Problem> Problems { get; set; } = [];

    [Parameter]
    public EventCallback<LabEdit> OnEdit { get; set; }

    private ItemForm? Form { get; set; }

    private IReadOnlyList<string> SelectionProblems => SelectedId is null ? []
        : Graph.FindItem(SelectedId)?.Problems ?? Graph.FindNode(SelectedId)?.Problems ?? [];

    private IReadOnlyList<string> LabWideProblems => Lab is null ? []
        : [.. Problems.Where(p => TopologyIds.IdOf(Lab, p.Path) is null).Select(p => $"{p.Path}: {p.Message}. {p.Hint}")];

    protected override void OnParametersSet()
    {
        // A new lab (after any edit) or another selection: the form shows what the lab holds now.
        if (!ReferenceEquals(Lab, _formLab) || SelectedId != _formId)
        {
            _formLab = Lab;
            _formId = SelectedId;
            Form = Lab is null || SelectedId is null ? null : ItemForm.Of(Lab, SelectedId);
            RenameRefusal = null;
        }
    }

    /// <summary>Why the last rename was refused; the lab was left as it was.</summary>
    private string? RenameRefusal { get; set; }

    private async Task SetAsync(Action<ItemForm> change)
    {
        if (Lab is null || Form is null)
        {
            return;
        }

        change(Form);
        await OnEdit.InvokeAsync(new LabEdit(Form.ApplyTo(Lab), TopologyIds.Of(Form.Element, Form.Name)));
    }

    /// <summary>A box's or a row's new name, carried into every reference to it as one edit (one undo step).</summary>
    private async Task RenameAsync(string id, string name)
    {
        if (Lab is null)
        {
            return;
        }

        var newName = name.Trim();
        var outcome = TopologyEdits.Rename(Lab, id, newName);
        if (outcome.Lab is not { } renamed)
        {
            // The field shows the name the lab still has, beside the reason.
            Form = ItemForm.Of(Lab, id);
            RenameRefusal = outcome.Refusal;
            _renameRefusals++;
            return;
        }

        if (!ReferenceEquals(renamed, Lab))
        {
            var (element, row) = TopologyIds.Split(id);
            await OnEdit.InvokeAsync(new LabEdit(renamed, row is null ? newName : TopologyIds.Of(element, newName), new LabRenaming(element, row, newName)));
        }
    }

    private Task SetLoopbackAsync(TopologyNode node, bool up) =>
        Lab is null ? Task.CompletedTask : OnEdit.InvokeAsync(new LabEdit(TopologyEdits.SetLoopback(Lab, node.Id, up), node.Id));

    private Task DeleteAsync() =>
        Lab is null || SelectedId is null ? Task.CompletedTask : OnEdit.InvokeAsync(new LabEdit(TopologyEdits.Delete(Lab, SelectedId), ""));

    private bool LoopbackUp(string element) => Lab?.FindNamespace(element)?.LoopbackUp ?? false;

    /// <summary>Every interface the row could name, written as the lab writes references; the current value stays listed.</summary>
    private IEnumerable<string> Candidates(ItemForm form)
    {
        var candidates = new List<string> { "" };
        if (Lab is not null)
        {
            foreach (var owner in Lab.InterfaceNamespaces)
            {
                candidates.AddRange(owner.InterfaceNames
                    .Where(name => owner.Name != form.Element || name != form.OriginalName)
                    .Select(name => owner.Name == form.Element ? name : TopologyIds.Of(owner.Name, name)));
            }
        }

        var current = form.Kind == "veth" ? form.Peer : form.Parent;
        if (!candidates.Contains(current))
        {
            candidates.Add(current);
        }

        return candidates;
    }

    private static string KindDescription(ItemForm form) => form.Kind switch
    {
        "port" => "switch port: one end of the veth a host NIC plugs into",
        "nic" => "host NIC: a veth into a switch port",
        _ => $"{form.Kind} interface",
    };
}
