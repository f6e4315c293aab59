using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Agent.Api;

/// <summary>Reads a <see cref="LabDocument"/> into a valid <see cref="Lab"/>: the agent validates every lab again, whoever sent it.</summary>
public static class LabDocuments
{
    /// <exception cref="InvalidLabException">The text does not parse, or the lab has problems (each with its line and column).</exception>
    /// <exception cref="ArgumentException">The format is neither yaml nor json.</exception>
    public static Lab Read(LabDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var loaded = LabFormat.LoadAndValidate(document.Text ?? "", FormatOf(document.Format));
        return loaded.Lab ?? throw new InvalidLabException(loaded.Problems);
    }

    /// <summary>The document for a lab file: its text, and its format by extension (.json is JSON, anything else YAML).</summary>
    public static LabDocument FromFile(string path) =>
        new(File.ReadAllText(path), LabFormat.FormatOf(path) == LabFileFormat.Json ? "json" : "yaml");

    private static LabFileFormat FormatOf(string? format) => format?.ToLowerInvariant() switch
    {
        null or "" or "yaml" or "yml" => LabFileFormat.Yaml,
        "json" => LabFileFormat.Json,
        _ => throw new ArgumentException($"Unknown lab format '{format}': send \"yaml\" or \"json\"."),
    };
}
