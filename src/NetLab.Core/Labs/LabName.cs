namespace NetLab.Core.Labs;

/// <summary>
/// Rules for the names of labs, switches, hosts and namespaces. They become parts of kernel namespace names
/// (files under /run/netns), joined by the naming scheme's separator, and words of the commands the teaching view
/// prints, so they must stay short and plain: letters, digits, '-' and '_', starting with a letter or digit (a
/// leading '-' would read as an option). The separator '.' is left out so a kernel name can be read back.
/// </summary>
public static class LabName
{
    public const int MaxLength = 32;

    /// <summary>Returns null when the name is valid, else what is wrong with it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name is required";
        }

        if (name.Length > MaxLength)
        {
            return $"'{name}' is {name.Length} characters long; at most {MaxLength} are allowed";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"'{name}' starts with '{name[0]}'; a name must start with a letter or digit";
        }

        var bad = name.FirstOrDefault(c => !IsAllowed(c));
        return bad == default ? null : $"'{name}' contains '{bad}'; only letters, digits, '-' and '_' are allowed";
    }

    /// <summary>A character a name may hold (ASCII letters and digits, '-', '_').</summary>
    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
