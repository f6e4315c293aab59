using System.CommandLine;
using System.Diagnostics;
using System.Text;
using NetLab.Cli.Launcher;

namespace NetLab.Cli.Commands;

/// <summary>
/// `netlab user add|list|disable|enable|reset-password`: the web's local accounts. The accounts live in the web's store
/// and their code in the web (<c>NetLab.Web.Accounts.UserAdmin</c>): this command parses, reads the password, and runs
/// the published web's assembly once in its admin mode (`dotnet NetLab.Web.dll user ...`). As root it runs it as the
/// web's user, exactly as `up` starts the web (no capabilities), so the store's files keep the owner the web needs.
/// The store is SQLite in WAL mode with a busy timeout, so this works whether or not `up` is running.
/// </summary>
internal static class UserCommand
{
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromMinutes(2);

    public static Command Create(CliServices services)
    {
        var command = new Command("user", "Manage the web's local accounts (sign-in): add, list, disable, enable, reset-password. Passwords are read from standard input.");
        var name = () => new Argument<string>("NAME") { Description = "The account's user name (letters, digits, '.', '_', '-'; at most 32)." };

        var addName = name();
        var role = new Option<string>("--role") { Description = "instructor or student.", Required = true };
        role.AcceptOnlyFromAmong("instructor", "student");
        var displayName = new Option<string?>("--display-name") { Description = "The name the pages show (default: the user name)." };
        var add = new Command("add", "Create an account; its password is one line on standard input (asked for, without echo, on a terminal).") { addName, role, displayName };
        add.SetAction(Run(services, add, result =>
        {
            List<string> words = ["add", result.GetValue(addName)!, "--role", result.GetValue(role)!];
            if (result.GetValue(displayName) is { } shown)
            {
                words.AddRange(["--display-name", shown]);
            }

            return words;
        }, readsPassword: true));
        command.Subcommands.Add(add);

        var list = new Command("list", "List the accounts: name, role, active or disabled, created, display name.");
        list.SetAction(Run(services, list, _ => ["list"], readsPassword: false));
        command.Subcommands.Add(list);

        foreach (var (verb, description, readsPassword) in new[]
        {
            ("disable", "Disable an account: it cannot sign in, and its open pages are signed out within a minute.", false),
            ("enable", "Enable a disabled account again.", false),
            ("reset-password", "Set a new password (one line on standard input); the account's sessions end within a minute.", true),
        })
        {
            var target = name();
            var sub = new Command(verb, description) { target };
            sub.SetAction(Run(services, sub, result => [verb, result.GetValue(target)!], readsPassword));
            command.Subcommands.Add(sub);
        }

        return command;
    }

    /// <summary>Adds the options every subcommand shares and returns its action.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Run(CliServices services, Command command, Func<ParseResult, List<string>> words, bool readsPassword)
    {
        var data = new Option<string>("--data") { Description = $"The web's data folder, as for `netlab up` (default {UpCommand.DefaultDataFolder}).", DefaultValueFactory = _ => UpCommand.DefaultDataFolder };
        var webUser = new Option<string?>("--web-user") { Description = $"The web's user, as for `netlab up` (default '{WebUser.Dedicated}'); as root the command runs as that user." };
        var web = new Option<string?>("--web") { Description = $"The web's {WebLocation.AssemblyFile}, or its folder (default: found next to netlab, as for `netlab up`)." };
        command.Options.Add(data);
        command.Options.Add(webUser);
        command.Options.Add(web);
        return (result, cancel) => RunAsync(
            services,
            new UserRequest(command.Name, words(result), readsPassword, Path.GetFullPath(result.GetValue(data) ?? UpCommand.DefaultDataFolder), result.GetValue(webUser), result.GetValue(web)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancel);
    }

    internal static async Task<int> RunAsync(CliServices services, UserRequest request, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var label = $"netlab user {request.Verb}";
        if (!OperatingSystem.IsLinux())
        {
            await errors.WriteLineAsync($"{label}: NetLab runs on Linux only.").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        string webAssembly;
        WebUser? user = null;
        LauncherTools? tools = null;
        try
        {
            webAssembly = WebLocation.Find(request.WebPath, AppContext.BaseDirectory);
            if (services.IsRoot)
            {
                tools = LauncherTools.Find();
                _ = DataFolder.Locate(request.DataFolder);
                // The folder `up` would prepare: made when missing and the web user's, so the store made here is the web's.
                user = await WebUser.ResolveWithDataFolderAsync(request.WebUserName, services.Accounts, request.DataFolder, output).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"{label}: {error.Message}").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        string? password = null;
        if (request.ReadsPassword)
        {
            password = ReadPassword(services.Input, errors);
            if (password is null)
            {
                await errors.WriteLineAsync($"{label}: no password on standard input: give it as one line, e.g. `printf '%s\\n' \"$PASSWORD\" | sudo netlab user {request.Verb} NAME ...`, or type it when asked").ConfigureAwait(false);
                return ExitCodes.CannotRun;
            }
        }

        var start = AdminStart(tools, user, webAssembly, request);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var copyOutput = CopyAsync(process.StandardOutput, output);
        var copyErrors = CopyAsync(process.StandardError, errors);
        if (password is not null)
        {
            await process.StandardInput.WriteLineAsync(password).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AdminTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(copyOutput, copyErrors).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                await errors.WriteLineAsync($"{label}: the web's admin command did not finish within {AdminTimeout.TotalMinutes:0} minutes (is the store locked by another program?); stopped it").ConfigureAwait(false);
            }

            return ExitCodes.Failed;
        }

        await Task.WhenAll(copyOutput, copyErrors).ConfigureAwait(false);

        // The web's admin mode answers 0, 1 or 2 as netlab's commands do; anything else (dotnet missing a runtime) is a failure.
        return process.ExitCode is ExitCodes.Ok or ExitCodes.Failed or ExitCodes.CannotRun ? process.ExitCode : ExitCodes.Failed;
    }

    /// <summary>`dotnet NetLab.Web.dll user ...`, through setpriv as the web's user when run as root.</summary>
    private static ProcessStartInfo AdminStart(LauncherTools? tools, WebUser? user, string webAssembly, UserRequest request)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(webAssembly)!,
        };
        List<string> arguments = [WebProcess.DotnetHost(), webAssembly, "user", .. request.Words, $"--Web:DataFolder={request.DataFolder}"];
        if (tools is not null && user is not null)
        {
            arguments = [tools.SetPriv, $"--reuid={user.Uid}", $"--regid={user.Gid}", "--init-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", .. arguments];

            // As `up` gives the web: the web user has no home; .NET's own files go to the data folder.
            start.Environment["HOME"] = request.DataFolder;
        }

        start.FileName = arguments[0];
        foreach (var argument in arguments.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }

    /// <summary>One line; on a terminal asked for on stderr and read without echo.</summary>
    private static string? ReadPassword(TextReader? input, TextWriter errors)
    {
        if (input is not null || Console.IsInputRedirected)
        {
            return (input ?? Console.In).ReadLine()?.TrimEnd('\r');
        }

        errors.Write("password: ");
        errors.Flush();
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                errors.WriteLine();
                return typed.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
    }

    private static async Task CopyAsync(StreamReader from, TextWriter to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            await to.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}

/// <summary>One `netlab user` invocation: the words for the web's admin mode and where the store is.</summary>
internal sealed record UserRequest(string Verb, IReadOnlyList<string> Words, bool ReadsPassword, string DataFolder, string? WebUserName, string? WebPath);
