using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetLab.Agent.Engine;
using NetLab.Agent.Hosting;
using NetLab.Agent.Tests.Engine;
using NetLab.Netlink.Namespaces;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// Issue 12's load test, as a benchmark (`netlab-agent-bench load`): C clients (50) over the agent's Unix socket, each
/// applying, watching (event stream), checking and destroying a lab of its own in a loop for a bounded time (60 s) and
/// count, loopback and namespaces only. The agent runs in a child process of its own (this program, `load-agent`: the
/// agent's host and engine exactly as `netlab agent` runs them, answering "stats" and "gc" on its stdin with its GC heap),
/// whose memory (RSS, GC heap) and open descriptors are sampled from /proc every second. Baseline, in the same run and
/// against the same agent: the same loop by one client. It checks that memory and descriptors stay bounded (the end
/// against the end of the warm-up), that nothing leaks (no namespace with the run's prefix, none held by the agent
/// without a name, descriptors back to where they were), and that every lab ends as its client left it.
/// </summary>
internal static class LoadBenchmark
{
    private const string Usage = "usage: netlab-agent-bench load [--clients 50] [--seconds 60] [--iterations 1000] [--baseline-seconds 15] [--namespaces 2] [--json]";

    /// <summary>The GC heap after a full collection may grow this much over the run and still count as bounded.</summary>
    private const double HeapGrowthAllowed = 1.5;

    private const long HeapSlackBytes = 8L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            await Console.Error.WriteLineAsync("netlab-agent-bench load must run as root: the agent creates namespaces (try sudo).").ConfigureAwait(false);
            return 2;
        }

        await using var run = BenchAgent.Start("load");
        var (prefix, socket, agent) = (run.Prefix, run.Socket, run.Process);
        var labs = new List<LabLeft>();
        try
        {
            Progress($"agent: pid {agent.Pid}, namespaces {prefix}*");

            // Warm-up: the agent JITs its paths, opens its thread pool; 5 clients, 2 iterations, everything destroyed.
            var warm = await AgentLoad.RunAsync(socket, "warm", 5, options.Namespaces, 2, TimeSpan.FromMinutes(2), _ => false, CancellationToken.None).ConfigureAwait(false);
            Bench.Expect(warm.Failures.Count == 0, $"the warm-up failed: {string.Join("; ", warm.Failures.Take(3))}");
            var afterWarmUp = await agent.SampleAsync(collect: true).ConfigureAwait(false);
            Progress($"after warm-up: {afterWarmUp}");

            Progress($"baseline: 1 client for {options.BaselineSeconds} s");
            var baseline = await AgentLoad.RunAsync(socket, "base", 1, options.Namespaces, options.Iterations, TimeSpan.FromSeconds(options.BaselineSeconds), _ => false, CancellationToken.None).ConfigureAwait(false);

            Progress($"load: {options.Clients} clients for {options.Seconds} s");
            var samples = new List<(double At, AgentSample Sample)>();
            using var sampling = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var sampler = SampleEverySecondAsync(agent, samples, clock, sampling.Token);
            var load = await AgentLoad.RunAsync(socket, "load", options.Clients, options.Namespaces, options.Iterations, TimeSpan.FromSeconds(options.Seconds), client => client % 2 == 0, CancellationToken.None).ConfigureAwait(false);
            labs.AddRange(load.Labs);
            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);

            // The end: every lab as its client left it, then those left applied destroyed, then the agent idle again.
            var labProblems = await AgentLoad.CheckLabsAsync(socket, prefix, load.Labs, options.Namespaces, CancellationToken.None).ConfigureAwait(false);
            await AgentLoad.DestroyAllAsync(socket, load.Labs).ConfigureAwait(false);
            labs.Clear();
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            var end = await agent.SampleAsync(collect: false).ConfigureAwait(false);
            var endAfterGc = await agent.SampleAsync(collect: true).ConfigureAwait(false);
            var namespacesLeft = NetworkNamespace.ListNames().Count(n => n.StartsWith(prefix, StringComparison.Ordinal));
            var nameless = LiveNetworkNamespaces.NamelessHeldBy(agent.Pid);

            var heapBounded = endAfterGc.GcHeapBytes <= (afterWarmUp.GcHeapBytes * HeapGrowthAllowed) + HeapSlackBytes;
            var descriptorsBack = end.Descriptors <= afterWarmUp.Descriptors;
            var leaks = new List<string>();
            leaks.AddRange(labProblems);
            if (namespacesLeft > 0)
            {
                leaks.Add($"{namespacesLeft} namespaces named {prefix}* are left");
            }

            if (nameless.Count > 0)
            {
                leaks.Add($"the agent holds {nameless.Count} namespaces without a name: {string.Join("; ", nameless.Select(i => $"{i} by {string.Join(", ", LiveNetworkNamespaces.HoldersOf(agent.Pid, i))}"))}");
            }

            if (!descriptorsBack)
            {
                leaks.Add($"the agent has {end.Descriptors} descriptors open at the end, {afterWarmUp.Descriptors} after the warm-up");
            }

            if (!heapBounded)
            {
                leaks.Add($"the agent's GC heap after a full collection grew from {Mib(afterWarmUp.GcHeapBytes)} to {Mib(endAfterGc.GcHeapBytes)}");
            }

            Report(options, baseline, load, afterWarmUp, samples, end, endAfterGc, namespacesLeft, nameless.Count, leaks);
            return leaks.Count == 0 && load.Failures.Count == 0 && baseline.Failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (labs.Count > 0)
            {
                await AgentLoad.DestroyAllAsync(socket, labs).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The child's side: the agent's host and engine on a socket, answering "stats" and "gc" on stdin, until "stop" or stdin closes.</summary>
    public static async Task<int> RunAgentAsync(string[] args)
    {
        if (args is not ["--socket", var socket, "--prefix", var prefix, "--records", var records])
        {
            await Console.Error.WriteLineAsync("usage: netlab-agent-bench load-agent --socket PATH --prefix PREFIX --records DIRECTORY (started by `load`)").ConfigureAwait(false);
            return 2;
        }

        var options = new AgentOptions { SocketPath = socket, NamespacePrefix = prefix, NamespaceRecordDirectory = records };
        using var engine = new LabEngine(options);
        await using var host = AgentHost.Create(options, engine, logging => logging.ClearProviders());
        await host.StartAsync().ConfigureAwait(false);
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } command && command != "stop")
        {
            if (command == "gc")
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stats {GC.GetTotalMemory(forceFullCollection: false)} {GC.GetTotalAllocatedBytes()}"));
        }

        await host.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task SampleEverySecondAsync(ChildAgent agent, List<(double At, AgentSample Sample)> samples, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                samples.Add((clock.Elapsed.TotalSeconds, await agent.SampleAsync(collect: false).ConfigureAwait(false)));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The load ended.
        }
    }

    private static void Report(
        Options options, LoadRun baseline, LoadRun load, AgentSample afterWarmUp, List<(double At, AgentSample Sample)> samples, AgentSample end, AgentSample endAfterGc,
        int namespacesLeft, int nameless, List<string> leaks)
    {
        var peak = samples.Count == 0 ? end : new AgentSample(
            samples.Max(s => s.Sample.RssBytes), samples.Max(s => s.Sample.GcHeapBytes), samples.Max(s => s.Sample.Descriptors), samples.Max(s => s.Sample.Threads), 0);
        var secondHalf = samples.Where(s => s.At >= options.Seconds / 2.0).Select(s => s.Sample).ToList();
        var firstHalf = samples.Where(s => s.At < options.Seconds / 2.0).Select(s => s.Sample).ToList();
        if (options.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                clients = options.Clients,
                seconds = options.Seconds,
                namespacesPerLab = options.Namespaces + 2,
                baseline = Summary(baseline),
                load = Summary(load),
                ratios = LoadRun.StepNames.ToDictionary(s => s, s => Ratio(load.Quantile(s, 0.5), baseline.Quantile(s, 0.5))),
                throughputRatio = load.IterationsPerSecond / baseline.IterationsPerSecond,
                agent = new { afterWarmUp, peak, end, endAfterGc, samples = samples.Select(s => new { at = s.At, s.Sample.RssBytes, s.Sample.GcHeapBytes, s.Sample.Descriptors, s.Sample.Threads }) },
                namespacesLeft,
                nameless,
                leaks,
                failures = baseline.Failures.Concat(load.Failures).ToList(),
            }));
            return;
        }

        Console.WriteLine($"lab per client: switch, host and {options.Namespaces} namespaces with a bridge macvlan each ({options.Namespaces + 2} namespaces); each iteration: apply, watch (event stream until every snapshot, kept open during the check), check connectivity, destroy");
        Console.WriteLine($"baseline: 1 client, {options.BaselineSeconds} s: {baseline.Iterations} iterations; load: {options.Clients} clients, {options.Seconds} s: {load.Iterations} iterations ({load.Elapsed.TotalSeconds:F1} s with the last iterations)");
        Console.WriteLine();
        Console.WriteLine("step          baseline p50 / p95       load p50 / p95          p50 ratio");
        foreach (var step in LoadRun.StepNames)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step,-12} {Ms(baseline.Quantile(step, 0.5)),9} / {Ms(baseline.Quantile(step, 0.95)),-9}   {Ms(load.Quantile(step, 0.5)),9} / {Ms(load.Quantile(step, 0.95)),-9}   {Ratio(load.Quantile(step, 0.5), baseline.Quantile(step, 0.5)),6:F1}x"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iterations/s {baseline.IterationsPerSecond,9:F2}              {load.IterationsPerSecond,9:F2}                  {load.IterationsPerSecond / baseline.IterationsPerSecond,6:F1}x"));
        Console.WriteLine();
        Console.WriteLine("agent process       after warm-up   peak under load   1st half mean  2nd half mean   end (idle)   end after full GC");
        Console.WriteLine($"RSS                 {Mib(afterWarmUp.RssBytes),13}   {Mib(peak.RssBytes),15}   {Mib(Mean(firstHalf, s => s.RssBytes)),13}  {Mib(Mean(secondHalf, s => s.RssBytes)),13}   {Mib(end.RssBytes),10}   {Mib(endAfterGc.RssBytes),17}");
        Console.WriteLine($"GC heap             {Mib(afterWarmUp.GcHeapBytes),13}   {Mib(peak.GcHeapBytes),15}   {Mib(Mean(firstHalf, s => s.GcHeapBytes)),13}  {Mib(Mean(secondHalf, s => s.GcHeapBytes)),13}   {Mib(end.GcHeapBytes),10}   {Mib(endAfterGc.GcHeapBytes),17}");
        Console.WriteLine($"descriptors         {afterWarmUp.Descriptors,13}   {peak.Descriptors,15}   {Mean(firstHalf, s => s.Descriptors),13:F0}  {Mean(secondHalf, s => s.Descriptors),13:F0}   {end.Descriptors,10}   {endAfterGc.Descriptors,17}");
        Console.WriteLine($"threads             {afterWarmUp.Threads,13}   {peak.Threads,15}   {Mean(firstHalf, s => s.Threads),13:F0}  {Mean(secondHalf, s => s.Threads),13:F0}   {end.Threads,10}   {endAfterGc.Threads,17}");
        Console.WriteLine();
        Console.WriteLine($"left behind: {namespacesLeft} namespaces, {nameless} namespaces held by the agent without a name; failed steps: baseline {baseline.Failures.Count}, load {load.Failures.Count}");
        foreach (var failure in baseline.Failures.Concat(load.Failures).Take(10))
        {
            Console.WriteLine($"  failed: {failure}");
        }

        Console.WriteLine(leaks.Count == 0 ? "bounded, nothing leaked, every lab as its client left it" : $"NOT as expected:\n  {string.Join("\n  ", leaks)}");
    }

    private static object Summary(LoadRun run) => new
    {
        run.Clients,
        run.Iterations,
        seconds = run.Elapsed.TotalSeconds,
        iterationsPerSecond = run.IterationsPerSecond,
        steps = LoadRun.StepNames.ToDictionary(s => s, s => new { p50 = run.Quantile(s, 0.5), p95 = run.Quantile(s, 0.95), max = run.Quantile(s, 1) }),
        failures = run.Failures.Count,
    };

    private static double Ratio(double load, double baseline) => baseline > 0 ? load / baseline : 0;

    private static double Mean(List<AgentSample> samples, Func<AgentSample, double> value) => samples.Count == 0 ? 0 : samples.Average(value);

    private static string Ms(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:F0} ms");

    private static string Mib(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):F1} MiB");

    private static void Progress(string line) => Console.Error.WriteLine(line);

    private sealed record Options(int Clients, int Seconds, int Iterations, int BaselineSeconds, int Namespaces, bool Json)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(50, 60, 1000, 15, 2, false);
            for (var i = 0; i < args.Length; i++)
            {
                int Number() => i + 1 < args.Length && int.TryParse(args[++i], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1;
                options = args[i] switch
                {
                    "--clients" => options with { Clients = Number() },
                    "--seconds" => options with { Seconds = Number() },
                    "--iterations" => options with { Iterations = Number() },
                    "--baseline-seconds" => options with { BaselineSeconds = Number() },
                    "--namespaces" => options with { Namespaces = Number() },
                    "--json" => options with { Json = true },
                    _ => options with { Clients = -1 },
                };
            }

            // At most the agent's event streams at once (64): every client keeps one open during its check.
            return options is { Clients: > 0 and <= 64, Seconds: > 0 and <= 3600, Iterations: > 0, BaselineSeconds: > 0, Namespaces: > 0 and <= 16 } ? options : null;
        }
    }
}

/// <summary>The agent process as /proc and its own GC see it.</summary>
internal sealed record AgentSample(long RssBytes, long GcHeapBytes, int Descriptors, int Threads, long AllocatedBytes)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"RSS {RssBytes / (double)(1 << 20):F1} MiB, GC heap {GcHeapBytes / (double)(1 << 20):F1} MiB, {Descriptors} descriptors, {Threads} threads");
}

/// <summary>The agent in a child process (`netlab-agent-bench load-agent`), asked for its GC heap through its stdin.</summary>
internal sealed class ChildAgent : IDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _asking = new(1, 1);

    private ChildAgent(Process process) => _process = process;

    public int Pid => _process.Id;

    public static ChildAgent Start(string socket, string prefix, string records)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildAgent).Assembly.Location);
        }

        foreach (var argument in new[] { "load-agent", "--socket", socket, "--prefix", prefix, "--records", records })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the agent's process");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"agent: {e.Data}");
            }
        };
        process.BeginErrorReadLine();
        var ready = process.StandardOutput.ReadLine();
        if (ready != "ready")
        {
            process.Kill();
            throw new InvalidOperationException($"the agent's process did not start: {ready}");
        }

        return new ChildAgent(process);
    }

    /// <summary>RSS, descriptors and threads from /proc, the GC heap from the agent (after a full collection when <paramref name="collect"/>).</summary>
    public async Task<AgentSample> SampleAsync(bool collect)
    {
        await _asking.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(collect ? "gc" : "stats").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            var answer = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("the agent's process ended");
            var words = answer.Split(' ');
            var status = File.ReadAllLines($"/proc/{Pid}/status");
            long Field(string name) => long.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return new AgentSample(
                Field("VmRSS") * 1024,
                long.Parse(words[1], CultureInfo.InvariantCulture),
                Directory.GetFiles($"/proc/{Pid}/fd").Length,
                (int)Field("Threads"),
                long.Parse(words[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            _asking.Release();
        }
    }

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            await _process.StandardInput.WriteLineAsync("stop").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _asking.Dispose();
    }
}
