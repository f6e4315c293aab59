using NetLab.Core.Experiments;
using NetLab.Core.Formats;
using NetLab.Core.Validation;
using CoreLab = NetLab.Core.Labs.Lab;

namespace NetLab.Web.Model;

/// <summary>
/// A lab's text read once: the parsed lab (also when the validator finds problems in it, so the canvas can draw it),
/// its problems (file syntax first, with lines and columns), and its name. The lab page makes one
/// per edit and hands it to its panels, which then never parse the YAML themselves.
/// </summary>
/// <param name="Text">The YAML.</param>
/// <param name="Lab">The lab as read, or null when the text does not read as a lab at all.</param>
/// <param name="Problems">Everything wrong with it; empty for a valid lab.</param>
/// <param name="Name">
/// The lab's YAML <c>name</c> (a template's name finds its guide), also when the validator finds problems; the store's
/// name when the text names none. Not the kernel's name of the lab: that is the store's (<see cref="Store.LabSummary.KernelName"/>).
/// </param>
public sealed record LabDraft(string Text, CoreLab? Lab, IReadOnlyList<Problem> Problems, string Name)
{
    private IReadOnlyList<PairPrediction>? _predictions;

    public bool IsValid => Lab is not null && Problems.Count == 0;

    /// <summary>The connectivity the lab predicts (none when it is not valid), computed on first use.</summary>
    public IReadOnlyList<PairPrediction> Predictions => _predictions ??= IsValid ? ConnectivityPredictor.Predict(Lab!) : [];

    public static LabDraft Of(string? text, string storeName)
    {
        text ??= "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return new(text, null, LabFormat.Load(text, LabFileFormat.Yaml).Problems, storeName);
        }

        var loaded = LabFormat.Load(text, LabFileFormat.Yaml);
        if (loaded.Lab is not { } lab)
        {
            return new(text, null, loaded.Problems, storeName);
        }

        var problems = LabValidator.Validate(lab).Select(loaded.Locate).ToList();
        return new(text, lab, problems, lab.Name is { Length: > 0 } name ? name : storeName);
    }
}
