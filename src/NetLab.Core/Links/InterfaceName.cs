using System.Text;

namespace NetLab.Core.Links;

/// <summary>
/// Rules for interface names: the kernel's (dev_valid_name in net/core/dev.c, <see cref="Problem"/>), checked before
/// any request is sent, and the stricter ones for names written in a lab (<see cref="LabProblem"/>).
/// </summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxBytes = 15;

    /// <summary>Returns null when the name is valid, else a sentence saying what is wrong and how to fix it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an interface name is required";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
        {
            return $"'{name}' is {bytes} bytes long; Linux allows at most {MaxBytes}. Use a shorter name";
        }

        if (name is "." or "..")
        {
            return $"'{name}' is reserved; choose another name";
        }

        foreach (var c in name)
        {
            if (c == '/' || c == ':' || c == '\0' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                var shown = c switch
                {
                    '\0' => "NUL",
                    ' ' => "' ' (whitespace)",
                    _ when char.IsWhiteSpace(c) => "whitespace",
                    _ => $"'{c}'",
                };
                return $"'{Printable(name)}' contains {shown}, which Linux forbids in interface names. {Allowed}";
            }
        }

        return null;
    }

    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>
    /// Returns null when a lab may use the name, else what is wrong and how to fix it. On top of the kernel's rules, a
    /// lab's interface names are what iproute2 users type as they are: ASCII letters, digits, '-', '_' and '.',
    /// starting with a letter or digit. The teaching view prints them in commands pasted into a root shell, and the
    /// kernel itself would take `$(reboot)` or `-x` as a name; a leading '-' would read as an option.
    /// </summary>
    public static string? LabProblem(string? name)
    {
        if (Problem(name) is { } kernel)
        {
            return kernel;
        }

        if (!char.IsAsciiLetterOrDigit(name![0]))
        {
            return $"'{name}' starts with '{name[0]}'; an interface name must start with a letter or digit. {Allowed}";
        }

        var bad = name.FirstOrDefault(c => !IsAllowedInLab(c));
        return bad == default ? null : $"'{name}' contains '{bad}', which a shell or iproute2 would not take as part of a name. {Allowed}";
    }

    /// <summary>A character a lab's interface name may hold.</summary>
    private static bool IsAllowedInLab(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private const string Allowed = "Use ASCII letters, digits, '-', '_' or '.', e.g. eth0, macvlan2 or eth0.888";

    private static string Printable(string name) => name.Replace("\0", "\\0", StringComparison.Ordinal);
}
