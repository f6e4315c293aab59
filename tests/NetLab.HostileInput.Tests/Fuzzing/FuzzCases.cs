using System.Globalization;

namespace NetLab.HostileInput.Tests.Fuzzing;

/// <summary>
/// How many cases a fuzz property runs: a CI count bounded so the project stays within a couple of minutes on 2 cores,
/// or NETLAB_FUZZ_CASES for more on demand (e.g. NETLAB_FUZZ_CASES=200000 overnight). NETLAB_FUZZ_SEED replays a run
/// (every failure message names its seed).
/// </summary>
public static class FuzzCases
{
    public const string CountVariable = "NETLAB_FUZZ_CASES";
    public const string SeedVariable = "NETLAB_FUZZ_SEED";

    /// <summary>The count asked for in <see cref="CountVariable"/>, else <paramref name="inCi"/>.</summary>
    public static int Count(int inCi) =>
        int.TryParse(Environment.GetEnvironmentVariable(CountVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked > 0 ? asked : inCi;

    /// <summary>The seed asked for in <see cref="SeedVariable"/>, else a new one.</summary>
    public static ulong Seed() =>
        ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>A case for a failure message: short ones whole, long ones cut, control characters escaped.</summary>
    public static string Show(string text)
    {
        var shown = text.Length <= 600 ? text : $"{text[..400]} ...({text.Length - 500} more characters)... {text[^100..]}";
        return string.Concat(shown.Select(c => c is '\n' ? "\\n" : char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
