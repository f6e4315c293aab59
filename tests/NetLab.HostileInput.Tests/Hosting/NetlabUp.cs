using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetLab.Agent.Client;
using NetLab.Netlink.Namespaces;

namespace NetLab.HostileInput.Tests.Hosting;

/// <summary>
/// NetLab as `netlab up` runs it, started once per test class: the launcher (`dotnet netlab.dll up`, the agent inside
/// it, as root) and its child the web (published into web/ next to netlab.dll, run as <see cref="SuiteAccount"/>), on a
/// socket, a data folder and a free loopback port in a temp folder of its own, with a namespace prefix of its own
/// (<c>nltest-h{pid}-{n}-</c>: nothing meets another test's namespaces, and scripts/test.sh's leak check covers it).
/// Disposing stops `up` with SIGTERM as a service manager does, deletes whatever is left under the prefix (and fails
/// the class if anything was), and removes the folder.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NetlabUp : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private static int _instances;
    private readonly List<string> _lines = [];
    private Process? _launcher;
    private DirectoryInfo? _folder;

    public string Prefix { get; } = $"nltest-h{Environment.ProcessId}-{Interlocked.Increment(ref _instances)}-";

    public string Url { get; private set; } = "";

    public string SocketPath { get; private set; } = "";

    public string DataFolder { get; private set; } = "";

    /// <summary>The `up` process, which is also the agent's.</summary>
    public int LauncherPid { get; private set; }

    public int WebPid { get; private set; }

    /// <summary>The API's own client, for what a case does legitimately (apply, destroy).</summary>
    public AgentClient Client { get; private set; } = null!;

    /// <summary>HTTP over the agent's socket, for what the client would never send.</summary>
    public AgentHttp Agent { get; private set; } = null!;

    /// <summary>The web at <see cref="Url"/>, signed in as <see cref="UserName"/> (its cookie sent), redirects not followed.</summary>
    public HttpClient Web { get; private set; } = null!;

    /// <summary>The account the suite signs in with, made by `netlab user add` in this web's data folder.</summary>
    public const string UserName = "hostile-suite";

    public const string Password = "hostile-suite-password";

    /// <summary>The sign-in cookie (<c>netlab.auth=...</c>) for requests sent as bytes (<see cref="WebRaw"/>).</summary>
    public string Cookie { get; private set; } = "";

    /// <summary>A signed-in browser context's storage state, saved by the first page <see cref="Chromium"/> opens.</summary>
    public string? BrowserState { get; set; }

    /// <summary>The web's SQLite store.</summary>
    public string StoreFile => Path.Combine(DataFolder, "netlab.db");

    public async ValueTask InitializeAsync()
    {
        if (!SuiteAccount.IsRoot)
        {
            return;
        }

        _folder = Directory.CreateTempSubdirectory("nlhostile-");
        File.SetUnixFileMode(_folder.FullName, (UnixFileMode)0b111_101_101); // the web user reaches its data folder through it
        SocketPath = Path.Combine(_folder.FullName, "agent.sock");
        DataFolder = Path.Combine(_folder.FullName, "data");
        Url = $"http://127.0.0.1:{FreePort()}";
        DeleteNamespaces(); // a run killed before its cleanup, under this pid by chance
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "up", "--socket", SocketPath, "--url", Url, "--data", DataFolder,
            "--web-user", SuiteAccount.Name, "--namespace-prefix", Prefix,
        })
        {
            start.ArgumentList.Add(argument);
        }

        _launcher = Process.Start(start)!;
        _launcher.OutputDataReceived += (_, e) => Keep(e.Data);
        _launcher.ErrorDataReceived += (_, e) => Keep(e.Data);
        _launcher.BeginOutputReadLine();
        _launcher.BeginErrorReadLine();
        LauncherPid = _launcher.Id;
        try
        {
            _ = await WaitForLineAsync("NetLab is running at ");
            WebPid = int.Parse(WebPidLine().Match(await WaitForLineAsync("web: pid ")).Groups[1].Value, CultureInfo.InvariantCulture);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        Client = new AgentClient(SocketPath);
        Agent = new AgentHttp(SocketPath);
        try
        {
            await AddUserAsync();
            Cookie = await SignInAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }

        Web = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(120) };
        Web.DefaultRequestHeaders.Add("Cookie", Cookie);
    }

    /// <summary>`netlab user add` as an administrator runs it: as root, for the web's data folder and user, password on stdin.</summary>
    private async Task AddUserAsync()
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "netlab.dll"), "user", "add", UserName, "--role", "instructor", "--data", DataFolder, "--web-user", SuiteAccount.Name,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync(Password);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"netlab user add {UserName} exited with {process.ExitCode}: {await output}{await errors}");
        }
    }

    /// <summary>The sign-in form as a browser posts it (its anti-forgery token and cookie); returns the sign-in cookie.</summary>
    private async Task<string> SignInAsync()
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = new Uri(Url) };
        var page = await http.GetStringAsync("/account/signin");
        var token = WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = UserName, ["password"] = Password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        });
        using var answer = await http.PostAsync("/account/signin", form);
        var cookie = cookies.GetCookies(new Uri(Url))["netlab.auth"];
        return cookie is null
            ? throw new InvalidOperationException($"signing in as {UserName} gave no cookie ({(int)answer.StatusCode} {answer.Headers.Location})")
            : $"{cookie.Name}={cookie.Value}";
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>Skips the case, saying why, where `up` cannot run.</summary>
    public void Require()
    {
        Assert.SkipUnless(SuiteAccount.IsRoot, "`netlab up` runs the agent as root and drops the web to another account; run the suite as root.");
    }

    /// <summary>The kernel name of a lab element's namespace under this agent.</summary>
    public string Kernel(string lab, string element) => $"{Prefix}{lab}.{element}";

    /// <summary>Every namespace under this agent's prefix, made by it or not.</summary>
    public IReadOnlyList<string> Namespaces() =>
        NetworkNamespace.ListNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The safe outcome's last part: both processes still run, and each answers a follow-up request (the agent its
    /// state of every lab, the web its labs page).
    /// </summary>
    public async Task AssertAliveAsync()
    {
        Assert.True(IsAlive(LauncherPid), $"the agent (netlab up, pid {LauncherPid}) is gone:\n{Output()}");
        Assert.True(IsAlive(WebPid), $"the web (pid {WebPid}) is gone:\n{Output()}");
        var labs = await Agent.SendAsync(HttpMethod.Get, "/v1/labs");
        Assert.True(labs.Status == HttpStatusCode.OK, $"the agent answered GET /v1/labs {(int)labs.Status}: {labs.Body}");
        using var page = await Web.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"the web answered GET / {(int)page.StatusCode}");
    }

    /// <summary>What `up`, the agent and the web wrote, for failure messages.</summary>
    public string Output()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.TakeLast(60));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Agent?.Dispose();
        Client?.Dispose();
        Web?.Dispose();
        if (_launcher is not null)
        {
            if (!_launcher.HasExited)
            {
                _ = ExternalCommand.Run("kill", "-TERM", _launcher.Id.ToString(CultureInfo.InvariantCulture));
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await _launcher.WaitForExitAsync(patience.Token);
                }
                catch (OperationCanceledException)
                {
                    _launcher.Kill(entireProcessTree: true);
                    await _launcher.WaitForExitAsync(CancellationToken.None);
                }
            }

            _launcher.Dispose();
            if (WebPid != 0 && IsAlive(WebPid))
            {
                Process.GetProcessById(WebPid).Kill();
            }
        }

        var leftOver = DeleteNamespaces();
        _folder?.Delete(recursive: true);
        if (leftOver.Count > 0)
        {
            throw new InvalidOperationException($"the suite left {leftOver.Count} namespaces under {Prefix} (now deleted): {string.Join(", ", leftOver)}");
        }
    }

    /// <summary>Deletes every namespace under the prefix and the agent's records of them; returns their names.</summary>
    private IReadOnlyList<string> DeleteNamespaces()
    {
        var names = Namespaces();
        foreach (var name in names)
        {
            NetworkNamespace.Delete(name);
        }

        const string records = "/run/netlab/namespaces";
        if (Directory.Exists(records))
        {
            foreach (var record in Directory.GetFiles(records, Prefix + "*"))
            {
                File.Delete(record);
            }
        }

        return names;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    private async Task<string> WaitForLineAsync(string prefix)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }
            }

            if (_launcher!.HasExited)
            {
                throw new InvalidOperationException($"netlab up exited ({_launcher.ExitCode}) before printing '{prefix}':\n{Output()}");
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"netlab up printed no '{prefix}' within {StartTimeout.TotalSeconds} s:\n{Output()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A zombie counts as gone: it runs nothing.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^web: pid (\d+),")]
    private static partial Regex WebPidLine();
}
