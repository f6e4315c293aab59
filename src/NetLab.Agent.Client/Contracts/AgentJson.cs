using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using NetLab.Core.Diagnostics;

namespace NetLab.Agent.Client.Contracts;

/// <summary>
/// The one JSON shape of the agent's API, used by the server, the client and the CLI's --json output, so that what
/// a script reads from the CLI is exactly what the API sends.
/// </summary>
/// <remarks>
/// Serializers are generated at build time only (no reflection fallback): the `netlab` command is compiled ahead of
/// time (Native AOT), where reflection-built serializers do not exist, and a short-lived JIT process would pay tens of
/// milliseconds for them. A type missing from <see cref="AgentJsonContext"/> fails with NotSupportedException naming it.
/// </remarks>
public static class AgentJson
{
    /// <summary>camelCase names, enums as camelCase strings, nulls left out.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same shape, indented, for humans reading --json output of single objects.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The media type of streamed answers: one JSON object per line.</summary>
    public const string NdjsonMediaType = "application/x-ndjson";

    /// <summary>The generated contract of <typeparamref name="T"/> under <paramref name="options"/> (default <see cref="Options"/>).</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not one of the API's types.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions? options = null) =>
        (JsonTypeInfo<T>)(options ?? Options).GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value, JsonSerializerOptions? options = null) =>
        JsonSerializer.Serialize(value, TypeInfo<T>(options));

    public static byte[] SerializeToUtf8Bytes<T>(T value) =>
        JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public static T? Deserialize<T>(string json) =>
        JsonSerializer.Deserialize(json, TypeInfo<T>());

    public static ValueTask<T?> DeserializeAsync<T>(Stream utf8Json, CancellationToken cancellationToken = default) =>
        JsonSerializer.DeserializeAsync(utf8Json, TypeInfo<T>(), cancellationToken);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = AgentJsonContext.Default,
            // Stated, not inherited: the deepest object of the API nests 6 levels, and a deeper body is refused with
            // a JsonException before it costs anything (the agent answers 400 naming the depth).
            MaxDepth = 64,
        };

        // The generic converter is the ahead-of-time-safe one; one per enum of the API (a test finds any missing).
        options.Converters.Add(new JsonStringEnumConverter<OperationStatus>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<LabEventKind>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<NeighborOutcome>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<CheckStatus>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<NetLab.Core.Grading.CheckOutcome>(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>The API's types, with serializers generated at build time.</summary>
[JsonSerializable(typeof(LabDocument))]
[JsonSerializable(typeof(PlanView))]
[JsonSerializable(typeof(ApplyStreamItem))]
[JsonSerializable(typeof(ApplyResult))]
[JsonSerializable(typeof(LabState))]
[JsonSerializable(typeof(List<LabState>))]
[JsonSerializable(typeof(IReadOnlyList<LabState>))]
[JsonSerializable(typeof(LabEvent))]
[JsonSerializable(typeof(LabValidation))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(AgentError))]
[JsonSerializable(typeof(ProbeRequest))]
[JsonSerializable(typeof(ProbeReport))]
[JsonSerializable(typeof(GradeRequest))]
[JsonSerializable(typeof(GradeView))]
[JsonSerializable(typeof(CaptureRequest))]
[JsonSerializable(typeof(CaptureStreamItem))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
