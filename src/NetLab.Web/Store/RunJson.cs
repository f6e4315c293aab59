using System.Text.Json;
using System.Text.Json.Serialization;
using NetLab.Agent.Client.Contracts;
using NetLab.Web.Model.Runs;

namespace NetLab.Web.Store;

/// <summary>
/// The JSON of run entries in the database, the hub and exports: the agent API's shape (camelCase, enums as camelCase
/// strings, nulls left out), with serializers generated at build time since the recorder writes thousands a second.
/// </summary>
public static class RunJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize(RunEntry entry) => JsonSerializer.Serialize(entry, Options);

    public static RunEntry Deserialize(string payload) =>
        JsonSerializer.Deserialize<RunEntry>(payload, Options) ?? throw new JsonException("A run entry's payload is null.");

    public static RunEntry Deserialize(ReadOnlySpan<byte> utf8Payload) =>
        JsonSerializer.Deserialize<RunEntry>(utf8Payload, Options) ?? throw new JsonException("A run entry's payload is null.");

    private static JsonSerializerOptions Create()
    {
        // The API's options (its enum converters, names, null handling), with the run's own types and enums added.
        var options = new JsonSerializerOptions(AgentJson.Options);
        options.Converters.Add(new JsonStringEnumConverter<RunEntryKind>(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new JsonStringEnumConverter<RunStatus>(JsonNamingPolicy.CamelCase));
        options.TypeInfoResolverChain.Insert(0, RunJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }
}

[JsonSerializable(typeof(RunEntry))]
[JsonSerializable(typeof(List<RunEntry>))]
[JsonSerializable(typeof(ArchivedRun))]
internal sealed partial class RunJsonContext : JsonSerializerContext;
