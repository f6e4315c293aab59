using System.CommandLine;
using System.Globalization;
using NetLab.Agent.Hosting;

namespace NetLab.Cli.Commands;

/// <summary>`netlab agent`: the privileged agent in the foreground, until Ctrl-C or SIGTERM.</summary>
internal static class AgentCommand
{
    public static Command Create(CliServices services, Option<string> socket)
    {
        var allowUid = new Option<string[]>("--allow-uid") { Description = "Also admit this user (uid or name); repeatable. Root is always admitted.", AllowMultipleArgumentsPerToken = false };
        var allowGid = new Option<string[]>("--allow-gid") { Description = "Also admit this group (gid or name); repeatable. The first one becomes the socket's group.", AllowMultipleArgumentsPerToken = false };
        var tcp = new Option<string?>("--tcp") { Description = "Also listen on TCP at a loopback address, e.g. 127.0.0.1:5081 (no other address: TCP has no peer credentials, so anyone who reaches it is admitted)." };
        var maxNamespaces = new Option<int?>("--max-namespaces")
        {
            Description = $"Namespaces the agent holds for all labs together, {AgentLimits.MinimumValue}-{AgentLimits.MaxNamespacesCeiling} (default {Defaults.MaxNamespaces}). An apply that would pass it is refused before any change (busy).",
        };
        var maxCaptures = new Option<int?>("--max-captures")
        {
            Description = $"Captures the agent runs at once for all labs together, {AgentLimits.MinimumValue}-{AgentLimits.MaxCapturesCeiling} (default {Defaults.MaxCaptures}; at most {Defaults.MaxCapturesPerLab} per lab). One more is refused (busy).",
        };
        var prefix = NamespacePrefixOption();
        var command = new Command("agent", "Run the NetLab agent in the foreground: the API on a Unix socket (mode 0660) for root and the allowed users and groups. Needs root.")
        {
            allowUid,
            allowGid,
            tcp,
            maxNamespaces,
            maxCaptures,
            prefix,
        };
        command.SetAction((result, cancel) => RunAsync(
            services,
            result.GetValue(socket) ?? AgentOptions.DefaultSocketPath,
            result.GetValue(allowUid) ?? [],
            result.GetValue(allowGid) ?? [],
            result.GetValue(tcp),
            socketGroup: null,
            new AgentLimits(result.GetValue(maxNamespaces), result.GetValue(maxCaptures)),
            result.InvocationConfiguration.Error,
            cancel,
            result.GetValue(prefix)));
        return command;
    }

    /// <summary>--namespace-prefix, shared with `netlab up`.</summary>
    internal static Option<string> NamespacePrefixOption() => new("--namespace-prefix")
    {
        Description = $"The prefix of every network namespace the agent makes and the only ones it touches (default '{AgentOptions.DefaultNamespacePrefix}'); a second NetLab on this machine needs one of its own.",
        DefaultValueFactory = _ => AgentOptions.DefaultNamespacePrefix,
    };

    private static AgentOptions Defaults { get; } = new();

    /// <summary>
    /// Runs the agent until <paramref name="cancellationToken"/> ends it; `netlab up` runs it this way too, with no limit
    /// options (<see cref="AgentLimits.None"/>: the defaults). Bad options are reported before anything starts (exit 2).
    /// </summary>
    internal static async Task<int> RunAsync(
        CliServices services, string socketPath, string[] uids, string[] gids, string? tcp, uint? socketGroup, AgentLimits limits, TextWriter errors, CancellationToken cancellationToken, string? namespacePrefix = null)
    {
        if (!services.IsRoot)
        {
            await errors.WriteLineAsync("netlab agent: the agent creates namespaces and links, so it needs root: run `sudo netlab agent`.").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        AgentOptions options;
        try
        {
            namespacePrefix ??= AgentOptions.DefaultNamespacePrefix;
            if (AgentOptions.NamespacePrefixProblem(namespacePrefix) is { } prefixProblem)
            {
                throw new ArgumentException(prefixProblem);
            }

            options = new AgentOptions
            {
                SocketPath = socketPath,
                AllowedUids = [.. uids.Select(u => Resolve(u, "/etc/passwd", "user"))],
                AllowedGids = [.. gids.Select(g => Resolve(g, "/etc/group", "group"))],
                TcpEndpoint = tcp,
                SocketGroup = socketGroup,
                NamespacePrefix = namespacePrefix,
            };
            options = limits.ApplyTo(options);
            if (tcp is not null)
            {
                AgentHost.ParseTcpEndpoint(tcp);
            }
        }
        catch (ArgumentException error)
        {
            await errors.WriteLineAsync($"netlab agent: {error.Message}").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        var engine = services.CreateEngine(options);
        try
        {
            var host = AgentHost.Create(options, engine);
            await using (host.ConfigureAwait(false))
            {
                try
                {
                    await host.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException error)
                {
                    await errors.WriteLineAsync($"netlab agent: {error.Message}").ConfigureAwait(false);
                    return ExitCodes.CannotRun;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl-C: a normal stop.
                }
            }
        }
        finally
        {
            switch (engine)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                default:
                    break;
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>A numeric id, or a name looked up in /etc/passwd or /etc/group (name:x:id:...).</summary>
    private static uint Resolve(string idOrName, string database, string what)
    {
        if (uint.TryParse(idOrName, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        var entry = File.Exists(database)
            ? File.ReadLines(database).Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[0] == idOrName)
            : null;
        return entry is not null && uint.TryParse(entry[2], NumberStyles.None, CultureInfo.InvariantCulture, out id)
            ? id
            : throw new ArgumentException($"no {what} named '{idOrName}' in {database}: give its number or an existing name");
    }
}

/// <summary>
/// `netlab agent`'s limit options, checked before anything starts. Null keeps <see cref="AgentOptions"/>' default. The
/// ceilings are there because each unit costs root's resources: a namespace is kernel memory, a /run/netns mount and
/// the agent's handles; a capture is a thread, a packet socket and up to <see cref="AgentOptions.CaptureQueueBytes"/> of
/// queued frames (256 of them: 16 GiB at worst).
/// </summary>
internal sealed record AgentLimits(int? MaxNamespaces, int? MaxCaptures)
{
    public const int MinimumValue = 1;

    public const int MaxNamespacesCeiling = 65536;

    public const int MaxCapturesCeiling = 256;

    public static AgentLimits None { get; } = new(null, null);

    /// <exception cref="ArgumentException">A value outside its range; the message names the option, the range and why.</exception>
    public AgentOptions ApplyTo(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (MaxNamespaces is { } namespaces && namespaces is < MinimumValue or > MaxNamespacesCeiling)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--max-namespaces must be between {MinimumValue} and {MaxNamespacesCeiling}; {namespaces} is not. It bounds the namespaces the agent holds for all labs together (default {options.MaxNamespaces}; one lab has at most {NetLab.Core.Validation.LabValidator.MaxNamespaces}), each of them kernel memory and a /run/netns mount."));
        }

        if (MaxCaptures is { } captures && captures is < MinimumValue or > MaxCapturesCeiling)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--max-captures must be between {MinimumValue} and {MaxCapturesCeiling}; {captures} is not. It bounds the captures the agent runs at once (default {options.MaxCaptures}), each a thread, a packet socket and up to {options.CaptureQueueBytes / (1024 * 1024)} MiB of queued frames."));
        }

        return options with
        {
            MaxNamespaces = MaxNamespaces ?? options.MaxNamespaces,
            MaxCaptures = MaxCaptures ?? options.MaxCaptures,
        };
    }
}
