using Microsoft.AspNetCore.Components;
using MudBlazor;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls.Live;

/// <summary>
/// Every interface per namespace: state and carrier as a coloured chip, kind, parent, MAC, addresses, and (live) rx/tx
/// rates. Shared by the live panel and a run's replay, which passes the state folded at its moment.
/// </summary>
public sealed partial class InterfaceTables
{
    [Parameter, EditorRequired]
    public IReadOnlyList<LiveNamespace> Namespaces { get; set; } = [];

    /// <summary>Rates are live readings; a replay has none.</summary>
    [Parameter]
    public bool ShowRates { get; set; } = true;

    internal static Color StateColor(InterfaceState link) => link.OperState switch
    {
        "up" when link.Carrier is false => Color.Warning,
        "up" => Color.Success,
        "down" => Color.Error,
        "lowerlayerdown" => Color.Warning,
        _ => Color.Default,
    };

    internal static string StateClass(InterfaceState link) => link.OperState switch
    {
        "up" when link.Carrier is false => "nocarrier",
        "up" or "down" or "lowerlayerdown" => link.OperState,
        _ => "unknown",
    };

    internal static string StateText(InterfaceState link)
    {
        var text = link.Up || link.OperState != "down" ? link.OperState : "down (admin)";
        return link.Carrier switch
        {
            true => $"{text} · carrier",
            false => $"{text} · no carrier",
            null => text,
        };
    }

    private static string KindText(InterfaceState link) =>
        string.Join(" ", new[] { link.Kind, link.Mode, link.VlanId is { } id ? $"id {id}" : null }.Where(part => part is not null));
}
