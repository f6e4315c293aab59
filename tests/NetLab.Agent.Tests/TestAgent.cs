using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Client;
using NetLab.Agent.Hosting;

namespace NetLab.Agent.Tests;

/// <summary>An AgentHost with a fake engine on a socket in its own fresh folder under /tmp (removed afterwards), and a client of it.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    private TestAgent(string directory, AgentHost host, FakeLabEngine engine, ConcurrentQueue<string> log)
    {
        Directory = directory;
        Host = host;
        Engine = engine;
        Log = log;
        Client = new AgentClient(host.Options.SocketPath);
    }

    public string Directory { get; }

    public string SocketPath => Host.Options.SocketPath;

    public AgentHost Host { get; }

    public FakeLabEngine Engine { get; }

    public AgentClient Client { get; }

    /// <summary>Every line the agent logged.</summary>
    public ConcurrentQueue<string> Log { get; }

    public static string NewDirectory()
    {
        // Short: a Unix socket path has at most 107 bytes.
        var directory = Path.Combine("/tmp", $"nlagent-{Guid.NewGuid():N}"[..16]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public static async Task<TestAgent> StartAsync(Func<AgentOptions, AgentOptions>? configure = null, string? directory = null, string socketName = "agent.sock")
    {
        directory ??= NewDirectory();
        var options = new AgentOptions { SocketPath = Path.Combine(directory, socketName) };
        options = configure?.Invoke(options) ?? options;
        var engine = new FakeLabEngine();
        var log = new ConcurrentQueue<string>();
        var host = AgentHost.Create(options, engine, logging => logging.AddProvider(new QueueLoggerProvider(log)));
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }

        return new TestAgent(directory, host, engine, log);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }

        private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
