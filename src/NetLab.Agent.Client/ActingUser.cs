namespace NetLab.Agent.Client;

/// <summary>
/// Who a request acts for, as the web names its signed-in user to the agent (the header <see cref="Header"/>). The web
/// is the only caller besides root (the socket admits its uid alone), and it checks ownership itself; the agent checks
/// again, so that a mistake in the web cannot make one student's request touch another's lab. A request without the
/// header is the administrator's (root's CLI, the web's own housekeeping) and sees every lab.
/// </summary>
public static class ActingUser
{
    public const string Header = "NetLab-Acting-User";

    /// <summary>The longest name: a user id or name of the web's store, or an identity provider's subject.</summary>
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="name"/> can name an acting user, else what is wrong with it.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The acting user is empty: send the user's id in the NetLab-Acting-User header, or leave the header out for an administrator's request.";
        }

        if (name.Length > MaxLength)
        {
            return $"The acting user is {name.Length} characters long; at most {MaxLength} are taken.";
        }

        // Letters, digits and what e-mail addresses and identity providers' subjects use; never a space, a quote, a
        // slash or a control character, so the name is safe in a header, a log line and a file's text.
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+' or ':' or '=')
            ? null
            : $"The acting user '{new string([.. name.Where(c => !char.IsControl(c))])}' holds a character the agent does not take: only letters, digits and . _ - @ + : = are.";
    }

    /// <summary>The name itself when it can name an acting user.</summary>
    /// <exception cref="ArgumentException">It cannot; the message says why.</exception>
    public static string Require(string name) => Problem(name) is { } problem ? throw new ArgumentException(problem, nameof(name)) : name;
}
