using Microsoft.AspNetCore.Components;
using NetLab.Core.Experiments;
using NetLab.Web.Model;

namespace NetLab.Web.Components.Controls.Experiments;

/// <summary>
/// Prediction beside observation for every (source, address) pair of a lab, coloured by verdict; selecting a cell
/// shows the rule, its explanation and the fix (docs/connectivity-rules.md).
/// </summary>
public sealed partial class ConnectivityMatrix
{
    [Parameter, EditorRequired]
    public ConnectivityMatrixModel Model { get; set; } = ConnectivityMatrixModel.Empty;

    /// <summary>
    /// A student's copy of an assignment that does not explain failed checks (<see cref="NetLab.Web.Courses.GradeExplanations"/>):
    /// the matrix shows predicted and observed, but not the rule, its explanation or the fix, which would answer the
    /// graded checks the instructor chose not to explain.
    /// </summary>
    [Parameter]
    public bool ExplanationsHidden { get; set; }

    private string? _selectedKey;

    /// <summary>Looked up again on every render, so a new report updates the details of the selected pair.</summary>
    private ConnectivityCell? Selected => _selectedKey is null ? null : Model.Cells.GetValueOrDefault(_selectedKey);

    private void Select(ConnectivityCell cell) => _selectedKey = cell.Key;

    private string CellClass(ConnectivityCell cell) =>
        "matrix-cell" + (cell.Key == _selectedKey ? " matrix-selected" : "");

    private static string Mark(bool? outcome) => outcome switch
    {
        true => "✓",
        false => "✗",
        null => "·",
    };

    private static string ObservedText(ObservedPing? observation) => observation switch
    {
        null => "not checked yet",
        _ => observation.Describe(),
    };

    public static string VerdictWord(PairVerdict verdict) => verdict switch
    {
        PairVerdict.ReachableAsPredicted => "ok",
        PairVerdict.FailedAsPredicted => "fail",
        PairVerdict.Mismatch => "mismatch",
        PairVerdict.NotPredicted => "not-predicted",
        _ => "not-checked",
    };

    private static string Colour(PairVerdict verdict) => verdict switch
    {
        PairVerdict.ReachableAsPredicted => "var(--mud-palette-success)",
        PairVerdict.FailedAsPredicted => "var(--mud-palette-info)",
        PairVerdict.Mismatch => "var(--mud-palette-error)",
        _ => "transparent",
    };

    private static string Swatch(PairVerdict verdict) => $"background:{Colour(verdict)};border-radius:3px";

    private string CellStyle(ConnectivityCell cell)
    {
        var verdict = cell.Explanation.Verdict;
        var colours = verdict is PairVerdict.NotChecked or PairVerdict.NotPredicted
            ? "color:inherit"
            : $"background:{Colour(verdict)};color:var(--mud-palette-white)";
        var outline = cell.Key == _selectedKey ? ";outline:3px solid var(--mud-palette-primary)" : "";
        return $"{colours};cursor:pointer;text-align:center;white-space:nowrap{outline}";
    }
}
