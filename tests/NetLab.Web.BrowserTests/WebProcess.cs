using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace NetLab.Web.BrowserTests;

/// <summary>
/// The real web, started as a child process from its build output on a free loopback port, with a temp data folder
/// and the given agent socket. Ready once GET / answers 200. Disposing kills it (by its pid, with its children) and
/// deletes the data folder. Also compiled into bench/NetLab.Web.Benchmarks, hence exceptions rather than asserts.
/// </summary>
internal sealed class WebProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _dataFolder;
    private readonly StringBuilder _output;

    private WebProcess(Process process, string dataFolder, StringBuilder output, string url)
    {
        _process = process;
        _dataFolder = dataFolder;
        _output = output;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The web's process id (a benchmark reads its memory).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The account <see cref="BrowserSession"/> signs in with, made by <see cref="StartAsync"/> in the web's store.</summary>
    public const string UserName = "tester";

    /// <summary>Its password (the data folder is thrown away with the web).</summary>
    public const string Password = "browser-test-password";

    /// <param name="agentSocketPath">The agent the web talks to.</param>
    /// <param name="cancel">Stops waiting for the web to answer.</param>
    /// <param name="settings">More command-line settings for the web (<c>--Quotas:...=...</c>), after the ones every test gives.</param>
    public static async Task<WebProcess> StartAsync(string agentSocketPath, CancellationToken cancel, IReadOnlyList<string>? settings = null)
    {
        var assembly = WebAssemblyPath();
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"the web's build output {assembly} is missing; build the solution first");
        }

        var url = $"http://127.0.0.1:{FreePort()}";
        var dataFolder = Directory.CreateTempSubdirectory("netlab-browser-web-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { assembly, $"--Web:Url={url}", $"--Web:DataFolder={dataFolder}", $"--Web:AgentSocketPath={agentSocketPath}" }.Concat(settings ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var web = new WebProcess(process, dataFolder, output, url);
        try
        {
            await web.WaitUntilReadyAsync(cancel);
            // Every page requires a signed-in user: the account the sessions sign in with, made as `netlab user add`
            // makes one (the web's admin mode), in this web's own store while it serves.
            await AddUserAsync(assembly, dataFolder, UserName, "instructor", Password, cancel);
            return web;
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    /// <summary>`NetLab.Web.dll user add NAME --role ROLE` on the data folder, the password on standard input.</summary>
    private static async Task AddUserAsync(string assembly, string dataFolder, string name, string role, string password, CancellationToken cancel)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { assembly, "user", "add", name, "--role", role, $"--Web:DataFolder={dataFolder}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var errors = process.StandardError.ReadToEndAsync(cancel);
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancel);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"user add {name} exited with {process.ExitCode}: {await output}{await errors}");
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the web exited with code {_process.ExitCode} before answering:\n{Output()}");
            }

            try
            {
                using var response = await http.GetAsync(Url, cancel);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
            {
                // Listening but slow to answer its first request (a busy machine): ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancel);
        }

        throw new InvalidOperationException($"the web did not answer 200 on {Url} within {StartTimeout.TotalSeconds} s:\n{Output()}");
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string WebAssemblyPath() =>
        Path.GetFullPath(typeof(WebProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "NetLabWebAssembly").Value!);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
