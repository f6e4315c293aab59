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
    /// The HTTPS certificate (PEM) for an <c>https://</c> <see cref="Url"/>, with its private key in
    /// <see cref="CertificateKeyFile"/> (PEM, unencrypted, readable by the web's user). Kestrel serves it.
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>The private key (PEM) of <see cref="CertificateFile"/>.</summary>
    public string? CertificateKeyFile { get; set; }

    /// <summary>
    /// Reverse proxies (addresses or networks such as <c>127.0.0.1</c> or <c>10.0.0.0/24</c>, ';'-separated) whose
    /// X-Forwarded-For and X-Forwarded-Proto headers the web believes. Unset: no forwarded header is believed, so a
    /// client cannot pose as another address or as HTTPS.
    /// </summary>
    public string? TrustedProxies { get; set; }

    /// <summary>
    /// Origins (e.g. <c>https://netlab.example.org</c>, ';'-separated) whose pages may connect to the hubs besides the
    /// web's own (the origin the request was sent to); for a reverse proxy that does not pass the Host header on. See
    /// <see cref="Hosting.HostAndOrigin"/>.
    /// </summary>
    public string? AllowedOrigins { get; set; }

    /// <summary>
    /// Sign-in attempts (form and token endpoint together) one client address may make a minute, and at once; more get
    /// 429 (<see cref="Accounts.SignInRateLimit"/>).
    /// </summary>
    public int SignInAttemptsPerMinute { get; set; } = 60;

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

        if (options.SignInAttemptsPerMinute is < 1 or > 100_000)
        {
            failures.Add($"Web:SignInAttemptsPerMinute {options.SignInAttemptsPerMinute} is not between 1 and 100000.");
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
        else if (url.Scheme == "https")
        {
            ValidateCertificate(options, failures);
        }

        foreach (var proxy in ProxyEntries(options.TrustedProxies))
        {
            if (!IPNetwork.TryParse(proxy, out _) && !IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"Web:TrustedProxies entry '{proxy}' is neither an address (127.0.0.1) nor a network (10.0.0.0/24).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Whether the web's sign-in form would cross a network in clear: plain http on an address other than loopback,
    /// not behind a trusted TLS proxy. Allowed (a lab network may be trusted), but said at start-up.
    /// </summary>
    public static bool SendsPasswordsInClear(WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme == "http" && !IsLoopback(url)
            && ProxyEntries(options.TrustedProxies).Count == 0;
    }

    /// <summary>The trusted proxies' entries, as written.</summary>
    public static IReadOnlyList<string> ProxyEntries(string? trustedProxies) =>
        (trustedProxies ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void ValidateCertificate(WebOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.CertificateFile) || string.IsNullOrWhiteSpace(options.CertificateKeyFile))
        {
            failures.Add(
                $"Web:Url '{options.Url}' is https but no certificate is configured: give Web:CertificateFile and Web:CertificateKeyFile " +
                "(PEM files; `netlab up --certificate FILE --certificate-key FILE`), or serve http behind a TLS reverse proxy (docs/deploy.md).");
            return;
        }

        foreach (var (setting, file) in new[] { ("Web:CertificateFile", options.CertificateFile), ("Web:CertificateKeyFile", options.CertificateKeyFile) })
        {
            try
            {
                using var readable = File.OpenRead(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{setting} '{file}' cannot be read by the web's user ({e.Message}); the web runs unprivileged: make the file readable by it.");
            }
        }
    }

    /// <summary>True for an address on this machine only (localhost, 127.0.0.0/8, ::1).</summary>
    internal static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
