using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NetLab.Agent.Client.Contracts;
using NetLab.HostileInput.Tests.Hosting;

namespace NetLab.HostileInput.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing of the agent's validate and plan endpoints, against the agent `netlab up` runs: request
/// bodies that are lab documents carrying <see cref="LabTexts"/> (mutated and random labs, YAML and JSON), lab documents
/// mutated as JSON (keys, types, formats), and JSON of anything. For every body the agent answers 200 (a valid lab:
/// valid true, or a plan) or a 4xx whose AgentError message says something, never 5xx, within a bounded time; it is
/// alive throughout, and the kernel is as it was (plan changes nothing). Counts: see <see cref="FuzzCases"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentBodyFuzzTests(NetlabUp up) : IClassFixture<NetlabUp>
{
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(10);

    private static readonly string[] Formats = ["yaml", "json", "YAML", "yml", "", "xml", "\u0000", "json "];

    [Fact]
    public async Task Validate_and_plan_answer_200_or_a_4xx_with_a_message_for_every_body_and_the_agent_lives()
    {
        up.Require();
        using var canaries = Canaries.Plant(up);
        var before = up.Namespaces();
        var seed = FuzzCases.Seed();
        var count = FuzzCases.Count(1500);
        var bodies = Gen.Sample(Bodies(), count, new Rnd(seed), 30);
        Assert.Equal(count, bodies.Length);
        var statuses = new Dictionary<int, int>();
        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < bodies.Length; i++)
        {
            var (body, how) = bodies[i];
            var route = i % 2 == 0 ? "/v1/validate" : "/v1/plan";
            var started = Stopwatch.StartNew();
            var answer = await up.Agent.SendAsync(HttpMethod.Post, route, new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
            var took = started.Elapsed;
            slowest = took > slowest ? took : slowest;
            statuses[(int)answer.Status] = statuses.GetValueOrDefault((int)answer.Status) + 1;

            var what = $"case {i} of seed {seed} ({FuzzCases.SeedVariable}={seed} runs these again), {how}, to {route}: {FuzzCases.Show(Encoding.UTF8.GetString(body))}\nanswer: {answer}";
            Assert.True(took < PerRequest, $"{took.TotalMilliseconds:0} ms for {what}");
            if (answer.Status == HttpStatusCode.OK)
            {
                if (route == "/v1/plan")
                {
                    Assert.NotNull(JsonSerializer.Deserialize<PlanView>(answer.Body, AgentJson.Options));
                }
                else
                {
                    Assert.True(JsonSerializer.Deserialize<LabValidation>(answer.Body, AgentJson.Options)!.Valid, what);
                }
            }
            else
            {
                Assert.True((int)answer.Status is >= 400 and < 500, what);
                Assert.False(string.IsNullOrWhiteSpace(answer.Error.Message), what);
            }

            if (i % 250 == 249)
            {
                await up.AssertAliveAsync();
            }
        }

        Assert.Equal(before, up.Namespaces());
        canaries.AssertUntouched();
        await up.AssertAliveAsync();
        TestContext.Current.SendDiagnosticMessage(
            $"{count} bodies in {clock.Elapsed.TotalSeconds:0.0} s (seed {seed}), slowest {slowest.TotalMilliseconds:0} ms; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
    }

    /// <summary>A body and how it was made.</summary>
    private static Gen<(byte[] Body, string How)> Bodies() => Gen.Frequency(
        (6, from text in LabTexts.Any(6)
            from format in Gen.Frequency((8, Gen.Constant(text.Format == Core.Formats.LabFileFormat.Json ? "json" : "yaml")), (1, Gen.Elements(Formats)))
            select (Encoding.UTF8.GetBytes(AgentJson.Serialize(new LabDocument(text.Text, format))), $"a lab document of {text.How}")),
        (2, from text in LabTexts.Mutated(2)
            let document = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(AgentJson.Serialize(new LabDocument(text.Text, "yaml"))))
            from steps in Gen.ListOf(JsonMutation(), 3)
            select (Encoding.UTF8.GetBytes(steps.Aggregate(document, (body, step) => step(body))), "a lab document mutated as JSON")),
        (1, from pieces in Gen.ListOf(Gen.Elements("{", "}", "[", "]", "\"text\"", "\"format\"", ":", ",", "null", "true", "1e999", "-0", "\"yaml\"", "\"\\u0000\"", "\"\\uD800\"", "\"name: x\"", " ", "\"\\\\\""))
            select (Encoding.UTF8.GetBytes(string.Concat(pieces)), "JSON tokens at random")),
        (1, from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
            select (bytes, "random bytes")));

    private static Gen<Func<string, string>> JsonMutation() => Gen.OneOf(
        Gen.Elements<Func<string, string>>(
            b => b.Replace("\"text\"", "\"TEXT\"", StringComparison.Ordinal),
            b => b.Replace("\"text\":", "\"text\": 5, \"x\":", StringComparison.Ordinal),
            b => b.Replace("\"format\":\"yaml\"", "\"format\":[\"yaml\"]", StringComparison.Ordinal),
            b => b.Replace("\"format\":\"yaml\"", "\"format\":null", StringComparison.Ordinal),
            b => "[" + b + "]",
            b => b + b,
            b => b[..(b.Length / 2)],
            b => "{\"text\":" + b + "}"),
        from at in Gen.Choose(0, 100_000)
        from c in Gen.Elements('{', '}', '"', '\\', ':', ',', '[', '\u0000', 'x')
        select (Func<string, string>)(b => b.Length == 0 ? b : b.Insert(at % b.Length, c.ToString())));
}
