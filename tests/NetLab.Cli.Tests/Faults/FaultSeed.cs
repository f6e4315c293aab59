using System.Globalization;

namespace NetLab.Cli.Tests.Faults;

/// <summary>
/// The random points of the fault tests come from one seed per test run: a new one each run, so CI tries other points
/// every time, and printed in every failure and in the test output, so a failing run is replayed exactly with
/// <c>NETLAB_FAULT_SEED=N</c>. A case is one process killed during one operation (nine cases); CI takes one point per
/// case, which keeps the whole folder near two minutes (each point restarts NetLab), and
/// <c>NETLAB_FAULT_POINTS=N</c> asks for N per case.
/// </summary>
internal static class FaultSeed
{
    public const string SeedVariable = "NETLAB_FAULT_SEED";
    public const string PointsVariable = "NETLAB_FAULT_POINTS";

    /// <summary>Points per case (operation and process) in an ordinary run.</summary>
    public const int DefaultPoints = 1;

    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : Random.Shared.Next(1, int.MaxValue);

    public static int Points { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(PointsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var points) && points > 0
            ? points
            : DefaultPoints;

    /// <summary>A generator of its own per test, so each test's points depend on the seed alone, not on the order tests ran.</summary>
    public static Random For(string test) => new(unchecked((Seed * 31) + StableHash(test)));

    /// <summary>What a failure message says so the run can be replayed.</summary>
    public static string Replay => $"seed {Seed}: replay with {SeedVariable}={Seed}";

    // string.GetHashCode is randomized per process; the seed must mean the same points in every process.
    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
