using System.CommandLine;
using System.Net.Sockets;
using NetLab.Agent.Client.Hosting;
using NetLab.Agent.Hosting;
using NetLab.Cli.Launcher;

namespace NetLab.Cli.Commands;

/// <summary>
/// `netlab up`: the whole product on one machine. The agent runs in this (root) process, exactly as `netlab agent`;
/// the web runs as a child process under an unprivileged user with no capabilities, admitted to the agent's socket.
/// </summary>
internal static class UpCommand
{
    public const string DefaultDataFolder = "/var/lib/netlab";

    private static readonly TimeSpan AgentStartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WebStartTimeout = TimeSpan.FromSeconds(60);

    // System.CommandLine gives an action 2 s after SIGTERM or Ctrl-C before it returns anyway; the web must be gone by then.
    private static readonly TimeSpan WebStopGrace = TimeSpan.FromSeconds(1.5);

    public static Command Create(CliServices services, Option<string> socket)
    {
        var url = new Option<string>("--url") { Description = "Where the web listens, e.g. http://0.0.0.0:5080 for a class, https://0.0.0.0:5443 with --certificate.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var certificate = new Option<string?>("--certificate") { Description = "The HTTPS certificate (PEM) for an https:// --url; readable by the web's user." };
        var certificateKey = new Option<string?>("--certificate-key") { Description = "The certificate's private key (PEM, unencrypted); readable by the web's user." };
        var trustedProxy = new Option<string[]>("--trusted-proxy") { Description = "A reverse proxy (address or network) whose X-Forwarded-For/-Proto headers the web believes; repeatable.", AllowMultipleArgumentsPerToken = false };
        // Before sign-in existed a non-loopback --url needed this; it has no effect now and is kept so older units still start.
        var allowRemote = new Option<bool>("--allow-remote") { Description = "No longer needed (accepted for older units).", Hidden = true };
        var data = new Option<string>("--data") { Description = $"The web's data folder (SQLite store), given to the web user (default {DefaultDataFolder}).", DefaultValueFactory = _ => DefaultDataFolder };
        var webUser = new Option<string?>("--web-user") { Description = $"The unprivileged user the web runs as (default '{WebUser.Dedicated}', a system user created when it does not exist)." };
        var web = new Option<string?>("--web") { Description = $"The web's {WebLocation.AssemblyFile}, or its folder (default: found next to netlab, see docs/deploy.md)." };
        var prefix = AgentCommand.NamespacePrefixOption();
        var command = new Command("up", "Start NetLab on this machine: the agent (root) and the web (as an unprivileged user, no capabilities); print the URL; Ctrl-C stops both. Needs root.")
        {
            url,
            certificate,
            certificateKey,
            trustedProxy,
            allowRemote,
            data,
            webUser,
            web,
            prefix,
        };
        command.SetAction((result, cancel) => RunAsync(
            services,
            new UpRequest(
                result.GetValue(socket) ?? AgentOptions.DefaultSocketPath,
                result.GetValue(url) ?? "http://127.0.0.1:5080",
                Path.GetFullPath(result.GetValue(data) ?? DefaultDataFolder),
                result.GetValue(webUser),
                result.GetValue(web))
            {
                NamespacePrefix = result.GetValue(prefix) ?? AgentOptions.DefaultNamespacePrefix,
                Network = new WebNetwork(
                    FullPathOrNull(result.GetValue(certificate)),
                    FullPathOrNull(result.GetValue(certificateKey)),
                    result.GetValue(trustedProxy) ?? []),
            },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancel));
        return command;
    }

    internal static async Task<int> RunAsync(CliServices services, UpRequest request, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            await errors.WriteLineAsync("netlab up: NetLab runs on Linux only (network namespaces).").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        if (!services.IsRoot)
        {
            await errors.WriteLineAsync("netlab up: the agent creates namespaces and links, so it needs root: run `sudo netlab up` (the web part then runs unprivileged).").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        WebUser user;
        string webAssembly;
        LauncherTools tools;
        try
        {
            webAssembly = WebLocation.Find(request.WebPath, AppContext.BaseDirectory);
            tools = LauncherTools.Find();
            if (AgentListens(request.SocketPath))
            {
                throw new ArgumentException($"a NetLab agent already listens on {request.SocketPath}: stop it first, or give another --socket");
            }

            _ = DataFolder.Locate(request.DataFolder);
            if (AgentOptions.NamespacePrefixProblem(request.NamespacePrefix) is { } prefixProblem)
            {
                throw new ArgumentException(prefixProblem);
            }

            // Last of the checks: an account is only created when everything else is in place to use it.
            user = await WebUser.ResolveWithDataFolderAsync(request.WebUserName, services.Accounts, request.DataFolder, output).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"netlab up: {error.Message}").ConfigureAwait(false);
            return ExitCodes.CannotRun;
        }

        using var stopAgent = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var admission = AgentAdmission.For(user);
        var agent = AgentCommand.RunAsync(services, request.SocketPath, admission.Uids, admission.Gids, tcp: null, admission.SocketGroup, AgentLimits.None, errors, stopAgent.Token, request.NamespacePrefix);
        try
        {
            if (!await WaitForAgentAsync(agent, request.SocketPath, cancellationToken).ConfigureAwait(false))
            {
                var stoppedCleanly = cancellationToken.IsCancellationRequested || (agent.IsCompleted && await agent.ConfigureAwait(false) == ExitCodes.Ok);
                return stoppedCleanly ? ExitCodes.Ok : await FailedAgentAsync(agent, errors).ConfigureAwait(false);
            }

            using var web = WebProcess.Start(tools, user, webAssembly, new WebSettings(request.Url, request.DataFolder, request.SocketPath, request.Network, Environment.ProcessId, ProcessSighting.OwnStartTime()));
            try
            {
                await output.WriteLineAsync($"web: pid {web.Id}, user {user.Name} (uid {user.Uid}, gid {user.Gid}), no capabilities; {webAssembly}").ConfigureAwait(false);
                return await RunWebAsync(web, agent, request, user, output, errors, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await web.StopAsync(WebStopGrace).ConfigureAwait(false);
            }
        }
        finally
        {
            await stopAgent.CancelAsync().ConfigureAwait(false);
            _ = await agent.ConfigureAwait(false);
        }
    }

    private static async Task<int> RunWebAsync(WebProcess web, Task<int> agent, UpRequest request, WebUser user, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ready.CancelAfter(WebStartTimeout);
        var answered = WaitForAnswerAsync(request.Url, ready.Token);
        try
        {
            return await WatchAsync(web, agent, answered, request, user, output, errors, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The probe may still be polling when the web or the agent ended first.
            await ready.CancelAsync().ConfigureAwait(false);
            _ = await answered.ConfigureAwait(false);
        }
    }

    private static async Task<int> WatchAsync(WebProcess web, Task<int> agent, Task<bool> answered, UpRequest request, WebUser user, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(answered, web.Exited, agent).ConfigureAwait(false);
        if (first == answered && !await answered.ConfigureAwait(false))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }

            await errors.WriteLineAsync($"netlab up: the web did not answer on {request.Url} within {WebStartTimeout.TotalSeconds:0} s; its last lines:").ConfigureAwait(false);
            await WriteLinesAsync(errors, web.LastLines).ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        if (first == answered)
        {
            await output.WriteLineAsync($"NetLab is running at {request.Url} (agent: {request.SocketPath}; web runs as {user.Name})").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            var stopped = new TaskCompletionSource();
            await using (cancellationToken.Register(stopped.SetResult).ConfigureAwait(false))
            {
                first = await Task.WhenAny(stopped.Task, web.Exited, agent).ConfigureAwait(false);
            }

            if (first == stopped.Task)
            {
                return ExitCodes.Ok;
            }
        }

        if (first == agent)
        {
            // The agent's host reacts to SIGTERM and Ctrl-C by itself and may stop before our token is cancelled; a clean
            // agent exit is that stop, not a failure.
            return await agent.ConfigureAwait(false) == ExitCodes.Ok ? ExitCodes.Ok : await FailedAgentAsync(agent, errors).ConfigureAwait(false);
        }

        var exit = await web.Exited.ConfigureAwait(false);
        await errors.WriteLineAsync($"netlab up: the web exited with code {exit}; its last lines:").ConfigureAwait(false);
        await WriteLinesAsync(errors, web.LastLines).ConfigureAwait(false);
        return ExitCodes.Failed;
    }

    /// <summary>True once the agent accepts connections; false if it stopped first (its error is already written).</summary>
    private static async Task<bool> WaitForAgentAsync(Task<int> agent, string socketPath, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + AgentStartTimeout;
        while (!agent.IsCompleted && !cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            if (AgentListens(socketPath))
            {
                return true;
            }

            await Task.WhenAny(agent, Task.Delay(50, CancellationToken.None)).ConfigureAwait(false);
        }

        return false;
    }

    private static async Task<int> FailedAgentAsync(Task<int> agent, TextWriter errors)
    {
        if (!agent.IsCompleted)
        {
            await errors.WriteLineAsync($"netlab up: the agent did not listen within {AgentStartTimeout.TotalSeconds:0} s").ConfigureAwait(false);
            return ExitCodes.KernelOrAgentError;
        }

        var exit = await agent.ConfigureAwait(false);
        await errors.WriteLineAsync($"netlab up: the agent stopped (exit code {exit}); the web was not left running").ConfigureAwait(false);
        return exit == ExitCodes.Ok ? ExitCodes.KernelOrAgentError : exit;
    }

    /// <summary>Any HTTP answer counts: the web is up even if the page it serves is an error page.</summary>
    private static async Task<bool> WaitForAnswerAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                // Our per-request timeout (retry) or the overall one (the loop ends).
            }

            try
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return false;
    }

    private static bool AgentListens(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FullPathOrNull(string? path) => string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);

    private static async Task WriteLinesAsync(TextWriter writer, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await writer.WriteLineAsync($"  {line}").ConfigureAwait(false);
        }
    }
}

/// <summary>What `netlab up` was asked to start.</summary>
internal sealed record UpRequest(string SocketPath, string Url, string DataFolder, string? WebUserName, string? WebPath)
{
    /// <summary>HTTPS and reverse-proxy settings for the web (`--certificate`, `--certificate-key`, `--trusted-proxy`).</summary>
    public WebNetwork Network { get; init; } = WebNetwork.None;

    /// <summary>The agent's namespace prefix (`--namespace-prefix`).</summary>
    public string NamespacePrefix { get; init; } = AgentOptions.DefaultNamespacePrefix;
}
