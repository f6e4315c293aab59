using System.Reflection;
using System.Text.Json;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Contracts;

/// <summary>
/// The API's JSON comes from build-time serializers only (the `netlab` command is compiled ahead of time). These tests
/// catch a contract added without its generated serializer or an enum without its string converter, which would
/// otherwise fail at run time in the native CLI, or quietly turn an enum into a number on the wire.
/// </summary>
public sealed class AgentJsonTests
{
    private static readonly Type[] ContractTypes = [.. typeof(AgentJson).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(AgentJson).Namespace && t.IsPublic && !t.IsEnum && !t.IsAbstract && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null)
        .Where(t => t != typeof(AgentJson))];

    public static TheoryData<string> EnumsOfTheApi() => [.. ContractTypes
        .SelectMany(EnumsReachableFrom)
        .Distinct()
        .Select(t => t.AssemblyQualifiedName!)];

    [Fact]
    public void Every_contract_record_has_a_generated_serializer()
    {
        Assert.NotEmpty(ContractTypes);
        Assert.All(ContractTypes, type => Assert.NotNull(AgentJson.Options.GetTypeInfo(type)));
    }

    [Theory]
    [MemberData(nameof(EnumsOfTheApi))]
    public void Every_enum_of_the_api_is_written_as_a_camel_case_string(string enumType)
    {
        var type = Type.GetType(enumType)!;
        foreach (var value in Enum.GetValues(type))
        {
            var json = JsonSerializer.Serialize(value, type, AgentJson.Options);

            var name = value.ToString()!;
            Assert.Equal($"\"{char.ToLowerInvariant(name[0])}{name[1..]}\"", json);
            Assert.Equal(value, JsonSerializer.Deserialize(json, type, AgentJson.Options));
        }
    }

    [Fact]
    public void A_type_outside_the_api_is_refused_with_its_name_rather_than_reflected_over()
    {
        var error = Assert.Throws<NotSupportedException>(() => AgentJson.Serialize(new Uri("http://example.invalid/")));

        Assert.Contains(nameof(Uri), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_reports_waves_and_a_report_from_before_waves_reads_as_one()
    {
        var report = new ProbeReport("demo", DateTimeOffset.UnixEpoch, 12.5, [new ProbeResult("ns2", "ns3", "mv3", "10.0.0.3", true, NeighborOutcome.Answered, 0.04)], Waves: 3);

        var json = AgentJson.Serialize(report);

        Assert.Contains("\"waves\":3", json, StringComparison.Ordinal);
        Assert.Equal(3, AgentJson.Deserialize<ProbeReport>(json)!.Waves);
        var older = json.Replace(",\"waves\":3", "", StringComparison.Ordinal);
        Assert.DoesNotContain("waves", older, StringComparison.Ordinal);
        Assert.Equal(1, AgentJson.Deserialize<ProbeReport>(older)!.Waves);
    }

    [Fact]
    public void A_stream_item_round_trips_with_its_enums_as_strings()
    {
        var item = new ApplyStreamItem(new OperationProgress(1, 2, new PlannedOperation(1, "CreateNamespace", "namespaces.ns2", "ns2", "ip netns add ns2"), OperationStatus.RolledBack, 0.5), null);

        var json = AgentJson.Serialize(item);

        Assert.Contains("\"status\":\"rolledBack\"", json, StringComparison.Ordinal);
        Assert.Equal(item.Progress, AgentJson.Deserialize<ApplyStreamItem>(json)!.Progress);
    }

    private static IEnumerable<Type> EnumsReachableFrom(Type type)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([type]);
        while (pending.TryPop(out var current))
        {
            current = Nullable.GetUnderlyingType(current) ?? current;
            if (!seen.Add(current))
            {
                continue;
            }

            if (current.IsEnum)
            {
                yield return current;
                continue;
            }

            if (current.IsGenericType)
            {
                foreach (var argument in current.GetGenericArguments())
                {
                    pending.Push(argument);
                }
            }

            if (current.Namespace?.StartsWith("NetLab", StringComparison.Ordinal) == true)
            {
                foreach (var property in current.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    pending.Push(property.PropertyType);
                }
            }
        }
    }
}
