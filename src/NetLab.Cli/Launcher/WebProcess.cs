using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NetLab.Cli.Launcher;

/// <summary>
/// What the web child is told: the settings of NetLab.Web's <c>Web</c> section. The launcher's pid and start time let
/// the web stop by itself when the launcher is gone (killed with SIGKILL, it cannot stop the web).
/// </summary>
internal sealed record WebSettings(string Url, string DataFolder, string AgentSocketPath, WebNetwork Network, int LauncherPid, long LauncherStartTime);

/// <summary>How the web is reached over a network: its HTTPS certificate and key (PEM files), and the reverse proxies it trusts.</summary>
internal sealed record WebNetwork(string? CertificateFile, string? CertificateKeyFile, IReadOnlyList<string> TrustedProxies)
{
    public static WebNetwork None { get; } = new(null, null, []);

    /// <summary>The web's settings (<c>--Web:...</c>) for these; none for what is not given.</summary>
    public IEnumerable<string> WebArguments()
    {
        if (CertificateFile is not null)
        {
            yield return $"--Web:CertificateFile={CertificateFile}";
        }

        if (CertificateKeyFile is not null)
        {
            yield return $"--Web:CertificateKeyFile={CertificateKeyFile}";
        }

        if (TrustedProxies.Count > 0)
        {
            yield return $"--Web:TrustedProxies={string.Join(';', TrustedProxies)}";
        }
    }
}

/// <summary>
/// The web as a child process with the web user's uid and gid and no capabilities at all, in a session of its own,
/// started through util-linux's setsid and setpriv (each execs the next, so the child's pid is the web's own). Keeps the last lines it printed for the
/// report when it dies.
/// </summary>
internal sealed partial class WebProcess : IDisposable
{
    private const int KeptLines = 20;
    private const int SIGTERM = 15;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly Lock _lock = new();

    private WebProcess(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync().ContinueWith(_ => process.ExitCode, TaskScheduler.Default);
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the web exits, whoever ended it.</summary>
    public Task<int> Exited { get; }

    public IReadOnlyList<string> LastLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lastLines];
            }
        }
    }

    public static WebProcess Start(LauncherTools tools, WebUser user, string webAssembly, WebSettings settings)
    {
        var start = new ProcessStartInfo(tools.SetSid)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The web looks for the repository's wwwroot/ and labs/ from its working folder up; its own folder works in
            // a checkout and in a publish folder alike, and the web user can enter it.
            WorkingDirectory = Path.GetDirectoryName(webAssembly)!,
        };

        // setsid first: its own session keeps the terminal's Ctrl-C away from the web, so only `up` stops it, in order.
        // It execs without forking (the child is no group leader), like setpriv, so the pid stays the web's own and `up`
        // stays the web's parent: the web's LauncherWatcher stops the web as soon as its parent is no longer `up`.
        // --inh-caps and --bounding-set empty the sets a later exec could regain capabilities from; switching from uid 0
        // to another uid already clears the permitted and effective sets. no-new-privs: no setuid binary gives them back.
        foreach (var argument in new[]
        {
            tools.SetPriv, $"--reuid={user.Uid}", $"--regid={user.Gid}", "--init-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            "--", DotnetHost(), webAssembly,
            $"--Web:Url={settings.Url}", $"--Web:DataFolder={settings.DataFolder}", $"--Web:AgentSocketPath={settings.AgentSocketPath}",
            FormattableString.Invariant($"--Web:LauncherPid={settings.LauncherPid}"), FormattableString.Invariant($"--Web:LauncherStartTime={settings.LauncherStartTime}"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in settings.Network.WebArguments())
        {
            start.ArgumentList.Add(argument);
        }

        // ASP.NET keeps its data-protection keys under HOME; the web user has no home (/nonexistent), the data folder is the web's.
        start.Environment["HOME"] = settings.DataFolder;
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{tools.SetSid} did not start");
        var web = new WebProcess(process);
        process.OutputDataReceived += (_, line) => web.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => web.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return web;
    }

    /// <summary>Asks the web to stop (SIGTERM), then kills it if it has not within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        _ = Kill(_process.Id, SIGTERM);
        if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) != Exited)
        {
            _process.Kill(entireProcessTree: true);
            await Exited.ConfigureAwait(false);
        }
    }

    public void Dispose() => _process.Dispose();

    /// <summary>The running dotnet when the CLI runs as `dotnet netlab.dll`, else the one on PATH.</summary>
    internal static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _ = _lastLines.Dequeue();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>The util-linux programs that start the web (on every Debian).</summary>
internal sealed record LauncherTools(string SetSid, string SetPriv)
{
    public static LauncherTools Find() => new(OnPath("setsid"), OnPath("setpriv"));

    private static string OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists)
        ?? throw new ArgumentException($"{name} not found: install util-linux, which starts the web without root");
}
