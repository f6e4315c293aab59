using NetLab.Agent.Api;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Cli.Commands;

/// <summary>Reading the lab file a command names.</summary>
internal static class LabFiles
{
    /// <summary>The file as a LabDocument, or null after saying on stderr why it cannot be read.</summary>
    public static LabDocument? Read(string path, CommandContext context, string commandName)
    {
        try
        {
            return LabDocuments.FromFile(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            context.Errors.WriteLine($"netlab {commandName}: cannot read the lab file {path}: {error.Message}");
            return null;
        }
    }
}
