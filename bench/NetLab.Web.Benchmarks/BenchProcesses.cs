using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Netlink.Namespaces;

namespace NetLab.Web.Benchmarks;

/// <summary>
/// The real agent in this process, with the namespace prefix <c>nlbench-w{pid}-</c> (covered by scripts/test.sh's leak
/// check); disposing stops it and deletes every namespace with that prefix, also after a failed run.
/// </summary>
internal sealed class BenchAgent : IAsyncDisposable
{
    private readonly string _folder;
    private readonly LabEngine _engine;
    private readonly AgentHost _host;

    private BenchAgent(string folder, string prefix, LabEngine engine, AgentHost host) => (_folder, Prefix, _engine, _host) = (folder, prefix, engine, host);

    public string Prefix { get; }

    public string SocketPath => _host.Options.SocketPath;

    public static async Task<BenchAgent> StartAsync()
    {
        var prefix = $"nlbench-w{Environment.ProcessId % 100000}-";
        DeleteNamespaces(prefix);
        var folder = Directory.CreateTempSubdirectory("netlab-web-bench-agent-").FullName;
        var options = new AgentOptions { NamespacePrefix = prefix, SocketPath = Path.Combine(folder, "agent.sock") };
        var engine = new LabEngine(options);
        var host = AgentHost.Create(options, engine);
        await host.StartAsync(CancellationToken.None);
        return new BenchAgent(folder, prefix, engine, host);
    }

    public string Kernel(string lab, string element) => $"{Prefix}{lab}.{element}";

    public int NamespaceCount() => NetworkNamespace.ListNames().Count(n => n.StartsWith(Prefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.DisposeAsync();
            _engine.Dispose();
        }
        finally
        {
            DeleteNamespaces(Prefix);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static void DeleteNamespaces(string prefix)
    {
        foreach (var name in NetworkNamespace.ListNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            NetworkNamespace.Delete(name);
        }
    }
}

/// <summary>The real web as a child process on a free loopback port, with a temp data folder; killed on dispose.</summary>
internal sealed class BenchWeb : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataFolder;
    private readonly StringBuilder _output = new();

    private BenchWeb(Process process, string dataFolder, string url) => (_process, _dataFolder, Url) = (process, dataFolder, url);

    public string Url { get; }

    public static async Task<BenchWeb> StartAsync(string agentSocketPath)
    {
        var assembly = Path.GetFullPath(typeof(BenchWeb).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NetLabWebAssembly").Value!);
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"the web's build output {assembly} is missing; build bench/NetLab.Web.Benchmarks first");
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var url = $"http://127.0.0.1:{port}";
        var dataFolder = Directory.CreateTempSubdirectory("netlab-web-bench-data-").FullName;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { assembly, $"--Web:Url={url}", $"--Web:DataFolder={dataFolder}", $"--Web:AgentSocketPath={agentSocketPath}" })
        {
            start.ArgumentList.Add(argument);
        }

        var web = new BenchWeb(Process.Start(start)!, dataFolder, url);
        web._process.OutputDataReceived += (_, e) => web.Append(e.Data);
        web._process.ErrorDataReceived += (_, e) => web.Append(e.Data);
        web._process.BeginOutputReadLine();
        web._process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (web._process.HasExited)
            {
                break;
            }

            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return web;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        var output = web.Output();
        await web.DisposeAsync();
        throw new InvalidOperationException($"the web did not answer on {url}:\n{output}");
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

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>The checkout (the web finds wwwroot/ and labs/ by walking up from its working folder).</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "NetLab.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no NetLab.sln above {AppContext.BaseDirectory}");
    }
}
