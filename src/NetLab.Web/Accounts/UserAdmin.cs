using System.Globalization;
using Microsoft.Data.Sqlite;
using NetLab.Web.Store;

namespace NetLab.Web.Accounts;

/// <summary>
/// The web's one-shot admin mode, `NetLab.Web.dll user add|list|disable|enable|reset-password ...`: what `netlab user`
/// runs (as the web's user, so the store's files keep their owner). The accounts' code stays in the web alone; the
/// native CLI only parses and forwards. It opens the store as the web does (WAL, busy timeout), so it works whether or
/// not a web is serving the same store. A password is one line on standard input, never an argument.
/// </summary>
public static class UserAdmin
{
    public const string CommandName = "user";

    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private const string UsageText =
        "usage: user add NAME --role instructor|student [--display-name TEXT] | user list | user disable NAME | " +
        "user enable NAME | user reset-password NAME   (settings as --Web:Key=value; passwords on standard input)";

    /// <summary>True when the web was started for an admin command rather than to serve.</summary>
    public static bool IsAdminCommand(string[] args) => args.Length > 0 && args[0] == CommandName;

    /// <summary>Runs one admin command; returns its exit code (0 done, 1 refused or failed, 2 a command line to fix).</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter errors, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = args.Where(a => a.StartsWith("--Web:", StringComparison.Ordinal)).ToArray();
        var words = args.Skip(1).Where(a => !a.StartsWith("--Web:", StringComparison.Ordinal)).ToList();
        if (Parse(words) is not { } command)
        {
            await errors.WriteLineAsync($"netlab user: {UsageText}").ConfigureAwait(false);
            return Usage;
        }

        if (command.Problem is { } problem)
        {
            await errors.WriteLineAsync($"netlab user {command.Verb}: {problem}").ConfigureAwait(false);
            return Usage;
        }

        var options = new WebOptions();
        new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(settings).Build().GetSection(WebOptions.SectionName).Bind(options);
        var database = new SqliteDatabase(options.ResolvedDatabaseFile);
        var store = new UserStore(database, time ?? TimeProvider.System);
        try
        {
            return await RunAsync(command, store, input, output).ConfigureAwait(false);
        }
        catch (ArgumentException refused)
        {
            await errors.WriteLineAsync($"netlab user {command.Verb}: {refused.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (Exception error) when (error is StoreTooNewException or StoreFullException)
        {
            await errors.WriteLineAsync($"netlab user {command.Verb}: {error.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync(
                $"netlab user {command.Verb}: cannot use the store {database.DatabaseFile}: {error.Message.TrimEnd('.')}. " +
                "Run it as root (`sudo netlab user ...`, which runs it as the web's user), with --data naming the data folder `netlab up` uses.").ConfigureAwait(false);
            return Failed;
        }
    }

    private static async Task<int> RunAsync(AdminCommand command, UserStore store, TextReader input, TextWriter output)
    {
        switch (command.Verb)
        {
            case "add":
            {
                var password = await ReadPasswordAsync(input).ConfigureAwait(false);
                var account = await store.AddAsync(command.Name!, command.Role!.Value, password, command.DisplayName).ConfigureAwait(false);
                await output.WriteLineAsync($"added {UserStore.RoleName(account.Role)} '{account.Name}' ({account.DisplayName})").ConfigureAwait(false);
                return Ok;
            }

            case "list":
            {
                var accounts = await store.ListAsync().ConfigureAwait(false);
                if (accounts.Count == 0)
                {
                    await output.WriteLineAsync("no accounts yet: create the first with `sudo netlab user add NAME --role instructor`").ConfigureAwait(false);
                    return Ok;
                }

                var width = Math.Max(4, accounts.Max(a => a.Name.Length));
                await output.WriteLineAsync($"{"NAME".PadRight(width)}  ROLE        STATUS    CREATED           DISPLAY NAME").ConfigureAwait(false);
                foreach (var account in accounts)
                {
                    var created = account.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                    var line = $"{account.Name.PadRight(width)}  {UserStore.RoleName(account.Role),-10}  {(account.Disabled ? "disabled" : "active"),-8}  {created}  {account.DisplayName}{(account.SingleSignOn ? "  (single sign-on)" : string.Empty)}";
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }

                return Ok;
            }

            case "disable":
            case "enable":
            {
                var disable = command.Verb == "disable";
                var account = await store.SetDisabledAsync(command.Name!, disable).ConfigureAwait(false);
                await output.WriteLineAsync(disable
                    ? $"disabled '{account.Name}': it cannot sign in, and its open pages are signed out within a minute"
                    : $"enabled '{account.Name}': it can sign in again").ConfigureAwait(false);
                return Ok;
            }

            default:
            {
                var password = await ReadPasswordAsync(input).ConfigureAwait(false);
                var account = await store.ResetPasswordAsync(command.Name!, password).ConfigureAwait(false);
                await output.WriteLineAsync($"set a new password for '{account.Name}': its sessions signed in before are signed out within a minute").ConfigureAwait(false);
                return Ok;
            }
        }
    }

    /// <summary>One line: the line break is not part of the password, anything else is (spaces included).</summary>
    private static async Task<string> ReadPasswordAsync(TextReader input) =>
        (await input.ReadLineAsync().ConfigureAwait(false))?.TrimEnd('\r')
        ?? throw new ArgumentException($"no password on standard input: give it as one line (at least {UserStore.MinPasswordLength} characters), e.g. from a password manager or typed when asked");

    private static AdminCommand? Parse(List<string> words)
    {
        if (words.Count == 0)
        {
            return null;
        }

        var verb = words[0];
        var rest = words.Skip(1).ToList();
        switch (verb)
        {
            case "list":
                return rest.Count == 0 ? new AdminCommand(verb, null, null, null, null) : new AdminCommand(verb, null, null, null, $"takes no arguments, got '{rest[0]}'");
            case "disable":
            case "enable":
            case "reset-password":
                return rest.Count != 1 ? new AdminCommand(verb, null, null, null, $"give exactly one user name (got {rest.Count} arguments)")
                    : new AdminCommand(verb, rest[0], null, null, UserStore.NameProblem(rest[0]));
            case "add":
                return ParseAdd(rest);
            default:
                return null;
        }
    }

    private static AdminCommand ParseAdd(List<string> rest)
    {
        string? name = null, role = null, displayName = null;
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--role" when i + 1 < rest.Count:
                    role = rest[++i];
                    break;
                case "--display-name" when i + 1 < rest.Count:
                    displayName = rest[++i];
                    break;
                case var word when word.StartsWith("--", StringComparison.Ordinal):
                    return new AdminCommand("add", null, null, null, $"unknown option or missing value: '{word}'");
                case var word when name is null:
                    name = word;
                    break;
                default:
                    return new AdminCommand("add", null, null, null, $"one user name only; '{rest[i]}' is one too many");
            }
        }

        var parsedRole = UserStore.ParseRole(role);
        var problem = UserStore.NameProblem(name)
            ?? (role is null ? "give the account's role with --role instructor or --role student"
                : parsedRole is null ? $"--role '{role}' is no role: use --role instructor or --role student"
                : displayName is null ? null
                : UserStore.DisplayNameProblem(displayName));
        return new AdminCommand("add", name, parsedRole, displayName, problem);
    }

    private sealed record AdminCommand(string Verb, string? Name, UserRole? Role, string? DisplayName, string? Problem);
}
