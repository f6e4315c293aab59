using NetLab.Agent.Client.Contracts;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Validation;

namespace NetLab.Agent.Api;

/// <summary>Reads a <see cref="LabDocument"/> into a valid <see cref="Lab"/>: the agent validates every lab again, whoever sent it.</summary>
public static class LabDocuments
{
    /// <summary>
    /// The lab of the document, under the document's <see cref="LabDocument.Name"/> when it gives one: that name is
    /// checked as a file's would be, and the lab is validated under it, so every kernel name it makes fits.
    /// </summary>
    /// <exception cref="InvalidLabException">The text does not parse, the name is not a lab name, or the lab has problems (each with its line and column).</exception>
    /// <exception cref="ArgumentException">The format is neither yaml nor json.</exception>
    public static Lab Read(LabDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var loaded = LabFormat.Load(document.Text ?? "", FormatOf(document.Format));
        if (loaded.Lab is not { } lab)
        {
            throw new InvalidLabException(loaded.Problems);
        }

        if (document.Name is { } name)
        {
            if (LabName.Problem(name) is { } problem)
            {
                throw new InvalidLabException([new Problem("name", $"the lab's kernel name is not valid: {problem}", "The web names each lab itself; this is a fault of the caller")]);
            }

            lab = lab with { Name = name };
        }

        var problems = LabValidator.Validate(lab).Select(loaded.Locate).ToList();
        return problems.Count == 0 ? lab : throw new InvalidLabException(problems);
    }

    /// <summary>The <c>name</c> the document's text gives its lab (not <see cref="LabDocument.Name"/>), or null when it gives none.</summary>
    public static string? FileNameOf(LabDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return LabFormat.Load(document.Text ?? "", FormatOf(document.Format)).Lab?.Name is { Length: > 0 } name ? name : null;
    }

    /// <summary>
    /// The document for a lab file: its text, and its format by extension (.json is JSON, anything else YAML). At most
    /// <see cref="LabFormat.MaxDocumentBytes"/> and one more byte are read, whatever the file is: a device such as
    /// /dev/zero or a pipe that never ends would otherwise be read until memory runs out.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read, is a directory, or holds more than a lab file may (the message says which).</exception>
    /// <exception cref="UnauthorizedAccessException">The caller may not read it.</exception>
    public static LabDocument FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new IOException($"{path} is a directory, not a lab file: name a .yaml, .yml or .json file");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        var bytes = new byte[LabFormat.MaxDocumentBytes + 1];
        var length = 0;
        int read;
        while (length < bytes.Length && (read = file.Read(bytes, length, bytes.Length - length)) > 0)
        {
            length += read;
        }

        if (length > LabFormat.MaxDocumentBytes)
        {
            throw new IOException($"it holds more than {LabFormat.MaxDocumentBytes} bytes; a lab file may be at most {LabFormat.MaxDocumentBytes} bytes (1 MiB). A lab of a few thousand interfaces fits easily: name the lab file itself");
        }

        // As File.ReadAllText: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(new MemoryStream(bytes, 0, length), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return new(reader.ReadToEnd(), LabFormat.FormatOf(path) == LabFileFormat.Json ? "json" : "yaml");
    }

    /// <exception cref="ArgumentException">The format is neither yaml nor json.</exception>
    internal static LabFileFormat FormatOf(string? format) => format?.ToLowerInvariant() switch
    {
        null or "" or "yaml" or "yml" => LabFileFormat.Yaml,
        "json" => LabFileFormat.Json,
        _ => throw new ArgumentException($"Unknown lab format '{format}': send \"yaml\" or \"json\"."),
    };
}
