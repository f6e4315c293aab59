using NetLab.Core.Experiments;
using NetLab.Core.Formats;
using NetLab.Core.Validation;
using NetLab.Web.Agent;
using CoreLab = NetLab.Core.Labs.Lab;

namespace NetLab.Web.Model;

/// <summary>
/// A lab's text read once: the parsed lab (also when the validator finds problems in it, so the canvas can draw it),
/// its problems (file syntax first, with lines and columns), and the name the kernel knows it by. The lab page makes one
/// per edit and hands it to its panels, which then never parse the YAML themselves.
/// </summary>
/// <param name="Text">The YAML.</param>
/// <param name="Lab">The lab as read, or null when the text does not read as a lab at all.</param>
/// <param name="Problems">Everything wrong with it; empty for a valid lab.</param>
/// <param name="KernelName">
/// The lab's YAML <c>name</c>, what the agent knows it by, also when the validator finds problems (a stored revision
/// was valid when saved, and a stricter validator of a later NetLab must not turn its name into the store's, which may
/// name another kernel lab after a rename or an import); the store's name only when the text is no lab at all
/// (<see cref="KernelLabNames.Of(CoreLab?, string)"/>).
/// </param>
public sealed record LabDraft(string Text, CoreLab? Lab, IReadOnlyList<Problem> Problems, string KernelName)
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
        return new(text, lab, problems, KernelLabNames.Of(lab, storeName));
    }
}
