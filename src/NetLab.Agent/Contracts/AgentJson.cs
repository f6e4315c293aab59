using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NetLab.Agent.Contracts;

/// <summary>
/// The one JSON shape of the agent's API, used by the server, the client and the CLI's --json output, so that what
/// a script reads from the CLI is exactly what the API sends.
/// </summary>
public static class AgentJson
{
    /// <summary>camelCase names, enums as camelCase strings, nulls left out.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same shape, indented, for humans reading --json output of single objects.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The media type of streamed answers: one JSON object per line.</summary>
    public const string NdjsonMediaType = "application/x-ndjson";

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },

            // Source-generated contracts first: reflection-built serializers cost every short-lived `netlab` process
            // tens of milliseconds of Reflection.Emit. Other types still serialize through reflection.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(AgentJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly(populateMissingResolver: true);
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
[JsonSerializable(typeof(CaptureRequest))]
[JsonSerializable(typeof(CaptureStreamItem))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
