using System.Net;
using NetLab.Core.Formats;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;
using NetLab.Core.Teaching;
using NetLab.Core.Validation;

namespace NetLab.Core.Tests.Planning;

/// <summary>Plans between random labs, checked by simulating them and by reading the labs directly.</summary>
public sealed class PlannerPropertyTests
{
    private const int Runs = 300;
    private static readonly NamingScheme Naming = NamingScheme.Default;

    /// <summary>Something that is not this lab's: planning must leave it exactly as it is.</summary>
    private static readonly ObservedNamespace Foreign = new("nl-other.ns1")
    {
        Links = [new ObservedLink("lo", LinkSpec.Loopback), new ObservedLink("i1", new LinkSpec { Kind = LinkKind.Dummy }) { Up = true }],
    };

    public static TheoryData<int> Seeds() => new(Enumerable.Range(0, Runs));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_random_lab_applied_to_nothing_then_planned_again_needs_nothing(int seed)
    {
        var lab = ValidRandomLab(new RandomLabs(seed));
        var start = new ObservedState { Namespaces = [Foreign] };

        var plan = Planner.Plan(start, lab, Naming);
        var state = Apply(start, plan, lab, seed);

        Assert.Empty(LabStateCheck.Differences(state, lab, Naming));
        AssertEmptyPlan(Planner.Plan(state, lab, Naming), lab, seed);
        Assert.Equal(Foreign, state.Namespace(Foreign.Name));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void What_the_kernel_adds_by_itself_does_not_make_the_plan_change_anything(int seed)
    {
        var lab = ValidRandomLab(new RandomLabs(seed));
        var state = Apply(ObservedState.Empty, Planner.Plan(ObservedState.Empty, lab, Naming), lab, seed);

        AssertEmptyPlan(Planner.Plan(AsTheKernelReportsIt(state, seed), lab, Naming), lab, seed);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_plan_from_one_random_lab_to_another_reaches_the_second(int seed)
    {
        var first = ValidRandomLab(new RandomLabs(seed));
        var second = ValidRandomLab(new RandomLabs(seed + 100_000));
        var start = AsTheKernelReportsIt(Apply(new ObservedState { Namespaces = [Foreign] }, Planner.Plan(ObservedState.Empty, first, Naming), first, seed), seed);

        var state = Apply(start, Planner.Plan(start, second, Naming), second, seed);

        var differences = LabStateCheck.Differences(state, second, Naming);
        Assert.True(differences.Count == 0, Describe(seed, second) + string.Join(Environment.NewLine, differences));
        AssertEmptyPlan(Planner.Plan(state, second, Naming), second, seed);
        Assert.Equal(start.Namespace(Foreign.Name), state.Namespace(Foreign.Name));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_plan_to_a_changed_version_of_a_lab_reaches_it_and_keeps_what_did_not_change(int seed)
    {
        var random = new RandomLabs(seed);
        var first = ValidRandomLab(random);
        var second = random.Mutate(first);
        Assert.True(LabValidator.IsValid(second), Describe(seed, second) + string.Join(Environment.NewLine, LabValidator.Validate(second)));
        var start = Apply(ObservedState.Empty, Planner.Plan(ObservedState.Empty, first, Naming), first, seed);

        var plan = Planner.Plan(start, second, Naming);
        var state = Apply(start, plan, second, seed);

        Assert.Empty(LabStateCheck.Differences(state, second, Naming));
        AssertEmptyPlan(Planner.Plan(state, second, Naming), second, seed);
        // Settings changes never remove a namespace.
        Assert.DoesNotContain(plan.Operations, o => o is DeleteNamespace);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Removing_a_random_lab_leaves_none_of_its_namespaces(int seed)
    {
        var lab = ValidRandomLab(new RandomLabs(seed));
        var start = Apply(new ObservedState { Namespaces = [Foreign] }, Planner.Plan(ObservedState.Empty, lab, Naming), lab, seed);

        var state = Apply(start, Planner.PlanRemoval(start, lab.Name, Naming), lab, seed);

        Assert.Equal([Foreign], state.Namespaces);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_random_lab_survives_a_round_trip_through_its_file_formats(int seed)
    {
        var lab = ValidRandomLab(new RandomLabs(seed));

        Assert.Equal(lab, LabFormat.LoadYaml(LabFormat.ToYaml(lab)).Lab);
        Assert.Equal(lab, LabFormat.LoadJson(LabFormat.ToJson(lab)).Lab);
    }

    private static Lab ValidRandomLab(RandomLabs random)
    {
        var lab = random.Next();
        var problems = LabValidator.Validate(lab);
        Assert.True(problems.Count == 0, LabFormat.ToYaml(lab) + string.Join(Environment.NewLine, problems));
        return lab;
    }

    private static ObservedState Apply(ObservedState state, Plan plan, Lab lab, int seed)
    {
        try
        {
            return Planner.Simulate(state, plan);
        }
        catch (SimulationException e)
        {
            Assert.Fail($"{Describe(seed, lab)}{e.Message}\nfrom:\n{state}\nplan:\n{string.Join('\n', Iproute2Renderer.Render(plan, NamespaceNames.Kernel))}");
            throw;
        }
    }

    private static void AssertEmptyPlan(Plan plan, Lab lab, int seed) =>
        Assert.True(plan.IsEmpty, Describe(seed, lab) + "second plan:\n" + string.Join('\n', Iproute2Renderer.Render(plan)));

    private static string Describe(int seed, Lab lab) => $"seed {seed}\n{LabFormat.ToYaml(lab)}\n";

    /// <summary>What a dump shows beyond what was asked: MACs and MTUs everywhere, IPv6 link-local addresses on up links.</summary>
    private static ObservedState AsTheKernelReportsIt(ObservedState state, int seed)
    {
        var random = new Random(seed);
        return state with
        {
            Namespaces = state.Namespaces.Select(n => n with
            {
                Links = n.Links.Select(l => l with
                {
                    Mac = l.Mac ?? MacAddress.FromBytes([0x0a, .. Enumerable.Range(0, 5).Select(_ => (byte)random.Next(256))]),
                    Mtu = l.Mtu ?? 1500,
                    Addresses = l.Up && !l.Spec.IsLoopback
                        ? l.Addresses.Add(new InterfaceAddress(IPAddress.Parse($"fe80::{random.Next(1, 65535):x}"), 64))
                        : l.Addresses,
                }).ToValueList(),
            }).ToValueList(),
        };
    }
}
