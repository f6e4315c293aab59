using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using static NetLab.Cli.Tests.UpProcesses;

namespace NetLab.Cli.Tests.Faults;

/// <summary>How NetLab runs in a fault test.</summary>
internal enum Deployment
{
    /// <summary>`netlab up`: the agent inside the launcher (root), the web its child (the `netlab` user).</summary>
    Up,

    /// <summary>As the two containers run it: `netlab agent` and the web, each a process of its own.</summary>
    Split,
}

/// <summary>The process a fault test kills with SIGKILL.</summary>
internal enum Victim
{
    Agent,
    Web,
    Launcher,
}

/// <summary>
/// NetLab's processes for one fault test, in a folder of their own (socket, data folder) on a free loopback port: started,
/// killed with SIGKILL, started again on the same socket, URL and store, and at the end stopped. Disposing kills what is
/// left by pid and deletes the folder. Every line the processes print is kept for failure messages.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed partial class NetLabProcesses : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<string> _lines = [];
    private readonly List<Process> _started = [];
    private readonly DirectoryInfo _folder;
    private Process? _launcher;
    private Process? _agent;
    private Process? _web;

    private NetLabProcesses(Deployment deployment, DirectoryInfo folder, string dataFolder)
    {
        Deployment = deployment;
        _folder = folder;
        DataFolder = dataFolder;
        Socket = System.IO.Path.Combine(folder.FullName, "agent.sock");
        Url = $"http://127.0.0.1:{FreePort()}";
    }

    public Deployment Deployment { get; }

    public string Socket { get; }

    public string Url { get; }

    public string DataFolder { get; }

    public string Folder => _folder.FullName;

    public StoreFile Store => new(System.IO.Path.Combine(DataFolder, "netlab.db"));

    /// <summary>The web's pid (under `up`, from its "web: pid N" line).</summary>
    public int WebPid { get; private set; }

    /// <summary>The process the agent runs in: the launcher under `up`, else `netlab agent`.</summary>
    public int AgentPid => (Deployment == Deployment.Up ? _launcher : _agent)?.Id ?? 0;

    /// <summary>The launcher's pid under `up`; 0 in a split deployment.</summary>
    public int LauncherPid => _launcher?.Id ?? 0;

    /// <summary>The web's welcome and what the processes printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines.TakeLast(60));
            }
        }
    }

    /// <summary>
    /// A folder the web user can reach (0755) for the socket and the data folder; <paramref name="mountData"/> gets the
    /// data folder's path before anything starts (the full-disk test mounts a small tmpfs there).
    /// </summary>
    public static NetLabProcesses Create(Deployment deployment, Action<string>? mountData = null)
    {
        var folder = Directory.CreateTempSubdirectory("nlfault-");
        File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        var data = System.IO.Path.Combine(folder.FullName, "data");
        if (mountData is not null)
        {
            Directory.CreateDirectory(data);
            mountData(data);
        }

        return new NetLabProcesses(deployment, folder, data);
    }

    /// <summary>Starts whatever of the deployment is not running, and waits until the web answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Deployment == Deployment.Up)
        {
            if (_launcher is null || _launcher.HasExited)
            {
                var mark = LineCount();
                _launcher = Start("dotnet", [NetlabDll, "up", "--socket", Socket, "--url", Url, "--data", DataFolder], "up");
                _ = await WaitForLineAsync(_launcher, mark, "NetLab is running at ", cancellationToken);
                WebPid = UpProcesses.WebPid(await WaitForLineAsync(_launcher, mark, "web: pid ", cancellationToken));
            }

            return;
        }

        if (_agent is null || _agent.HasExited)
        {
            _agent = Start("dotnet", [NetlabDll, "agent", "--socket", Socket], "agent");
            await WaitForAgentAsync(_agent, cancellationToken);
        }

        if (_web is null || _web.HasExited)
        {
            _web = Start(
                "dotnet",
                [WebDll, $"--Web:Url={Url}", $"--Web:DataFolder={DataFolder}", $"--Web:AgentSocketPath={Socket}"],
                "web",
                workingDirectory: System.IO.Path.GetDirectoryName(WebDll),
                environment: new() { ["HOME"] = DataFolder });
            WebPid = _web.Id;
            await WaitForWebAsync(_web, cancellationToken);
        }
    }

    /// <summary>
    /// Makes the account the dashboard signs in with (every page requires one): under `up` through `netlab user add`,
    /// which runs as the web's user; split, through the web's own admin mode as the web runs (this process's user).
    /// </summary>
    public async Task AddUserAsync(string name, CancellationToken cancellationToken)
    {
        if (Deployment == Deployment.Up)
        {
            await NetlabUsers.AddAsync(DataFolder, name, "instructor", cancellationToken);
            return;
        }

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { WebDll, "user", "add", name, "--role", "instructor", $"--Web:DataFolder={DataFolder}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = DataFolder;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteLineAsync(NetlabUsers.TestPassword);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"user add {name} exited with {process.ExitCode}: {await output}{await errors}");
    }

    /// <summary>SIGKILL to the victim, at once (this runs on the kill watch's thread).</summary>
    public void Kill(Victim victim)
    {
        var pid = victim switch
        {
            Victim.Web => WebPid,
            Victim.Agent => AgentPid,
            _ => LauncherPid,
        };
        Assert.True(pid > 0, $"there is no {victim} process to kill in a {Deployment} deployment");
        _ = KillSignal(pid, 9);
    }

    /// <summary>
    /// What must follow a kill before anything is started again, each bounded: under `up` the web stops by itself when
    /// its launcher is gone, and `up` stops (its agent with it, the socket removed) when its web is gone; in a split
    /// deployment the web outlives its agent and keeps answering. Returns what happened, for the test's output.
    /// </summary>
    public async Task<string> AfterKillAsync(Victim victim, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        switch (victim)
        {
            case Victim.Launcher:
                await _launcher!.WaitForExitAsync(cancellationToken);
                await WaitUntilGoneAsync(WebPid, TimeSpan.FromSeconds(15), $"the web (pid {WebPid}) still runs 15 s after its launcher was killed", cancellationToken);
                return $"the web stopped {clock.ElapsedMilliseconds} ms after its launcher was killed";
            case Victim.Web when Deployment == Deployment.Up:
                using (var exited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    exited.CancelAfter(TimeSpan.FromSeconds(40));
                    try
                    {
                        await _launcher!.WaitForExitAsync(exited.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        Assert.Fail($"`netlab up` still runs 40 s after its web was killed:\n{Output}");
                    }
                }

                Assert.Equal(ExitCodes.Failed, _launcher!.ExitCode);
                Assert.Contains("netlab up: the web exited with code 137", Output, StringComparison.Ordinal);
                Assert.False(File.Exists(Socket), "`up` stopped after its web died, but left the agent's socket");
                return $"`up` stopped its agent and exited {clock.ElapsedMilliseconds} ms after its web was killed";
            case Victim.Web:
                await _web!.WaitForExitAsync(cancellationToken);
                return "the web was killed; the agent runs on";
            default:
                await (Deployment == Deployment.Up ? _launcher! : _agent!).WaitForExitAsync(cancellationToken);
                if (Deployment == Deployment.Split)
                {
                    // The web outlives its agent: it answers, and says the agent is unreachable where it needs it.
                    Assert.True(IsAlive(WebPid), $"the web (pid {WebPid}) died with its agent:\n{Output}");
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
                    using var page = await http.GetAsync(Url, cancellationToken);
                    Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                }

                return "the agent was killed; the web runs on and answers";
        }
    }

    /// <summary>
    /// Stops everything as a user would (SIGTERM to `up`, or to the web and the agent), and checks that no process of
    /// this deployment is left: none whose command line names its folder.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var process in new[] { _launcher, _web, _agent }.OfType<Process>().Where(p => !p.HasExited))
        {
            _ = KillSignal(process.Id, 15);
            using var exited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            exited.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(exited.Token);
        }

        await WaitUntilGoneAsync(WebPid, TimeSpan.FromSeconds(10), $"the web (pid {WebPid}) outlived the stop", cancellationToken);
        Assert.Empty(ProcessesNaming(Folder));
        Assert.False(File.Exists(Socket), "the agent's socket was left behind");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process.Dispose();
        }

        if (WebPid != 0 && IsAlive(WebPid))
        {
            _ = KillSignal(WebPid, 9);
        }

        foreach (var pid in ProcessesNaming(Folder))
        {
            _ = KillSignal(pid, 9);
        }
    }

    /// <summary>Deletes the folder (after the caller unmounted whatever it mounted in it).</summary>
    public void DeleteFolder() => _folder.Delete(recursive: true);

    /// <summary>The pids of processes whose command line names <paramref name="folder"/>: this deployment's, whoever started them.</summary>
    public static List<int> ProcessesNaming(string folder)
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(System.IO.Path.Combine(entry, "cmdline")).Contains(folder, StringComparison.Ordinal) && IsAlive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }

    private static string NetlabDll => System.IO.Path.Combine(AppContext.BaseDirectory, "netlab.dll");

    private static string WebDll => System.IO.Path.Combine(AppContext.BaseDirectory, "web", "NetLab.Web.dll");

    private int LineCount()
    {
        lock (_lines)
        {
            return _lines.Count;
        }
    }

    private Process Start(string program, string[] arguments, string tag, string? workingDirectory = null, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        start.Environment.Remove("ASPNETCORE_URLS");
        var process = Process.Start(start)!;
        _started.Add(process);
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (_lines)
                {
                    _lines.Add($"[{tag} {process.Id}] {line}");
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The first line from <paramref name="mark"/> on that starts (after its tag) with <paramref name="prefix"/>.</summary>
    private async Task<string> WaitForLineAsync(Process process, int mark, string prefix, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var tag = $"[up {process.Id}] ";
        while (true)
        {
            lock (_lines)
            {
                if (_lines.Skip(mark).FirstOrDefault(l => l.StartsWith(tag + prefix, StringComparison.Ordinal)) is { } line)
                {
                    return line[tag.Length..];
                }
            }

            Assert.False(process.HasExited, $"netlab up exited ({(process.HasExited ? process.ExitCode : 0)}) before printing '{prefix}':\n{Output}");
            Assert.True(clock.Elapsed < StartTimeout, $"no '{prefix}' line within {StartTimeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task WaitForAgentAsync(Process agent, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The socket file appears at bind(), a moment before listen(): wait for a connection that succeeds.
        while (!Accepts(Socket))
        {
            Assert.False(agent.HasExited, $"the agent exited at start:\n{Output}");
            Assert.True(clock.Elapsed < StartTimeout, $"the agent did not accept connections within {StartTimeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task WaitForWebAsync(Process web, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(web.HasExited, $"the web exited at start:\n{Output}");
            Assert.True(clock.Elapsed < StartTimeout, $"the web did not answer within {StartTimeout.TotalSeconds} s:\n{Output}");
            try
            {
                using var response = await http.GetAsync(Url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer its first request on a busy machine.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task WaitUntilGoneAsync(int pid, TimeSpan bound, string message, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (pid != 0 && IsAlive(pid))
        {
            Assert.True(clock.Elapsed < bound, $"{message}; its threads:\n{Threads(pid)}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>A process's threads as /proc shows them (name, state, where the kernel has it wait), for failure messages.</summary>
    private static string Threads(int pid)
    {
        var threads = new List<string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var comm = File.ReadAllText(System.IO.Path.Combine(task, "comm")).Trim();
                var wchan = File.ReadAllText(System.IO.Path.Combine(task, "wchan")).Trim();
                var stat = File.ReadAllText(System.IO.Path.Combine(task, "stat"));
                threads.Add($"  {System.IO.Path.GetFileName(task)} {comm} {stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0]} {wchan}");
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        threads.Add($"  parent pid {StatField(pid, 4)}");
        return string.Join('\n', threads);
    }

    private static bool Accepts(string socket)
    {
        using var probe = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillSignal(int pid, int signal);
}
