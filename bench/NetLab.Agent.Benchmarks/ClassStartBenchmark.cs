using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetLab.Agent.Client;

namespace NetLab.Agent.Benchmarks;

/// <summary>
/// Issue 13's class start, the agent's share of it (`netlab-agent-bench class`): S students (60) each apply a lab of
/// their own (<see cref="ScaleLab"/>, N namespaces each, 6) at the same moment, each over its own connection to one
/// agent (a child process, as in <see cref="LoadBenchmark"/>). Measured in the same run against two baselines: the
/// same labs applied one after another by one client (what the class would cost if the agent took labs in turn), and
/// one lab as big as the agent takes alone (the per-lab limit is 256 namespaces, so a 360-namespace lab is refused;
/// the largest lab is the reference, per namespace). The web's API and its overview page are not in this figure.
/// </summary>
internal static class ClassStartBenchmark
{
    private const string Usage = "usage: netlab-agent-bench class [--students 60] [--namespaces 6] [--rounds 2] [--json]";

    /// <summary>The largest lab the validator accepts (Core's per-lab limit), switch and host included.</summary>
    private const int LargestLab = 256;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            await Console.Error.WriteLineAsync("netlab-agent-bench class must run as root: the agent creates namespaces (try sudo).").ConfigureAwait(false);
            return 2;
        }

        await using var agent = BenchAgent.Start("class");
        var socket = agent.Socket;
        // ScaleLab's namespaces besides its switch and host.
        var perLab = options.Namespaces - 2;
        var students = Enumerable.Range(1, options.Students).Select(s => (Lab: $"student{s}", Yaml: ScaleLab.Yaml($"student{s}", perLab))).ToList();
        var big = (Lab: "alone", Yaml: ScaleLab.Yaml("alone", LargestLab - 2));

        // Warm-up: the agent JITs its paths and opens its thread pool.
        await ApplyAllAtOnceAsync(socket, students.Take(4).ToList()).ConfigureAwait(false);
        await DestroyAllAsync(socket, students.Take(4).Select(s => s.Lab)).ConfigureAwait(false);

        var rounds = new List<Round>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // One after another, by one client.
            var sequential = Stopwatch.StartNew();
            using (var client = new AgentClient(socket))
            {
                foreach (var student in students)
                {
                    await AgentLoad.ApplyAsync(client, student.Yaml, CancellationToken.None).ConfigureAwait(false);
                }
            }

            sequential.Stop();
            Expect(agent.NamespacesHeld() == options.Students * options.Namespaces, "the labs applied one after another");
            await DestroyAllAsync(socket, students.Select(s => s.Lab)).ConfigureAwait(false);

            // All at once: every student's apply starts at the same moment.
            var (classSeconds, applies) = await ApplyAllAtOnceAsync(socket, students).ConfigureAwait(false);
            Expect(agent.NamespacesHeld() == options.Students * options.Namespaces, "the class applied at once");
            var destroyClock = Stopwatch.StartNew();
            await DestroyAllAsync(socket, students.Select(s => s.Lab)).ConfigureAwait(false);
            var classDestroy = destroyClock.Elapsed.TotalSeconds;

            // The largest single lab, alone.
            var alone = Stopwatch.StartNew();
            using (var client = new AgentClient(socket))
            {
                await AgentLoad.ApplyAsync(client, big.Yaml, CancellationToken.None).ConfigureAwait(false);
            }

            alone.Stop();
            Expect(agent.NamespacesHeld() == LargestLab, "the largest lab alone");
            await DestroyAllAsync(socket, [big.Lab]).ConfigureAwait(false);
            Expect(agent.NamespacesHeld() == 0, "the destroys");

            var result = new Round(classSeconds, Quantile(applies, 0.5), Quantile(applies, 0.95), applies.Max(), sequential.Elapsed.TotalSeconds, alone.Elapsed.TotalSeconds, classDestroy, options.Students * options.Namespaces);
            rounds.Add(result);
            Console.Error.WriteLine(result.Line(round));
        }

        if (options.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { options.Students, namespacesPerLab = options.Namespaces, largestLab = LargestLab, rounds }));
        }
        else
        {
            Console.WriteLine($"class: {options.Students} students x {options.Namespaces} namespaces ({options.Students * options.Namespaces}), each lab a switch, a host and {perLab} namespaces with a bridge macvlan; the agent alone (no web)");
            foreach (var (round, index) in rounds.Select((r, i) => (r, i + 1)))
            {
                Console.WriteLine(round.Line(index));
            }
        }

        return 0;
    }

    /// <summary>Every lab applied over its own connection, all released at one moment; the time until the last is applied and each apply's time.</summary>
    private static async Task<(double Seconds, List<double> Applies)> ApplyAllAtOnceAsync(string socket, IReadOnlyList<(string Lab, string Yaml)> labs)
    {
        var clients = labs.Select(_ => new AgentClient(socket)).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = new Stopwatch();
            var applies = labs.Select((lab, i) => Task.Run(async () =>
            {
                await start.Task.ConfigureAwait(false);
                var own = Stopwatch.StartNew();
                await AgentLoad.ApplyAsync(clients[i], lab.Yaml, CancellationToken.None).ConfigureAwait(false);
                return own.Elapsed.TotalSeconds;
            })).ToList();
            clock.Start();
            start.SetResult();
            var seconds = await Task.WhenAll(applies).ConfigureAwait(false);
            return (clock.Elapsed.TotalSeconds, [.. seconds]);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task DestroyAllAsync(string socket, IEnumerable<string> labs) =>
        await Task.WhenAll(labs.Select(lab => Task.Run(async () =>
        {
            using var client = new AgentClient(socket);
            await AgentLoad.DestroyAsync(client, lab, CancellationToken.None).ConfigureAwait(false);
        }))).ConfigureAwait(false);

    private static void Expect(bool condition, string what) => Bench.Expect(condition, $"after {what}, the kernel does not hold the namespaces expected");

    private static double Quantile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>One round's seconds.</summary>
    internal sealed record Round(double ClassSeconds, double ApplyP50, double ApplyP95, double ApplyMax, double SequentialSeconds, double LargestLabSeconds, double ClassDestroySeconds, int ClassNamespaces)
    {
        /// <summary>The largest lab's time scaled to the class's namespaces: the reference for "within 2x".</summary>
        public double LargestLabScaled => LargestLabSeconds * ClassNamespaces / LargestLab;

        public double VersusSequential => ClassSeconds / SequentialSeconds;

        public double VersusLargestLab => ClassSeconds / LargestLabScaled;

        public string Line(int round) => string.Create(
            CultureInfo.InvariantCulture,
            $"round {round}: class at once {ClassSeconds:F2} s (apply p50 {ApplyP50:F2} s, p95 {ApplyP95:F2} s, max {ApplyMax:F2} s); one after another {SequentialSeconds:F2} s (class/that {VersusSequential:F2}x); largest lab alone ({LargestLab} namespaces) {LargestLabSeconds:F2} s, per namespace scaled to {ClassNamespaces}: {LargestLabScaled:F2} s (class/that {VersusLargestLab:F2}x); class destroy at once {ClassDestroySeconds:F2} s");
    }

    private sealed record Options(int Students, int Namespaces, int Rounds, bool Json)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(60, 6, 2, false);
            for (var i = 0; i < args.Length; i++)
            {
                int Number() => i + 1 < args.Length && int.TryParse(args[++i], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1;
                options = args[i] switch
                {
                    "--students" => options with { Students = Number() },
                    "--namespaces" => options with { Namespaces = Number() },
                    "--rounds" => options with { Rounds = Number() },
                    "--json" => options with { Json = true },
                    _ => options with { Students = -1 },
                };
            }

            // A lab of ScaleLab has a switch and a host besides its namespaces; the agent holds at most 4096 in all.
            return options is { Students: > 0 and <= 500, Namespaces: >= 3 and <= LargestLab, Rounds: > 0 and <= 10 } && options.Students * options.Namespaces <= 4096 ? options : null;
        }
    }
}
