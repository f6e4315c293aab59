using System.Net;
using Microsoft.Extensions.Options;
using NetLab.Agent.Client;

namespace NetLab.Web;

/// <summary>The web's settings (configuration section <c>Web</c>, e.g. <c>--Web:Url=http://127.0.0.1:6000</c>).</summary>
public sealed class WebOptions
{
    public const string SectionName = "Web";

    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Where the web keeps its files; default /var/lib/netlab as root, else ~/.local/share/netlab.</summary>
    public string DataFolder { get; set; } = DefaultDataFolder();

    /// <summary>The SQLite file; default <c>netlab.db</c> in <see cref="DataFolder"/>.</summary>
    public string? DatabaseFile { get; set; }

    public string AgentSocketPath { get; set; } = AgentSocket.DefaultPath;

    public string Url { get; set; } = DefaultUrl;

    /// <summary>
    /// The web has no HTTPS yet (its sign-in cookie would cross the network in clear), so it listens on loopback only;
    /// listening elsewhere must be asked for.
    /// </summary>
    public bool AllowRemote { get; set; }

    /// <summary>
    /// Origins (e.g. <c>https://netlab.example.org</c>, ';'-separated) whose pages may connect to the hubs besides the
    /// web's own (the origin the request was sent to); for a reverse proxy that does not pass the Host header on. See
    /// <see cref="Hosting.HostAndOrigin"/>.
    /// </summary>
    public string? AllowedOrigins { get; set; }

    /// <summary>Static assets; default the repository's top-level <c>wwwroot/</c> when it exists, else the app's own.</summary>
    public string? WebRootPath { get; set; }

    /// <summary>Example labs offered as templates; default the repository's top-level <c>labs/</c>.</summary>
    public string? TemplatesFolder { get; set; }

    /// <summary>
    /// The pid of `netlab up` when it started this web; the web stops when that process is gone (see
    /// <see cref="Hosting.LauncherWatcher"/>). Null for a web started on its own.
    /// </summary>
    public int? LauncherPid { get; set; }

    /// <summary>The launcher's start time (field 22 of /proc/PID/stat), so a process that reuses its pid is not taken for it.</summary>
    public long? LauncherStartTime { get; set; }

    public string ResolvedDatabaseFile => DatabaseFile ?? Path.Combine(DataFolder, "netlab.db");

    public static string DefaultDataFolder() =>
        Environment.IsPrivilegedProcess
            ? "/var/lib/netlab"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "netlab");
}

/// <summary>Refuses settings the web cannot work with, at start-up rather than at first use.</summary>
public sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            failures.Add("Web:DataFolder is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.AgentSocketPath))
        {
            failures.Add("Web:AgentSocketPath is empty.");
        }

        if (options.LauncherPid is <= 0)
        {
            failures.Add($"Web:LauncherPid {options.LauncherPid} is not a process id.");
        }

        if (options.LauncherStartTime is not null && options.LauncherPid is null)
        {
            failures.Add("Web:LauncherStartTime is set without Web:LauncherPid; give both or neither.");
        }

        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            failures.Add($"Web:Url '{options.Url}' is not an http(s) URL.");
        }
        else if (!options.AllowRemote && !IsLoopback(url))
        {
            failures.Add(
                $"Web:Url '{options.Url}' is not a loopback address; the web has no HTTPS yet, so its sign-in cookie would cross the network in clear. " +
                "Set Web:AllowRemote=true to listen there anyway.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>True for an address on this machine only (localhost, 127.0.0.0/8, ::1).</summary>
    internal static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
