using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Api;
using NetLab.Agent.Engine;

namespace NetLab.Agent.Hosting;

/// <summary>
/// The agent's web host: the API on a Unix socket (mode 0660, peers checked by SO_PEERCRED), and on TCP only when
/// <see cref="AgentOptions.TcpEndpoint"/> says so. The engine is given, not made here, so tests can pass a fake.
/// </summary>
public sealed partial class AgentHost : IAsyncDisposable
{
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private const UnixFileMode SocketDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly WebApplication _app;
    private readonly ILogger _logger;
    private bool _started;
    private bool _boundSocket;

    private AgentHost(WebApplication app, AgentOptions options)
    {
        _app = app;
        Options = options;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("NetLab.Agent");
    }

    public AgentOptions Options { get; }

    /// <summary>The slots of long-lived requests (captures, event streams, doctor runs, checks); tests hold some.</summary>
    internal ConcurrencyLimits Limits => _app.Services.GetRequiredService<ConcurrencyLimits>();

    /// <summary>Where the server listens once started ("http://unix:/run/netlab/agent.sock", and the TCP endpoint if any).</summary>
    public IReadOnlyCollection<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <param name="options">Socket, allowed peers, optional TCP endpoint.</param>
    /// <param name="engine">What the API calls; the host does not own it (the caller disposes it).</param>
    /// <param name="configureLogging">Replaces the default (one line per message on the console).</param>
    public static AgentHost Create(AgentOptions options, ILabEngine engine, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        // Refused here, before anything listens: a non-loopback TCP endpoint is an ArgumentException.
        var tcpEndpoint = options.TcpEndpoint is { } tcp ? ParseTcpEndpoint(tcp) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "NetLab.Agent", ContentRootPath = AppContext.BaseDirectory });
        // AgentOptions is the whole configuration: no appsettings, environment variable or Kestrel section can add a
        // listener the options do not name.
        builder.Configuration.Sources.Clear();
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ConcurrencyLimits(options));
        builder.Services.AddSingleton(new LabOwners(options.LabOwnerDirectory));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var policy = new PeerPolicy(options.AllowedUids, options.AllowedGids);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel's own default (30 MB) answered a larger body with a 500; RequestLimits answers 413 first.
            kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
            kestrel.ListenUnixSocket(options.SocketPath, listen =>
            {
                var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("NetLab.Agent.Peers");
                listen.Use(next => PeerAdmissionMiddleware.CheckPeer(next, policy, logger));
            });
            if (tcpEndpoint is not null)
            {
                kestrel.Listen(tcpEndpoint);
            }
        });

        var app = builder.Build();
        app.Use(PeerAdmissionMiddleware.RefuseUnadmittedAsync);
        app.Use(AnswerFailuresAsync);
        app.Use(RequestLimits.CheckAsync);
        app.Use(LabAccess.CheckAsync);
        AgentEndpoints.Map(app);
        return new AgentHost(app, options);
    }

    /// <summary>Binds the socket (replacing a stale one), sets its mode and group, and starts serving.</summary>
    /// <exception cref="InvalidOperationException">Another agent already listens on the socket.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The NetLab agent runs on Linux only (network namespaces, SO_PEERCRED).");
        }

        PrepareSocketPath(Options.SocketPath);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
        _boundSocket = true;

        // Kestrel binds with the process umask; the mode is narrowed right after. Until then a peer that gets in is
        // still checked by SO_PEERCRED, so the moment in between admits no one extra.
        File.SetUnixFileMode(Options.SocketPath, SocketMode);
        var group = Options.SocketGroup ?? (Options.AllowedGids.Count > 0 ? Options.AllowedGids[0] : 0u);
        if (group != 0 && Chown(Options.SocketPath, 0, group) != 0)
        {
            LogChownFailed(_logger, Options.SocketPath, group, Marshal.GetLastPInvokeErrorMessage());
        }

        LogListening(_logger, string.Join(", ", Addresses), group, string.Join(",", Options.AllowedUids), string.Join(",", Options.AllowedGids));
        if (Options.AllowedUids.Count > 0 && group == 0)
        {
            LogUidsNeedGroup(_logger, Options.SocketPath);
        }

        if (Options.TcpEndpoint is not null)
        {
            LogTcpWarning(_logger, Options.TcpEndpoint);
        }
    }

    /// <summary>Serves until cancelled or until the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            _started = false;
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        // Only a socket this host bound: a host that failed to start must not remove the live agent's socket.
        if (_boundSocket)
        {
            TryDelete(Options.SocketPath);
        }
    }

    /// <summary>Creates the socket's directory (0755) and removes a stale socket file; refuses to take over a live one.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void PrepareSocketPath(string socketPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, SocketDirectoryMode);
        }

        if (!File.Exists(socketPath))
        {
            return;
        }

        if (SomeoneListens(socketPath))
        {
            throw new InvalidOperationException($"Another NetLab agent already listens on {socketPath}: stop it first, or start this one with another --socket.");
        }

        File.Delete(socketPath);
    }

    private static bool SomeoneListens(string socketPath)
    {
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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which removes stale sockets.
        }
    }

    /// <summary>"ADDRESS:PORT" ("127.0.0.1:5081", "[::1]:5081", "localhost:5081"); the port is required, the address loopback.</summary>
    /// <exception cref="ArgumentException">Not of that form, or not a loopback address.</exception>
    public static IPEndPoint ParseTcpEndpoint(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var hasPort = endpoint.StartsWith('[') ? endpoint.Contains("]:", StringComparison.Ordinal) : endpoint.Count(c => c == ':') == 1;
        if (hasPort && IPEndPoint.TryParse(endpoint, out var parsed))
        {
            // TCP has no peer credentials and the agent no authentication yet: any other address would give every
            // machine that reaches it root's say over this machine's network.
            return IPAddress.IsLoopback(parsed.Address) ? parsed : throw new ArgumentException(
                $"The TCP endpoint '{endpoint}' is not a loopback address: the agent's TCP listener has no authentication, so it listens on loopback only (127.0.0.1:PORT or [::1]:PORT). "
                + "To admit other users of this machine, use the Unix socket with --allow-uid/--allow-gid.",
                nameof(endpoint));
        }

        if (endpoint.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(endpoint["localhost:".Length..], System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        throw new ArgumentException($"The TCP endpoint '{endpoint}' is not ADDRESS:PORT: write e.g. 127.0.0.1:5081 or [::1]:5081.", nameof(endpoint));
    }

    /// <summary>Any failure not answered by an endpoint becomes an AgentError (the client always gets JSON it can read).</summary>
    private static async Task AnswerFailuresAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left.
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            var answer = AgentErrors.FromException(error);
            if (answer.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("NetLab.Agent")
                    .LogError(error, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            await AgentEndpoints.WriteErrorAsync(context, answer).ConfigureAwait(false);
        }
    }

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LoggerMessage(Level = LogLevel.Information, Message = "NetLab agent listening on {Addresses} (socket group {Group}, mode 0660; root and uids [{Uids}], gids [{Gids}] admitted)")]
    private static partial void LogListening(ILogger logger, string addresses, uint group, string uids, string gids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give the socket {Path} to group {Group}: {Reason}")]
    private static partial void LogChownFailed(ILogger logger, string path, uint group, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Allowed uids cannot open {Path} (mode 0660, group root) unless they are in its group: add --allow-gid GROUP of a group they are in")]
    private static partial void LogUidsNeedGroup(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Also listening on TCP {Endpoint}: TCP has no peer credentials, so anyone who can reach it can change this machine's network. Keep it on loopback")]
    private static partial void LogTcpWarning(ILogger logger, string endpoint);
}
