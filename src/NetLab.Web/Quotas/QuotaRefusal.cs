using System.Globalization;

namespace NetLab.Web.Quotas;

/// <summary>
/// A limit an action would pass: which one, the account's use now, what the action needs, and how to free room.
/// Nothing was changed when one is given.
/// </summary>
/// <param name="Limit">What is limited, in words ("labs per student").</param>
/// <param name="Allowed">The limit.</param>
/// <param name="InUse">The account's (or everyone's) use now.</param>
/// <param name="Needed">What the refused action would add.</param>
/// <param name="HowToFree">What the user can do about it.</param>
/// <param name="Unit">The unit of the numbers ("labs", "bytes").</param>
public sealed record QuotaRefusal(string Limit, long Allowed, long InUse, long Needed, string HowToFree, string Unit)
{
    public string Message => string.Create(
        CultureInfo.InvariantCulture,
        $"Limit reached: {Limit} is {Show(Allowed)}; {Show(InUse)} in use and this needs {Show(Needed)} more. {HowToFree}");

    private string Show(long value) => Unit == "bytes" ? Bytes(value) : $"{value} {Unit}";

    private static string Bytes(long value) => value switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{value / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{value / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{value / (double)(1L << 10):0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value} bytes"),
    };
}

/// <summary>Thrown by a store operation that returns no result to refuse with (a run's start, an import): nothing was stored.</summary>
public sealed class QuotaExceededException(QuotaRefusal refusal) : InvalidOperationException(refusal.Message)
{
    public QuotaRefusal Refusal { get; } = refusal;
}
