using System.Globalization;
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
        Upgraded(JsonSerializer.Deserialize<RunEntry>(payload, Options) ?? throw new JsonException("A run entry's payload is null."));

    public static RunEntry Deserialize(ReadOnlySpan<byte> utf8Payload) =>
        Upgraded(JsonSerializer.Deserialize<RunEntry>(utf8Payload, Options) ?? throw new JsonException("A run entry's payload is null."));

    /// <summary>
    /// Runs recorded before address events carried <see cref="LabEvent.InterfaceIndex"/> have the index only as their
    /// message ("ifindex 5"); it is read here, once, so that the replay folds old and new runs alike and nothing past
    /// the store parses text.
    /// </summary>
    private static RunEntry Upgraded(RunEntry entry) =>
        entry.Event is { Kind: LabEventKind.AddressAdded or LabEventKind.AddressRemoved, InterfaceIndex: null, Message: { } message } old
        && message.StartsWith(LegacyIndexPrefix, StringComparison.Ordinal)
        && int.TryParse(message.AsSpan(LegacyIndexPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? entry with { Event = old with { InterfaceIndex = index, Message = null } }
            : entry;

    private const string LegacyIndexPrefix = "ifindex ";

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
