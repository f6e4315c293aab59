using NetLab.Core.Experiments;
using NetLab.Core.Grading;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Tests.Grading;

public sealed class GraderTests
{
    private static readonly Lab Vepa = ExampleLabs.Load("macvlan-vepa");
    private static readonly Lab Hairpin = ExampleLabs.Load("macvlan-vepa-hairpin");

    /// <summary>What the connectivity check shows when the kernel does what NetLab predicts.</summary>
    private static List<ObservedPing> AsPredicted(Lab lab) =>
    [
        .. ConnectivityPredictor.Predict(lab).Select(p => new ObservedPing(p.From, p.Address, p.Reachable,
            p.Reachable ? NeighborResult.Answered : p.From == p.To ? NeighborResult.NotNeeded : NeighborResult.Unanswered)),
    ];

    /// <summary>The kernel's state when the lab is applied exactly.</summary>
    private static ObservedState Applied(Lab lab) => DesiredState.From(lab, NamingScheme.Default).State;

    /// <summary>The applied state with one link changed.</summary>
    private static ObservedState Changed(Lab lab, string element, string link, Func<ObservedLink, ObservedLink> change, ObservedState? before = null)
    {
        var state = before ?? Applied(lab);
        var kernelName = NamingScheme.Default.Namespace(lab.Name, element);
        return state with
        {
            Namespaces = state.Namespaces.Select(n => n.Name != kernelName ? n : n with
            {
                Links = n.Links.Select(l => l.Name == link ? change(l) : l).ToValueList(),
            }).ToValueList(),
        };
    }

    /// <summary>The hairpin template as a student left it: the switch port's hairpin off (the vepa lab under the template's name).</summary>
    private static Lab HairpinForgotten => Hairpin with
    {
        Switches = [Hairpin.Switches[0] with { Ports = [Hairpin.Switches[0].Ports[0] with { Hairpin = false }] }],
    };

    private static CheckResult GradeOne(Lab lab, LabCheck check, ObservedState state) =>
        Assert.Single(Grader.Grade(lab, [check], [], state).Results);

    [Theory]
    [InlineData("macvlan-vepa")]
    [InlineData("macvlan-vepa-hairpin")]
    [InlineData("macvlan-bridge")]
    [InlineData("macvlan-private")]
    [InlineData("macvlan-passthru")]
    [InlineData("macvtap")]
    [InlineData("vlan-888")]
    [InlineData("bridge-vxlan")]
    public void Generated_checks_all_pass_when_the_kernel_does_what_the_lab_predicts(string name)
    {
        var lab = ExampleLabs.Load(name);
        var checks = CheckGenerator.FromPredictions(lab);

        var report = Grader.Grade(lab, checks, AsPredicted(lab), Applied(lab));

        Assert.True(report.Passed == report.Total, string.Join("\n", report.Results.Where(r => r.Outcome != CheckOutcome.Passed).Select(r => $"{r.Check}: {r.Outcome} {r.Observed} {r.Explanation}{r.Reason}")));
        Assert.Equal(checks.Count, report.Total);
        Assert.Equal(1.0, report.Score);
        Assert.Equal($"{checks.Count} of {checks.Count} checks passed", report.Summary);
        Assert.All(report.Results, r => Assert.Null(r.Explanation));
    }

    [Fact]
    public void On_the_vepa_lab_a_reply_contradicting_its_generated_check_fails_with_the_explainers_words()
    {
        var checks = CheckGenerator.FromPredictions(Vepa);
        var pings = AsPredicted(Vepa).Select(p => p.From == "ns2" && p.Address == "100.0.0.3" ? p with { Replied = true, Neighbor = NeighborResult.Answered } : p).ToList();

        var report = Grader.Grade(Vepa, checks, pings, Applied(Vepa));

        var failed = Assert.Single(report.Results, r => r.Outcome != CheckOutcome.Passed);
        Assert.Equal(CheckOutcome.Failed, failed.Outcome);
        Assert.Equal("ns2 does not reach 100.0.0.3", failed.Check.Text);
        Assert.Equal("replied", failed.Observed);
        Assert.Equal(ConnectivityExplainer.Explain(ConnectivityPredictor.Predict(Vepa, "ns2", "100.0.0.3"), pings.Single(p => p.From == "ns2" && p.Address == "100.0.0.3")).Explanation, failed.Explanation);
        Assert.Contains("hairpin", failed.Explanation, StringComparison.Ordinal);
        Assert.Contains("apply the lab again", failed.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forgotten_hairpin_fails_the_siblings_pings_with_the_predictors_explanation_and_fix()
    {
        var checks = CheckGenerator.FromPredictions(Hairpin);
        var student = HairpinForgotten;

        var report = Grader.Grade(student, checks, AsPredicted(student), Applied(student));

        Assert.Equal(2, report.Failed);
        Assert.Equal(0, report.NotChecked);
        Assert.Equal($"{checks.Count - 2} of {checks.Count} checks passed (2 failed)", report.Summary);
        Assert.Equal((double)(checks.Count - 2) / checks.Count, report.Score);
        var failed = report.Results.Where(r => r.Outcome == CheckOutcome.Failed).ToList();
        Assert.Equal(["ns2 reaches 100.0.0.3", "ns3 reaches 100.0.0.2"], failed.Select(r => r.Check.Text));
        var ns2 = failed[0];
        Assert.Equal("no reply: ARP/neighbour discovery got no answer (layer 2)", ns2.Observed);
        Assert.Equal(ConnectivityPredictor.Predict(student, "ns2", "100.0.0.3")!.Explanation, ns2.Explanation);
        Assert.Contains("hairpin", ns2.Explanation, StringComparison.Ordinal);
        Assert.Contains("hairpin: true", ns2.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_instructor_decides_whether_students_see_the_explanations()
    {
        var student = HairpinForgotten;
        var report = Grader.Grade(student, CheckGenerator.FromPredictions(Hairpin), AsPredicted(student), Applied(student));

        var hidden = report.ForStudent(showExplanations: false);
        var shown = report.ForStudent(showExplanations: true);

        Assert.Same(report, shown);
        Assert.False(hidden.ExplanationsShown);
        Assert.All(hidden.Results, r => Assert.True(r.Explanation is null && r.Fix is null));
        Assert.Equal(report.Results.Select(r => (r.Check, r.Outcome, r.Observed)), hidden.Results.Select(r => (r.Check, r.Outcome, r.Observed)));
        Assert.Equal(report.Score, hidden.Score);
        Assert.Contains(report.Results, r => r.Explanation is not null);
    }

    [Fact]
    public void A_reply_the_lab_does_not_predict_is_explained_as_the_kernel_differing_from_the_lab()
    {
        // The template says ns2 reaches ns3; the student's lab has no hairpin, yet a reply came (the port was changed
        // by hand, outside NetLab): the check passes, and a "does not reach" check fails with the explainer's words.
        var student = HairpinForgotten;
        var pings = AsPredicted(student).Select(p => p.From == "ns2" && p.Address == "100.0.0.3" ? p with { Replied = true, Neighbor = NeighborResult.Answered } : p).ToList();

        var report = Grader.Grade(student, [new ReachabilityCheck("ns2", "100.0.0.3", true), new ReachabilityCheck("ns2", "100.0.0.3", false)], pings, null);

        Assert.Equal(CheckOutcome.Passed, report.Results[0].Outcome);
        var failed = report.Results[1];
        Assert.Equal(CheckOutcome.Failed, failed.Outcome);
        Assert.Contains("NetLab predicted that ns2 cannot reach 100.0.0.3 (rule macvlan-vepa-no-hairpin", failed.Explanation, StringComparison.Ordinal);
        Assert.Contains("apply the lab again", failed.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_the_check_does_not_want_is_explained_by_the_labs_prediction()
    {
        var report = Grader.Grade(Hairpin, [new ReachabilityCheck("ns2", "100.0.0.3", false)], AsPredicted(Hairpin), null);

        var result = Assert.Single(report.Results);
        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.StartsWith("ns2 reaches 100.0.0.3", result.Explanation, StringComparison.Ordinal);
        Assert.EndsWith("The check expects no reply.", result.Explanation, StringComparison.Ordinal);
        Assert.NotNull(result.Fix);
    }

    [Fact]
    public void A_check_on_an_address_the_students_lab_lacks_says_so()
    {
        var student = Vepa with { Namespaces = [Vepa.Namespaces[0]] };

        var report = Grader.Grade(student, [new ReachabilityCheck("ns2", "100.0.0.3", true)], [new ObservedPing("ns2", "100.0.0.3", false, NeighborResult.Unanswered)], null);

        var result = Assert.Single(report.Results);
        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Equal("no interface of lab 'macvlan-vepa' holds 100.0.0.3, so nothing in the lab answers it.", result.Explanation);
    }

    [Fact]
    public void A_pair_that_was_not_probed_is_not_checked_and_earns_nothing()
    {
        var pings = AsPredicted(Vepa).Where(p => p.From != "ns3").ToList();
        var checks = CheckGenerator.FromPredictions(Vepa);

        var report = Grader.Grade(Vepa, checks, pings, Applied(Vepa));

        var notChecked = report.Results.Where(r => r.Outcome == CheckOutcome.NotChecked).ToList();
        Assert.Equal(["ns3 does not reach 100.0.0.2", "ns3 does not reach 100.0.0.3"], notChecked.Select(r => r.Check.Text));
        Assert.Equal("ns3 to 100.0.0.2 was not probed; run the connectivity check on the whole lab", notChecked[0].Reason);
        Assert.All(notChecked, r => Assert.Null(r.Observed));
        Assert.Equal((double)(checks.Count - 2) / checks.Count, report.Score);
        Assert.EndsWith("(2 not checked)", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_probe_or_a_state_nothing_of_theirs_is_checked()
    {
        var report = Grader.Grade(Vepa, CheckGenerator.FromPredictions(Vepa), null, null);

        Assert.Equal(report.Total, report.NotChecked);
        Assert.Equal(0, report.Score);
        Assert.Contains(report.Results, r => r.Reason == "the connectivity check did not run; run it to grade the pings");
        Assert.Contains(report.Results, r => r.Reason == "the kernel state was not read; check the lab while it is applied");
    }

    [Fact]
    public void Observed_addresses_are_matched_whatever_their_spelling_and_the_last_observation_counts()
    {
        var lab = ExampleLabs.Load("bridge-vxlan");
        var ipv6 = ConnectivityPredictor.Predict(lab).FirstOrDefault(p => p.Address.Contains(':', StringComparison.Ordinal));
        var pair = ipv6 ?? ConnectivityPredictor.Predict(lab)[0];
        var spelled = pair.Address.ToUpperInvariant();
        ObservedPing[] pings = [new(pair.From, spelled, !pair.Reachable, NeighborResult.Answered), new(pair.From, spelled, pair.Reachable, NeighborResult.Answered)];

        var report = Grader.Grade(lab, [new ReachabilityCheck(pair.From, pair.Address, pair.Reachable)], pings, null);

        Assert.Equal(CheckOutcome.Passed, Assert.Single(report.Results).Outcome);
    }

    [Fact]
    public void No_checks_score_nothing()
    {
        var report = Grader.Grade(Vepa, [], [], Applied(Vepa));

        Assert.Equal(0, report.Score);
        Assert.Equal("0 of 0 checks passed", report.Summary);
    }

    [Fact]
    public void A_mode_other_than_the_checks_says_what_the_kernel_has()
    {
        var state = Changed(Vepa, "ns2", "macvlan2", l => l with { Spec = l.Spec with { MacvlanMode = MacvlanMode.Private } });
        var check = new InterfaceKindCheck("ns2", "macvlan2", LinkKind.Macvlan, MacvlanMode.Vepa);

        var result = GradeOne(Vepa, check, state);
        var passed = GradeOne(Vepa, check, Applied(Vepa));

        Assert.Equal(CheckOutcome.Failed, result.Outcome);
        Assert.Equal("ns2/macvlan2 is a macvlan in private mode; the check expects vepa mode.", result.Explanation);
        Assert.Equal("set `mode: vepa` on macvlan2 in ns2, and apply the lab.", result.Fix);
        Assert.Equal("ns2/macvlan2 is a macvlan in private mode, up, with 100.0.0.2/24", result.Observed);
        Assert.Equal(CheckOutcome.Passed, passed.Outcome);
        Assert.Equal("ns2/macvlan2 is a macvlan in vepa mode, up, with 100.0.0.2/24", passed.Observed);
    }

    [Fact]
    public void A_kind_other_than_the_checks_fails_and_a_kind_without_mode_ignores_the_mode()
    {
        var wrongKind = GradeOne(Vepa, new InterfaceKindCheck("ns2", "macvlan2", LinkKind.Macvtap, MacvlanMode.Vepa), Applied(Vepa));
        var anyMode = GradeOne(Vepa, new InterfaceKindCheck("ns2", "macvlan2", LinkKind.Macvlan), Applied(Vepa));

        Assert.Equal(CheckOutcome.Failed, wrongKind.Outcome);
        Assert.Equal("ns2/macvlan2 is a macvlan in vepa mode; the check expects a macvtap.", wrongKind.Explanation);
        Assert.Equal(CheckOutcome.Passed, anyMode.Outcome);
    }

    [Theory]
    [InlineData(true, false, CheckOutcome.Passed)]
    [InlineData(false, true, CheckOutcome.Passed)]
    [InlineData(true, true, CheckOutcome.Failed)]
    [InlineData(false, false, CheckOutcome.Failed)]
    public void Up_and_down_are_graded_against_the_kernel(bool kernelUp, bool expectDown, CheckOutcome expected)
    {
        var state = Changed(Vepa, "ns3", "macvlan3", l => l with { Up = kernelUp });

        var result = GradeOne(Vepa, new InterfaceUpCheck("ns3", "macvlan3", !expectDown), state);

        Assert.Equal(expected, kernelUp != expectDown ? CheckOutcome.Passed : CheckOutcome.Failed);
        Assert.Equal(expected, result.Outcome);
        if (expected == CheckOutcome.Failed)
        {
            Assert.Equal($"ns3/macvlan3 is {(kernelUp ? "up" : "down")}; the check expects it {(expectDown ? "down" : "up")}.", result.Explanation);
            Assert.Equal($"set `up: {(expectDown ? "false" : "true")}` on macvlan3 in ns3, and apply the lab.", result.Fix);
        }
        else
        {
            Assert.Null(result.Explanation);
        }
    }

    [Fact]
    public void A_vlan_id_is_graded_and_a_wrong_one_named()
    {
        var lab = ExampleLabs.Load("vlan-888");
        var (element, vlan) = lab.InterfaceNamespaces.SelectMany(n => n.Interfaces.OfType<VlanInterface>().Select(v => (n.Name, v))).First();
        var state = Changed(lab, element, vlan.Name, l => l with { Spec = l.Spec with { VlanId = 889 } });
        var check = new InterfaceVlanCheck(element, vlan.Name, vlan.Id);

        var passed = GradeOne(lab, check, Applied(lab));
        var failed = GradeOne(lab, check, state);
        var notVlan = GradeOne(lab, new InterfaceVlanCheck("h1", "eth0", 888), Applied(lab));

        Assert.Equal(CheckOutcome.Passed, passed.Outcome);
        Assert.Equal(CheckOutcome.Failed, failed.Outcome);
        Assert.Equal($"{element}/{vlan.Name} is a vlan with id 889; the check expects id {vlan.Id}.", failed.Explanation);
        Assert.Equal(CheckOutcome.Failed, notVlan.Outcome);
        Assert.Equal("h1/eth0 is a veth, not a vlan; the check expects a vlan with id 888.", notVlan.Explanation);
    }

    [Fact]
    public void An_address_is_graded_with_its_prefix_length_and_found_where_it_went()
    {
        var check = new InterfaceAddressCheck("ns2", "macvlan2", InterfaceAddress.Parse("100.0.0.2/24"));
        var wrongPrefix = Changed(Vepa, "ns2", "macvlan2", l => l with { Addresses = [InterfaceAddress.Parse("100.0.0.2/16")] });
        var swapped = Changed(Vepa, "ns3", "macvlan3", l => l with { Addresses = [InterfaceAddress.Parse("100.0.0.2/24")] },
            Changed(Vepa, "ns2", "macvlan2", l => l with { Addresses = [InterfaceAddress.Parse("100.0.0.3/24")] }));
        var none = Changed(Vepa, "ns2", "macvlan2", l => l with { Addresses = [] });

        Assert.Equal(CheckOutcome.Passed, GradeOne(Vepa, check, Applied(Vepa)).Outcome);
        Assert.Equal("ns2/macvlan2 has 100.0.0.2/16: the address is right, the prefix length is not; the check expects /24.", GradeOne(Vepa, check, wrongPrefix).Explanation);
        Assert.Equal("ns2/macvlan2 has 100.0.0.3/24; the check expects 100.0.0.2/24. 100.0.0.2 is on ns3/macvlan3 instead.", GradeOne(Vepa, check, swapped).Explanation);
        var missing = GradeOne(Vepa, check, none);
        Assert.Equal(CheckOutcome.Failed, missing.Outcome);
        Assert.Equal("ns2/macvlan2 has no address; the check expects 100.0.0.2/24.", missing.Explanation);
        Assert.Equal("put `100.0.0.2/24` in the addresses of macvlan2 in ns2, and apply the lab.", missing.Fix);
    }

    [Fact]
    public void A_missing_interface_or_namespace_fails_every_check_on_it_and_says_what_is_there()
    {
        var withoutMacvlan = Changed(Vepa, "ns2", "macvlan2", l => l with { Name = "macvlan9" });
        var notApplied = ObservedState.Empty;
        var exists = new InterfaceExistsCheck("ns2", "macvlan2");

        var missing = GradeOne(Vepa, exists, withoutMacvlan);
        var noNamespace = GradeOne(Vepa, new InterfaceUpCheck("ns2", "macvlan2", true), notApplied);

        Assert.Equal(CheckOutcome.Passed, GradeOne(Vepa, exists, Applied(Vepa)).Outcome);
        Assert.Equal(CheckOutcome.Failed, missing.Outcome);
        Assert.Equal("ns2 has no interface macvlan2; it has lo, macvlan9", missing.Observed);
        Assert.Equal(CheckOutcome.Failed, noNamespace.Outcome);
        Assert.Equal("the kernel has no namespace nl-macvlan-vepa.ns2 for ns2", noNamespace.Observed);
        Assert.Contains("apply the lab", noNamespace.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kernel_names_follow_the_naming_scheme_given()
    {
        var naming = new NamingScheme("nlx-");
        var state = DesiredState.From(Vepa, naming).State;
        var check = new InterfaceUpCheck("ns2", "macvlan2", true);

        Assert.Equal(CheckOutcome.Passed, Assert.Single(Grader.Grade(Vepa, [check], null, state, naming).Results).Outcome);
        Assert.Equal(CheckOutcome.Failed, Assert.Single(Grader.Grade(Vepa, [check], null, state).Results).Outcome);
    }

    [Fact]
    public void A_graded_checks_file_round_trip_grades_the_same()
    {
        var document = CheckGenerator.DocumentFor(Hairpin);
        var read = ChecksFormat.LoadAndValidate(ChecksFormat.ToYaml(document), Core.Formats.LabFileFormat.Yaml, Hairpin);
        var student = HairpinForgotten;

        Assert.True(read.Succeeded, string.Join("\n", read.Problems));
        Assert.Equal(
            Grader.Grade(student, document.Checks, AsPredicted(student), Applied(student)),
            Grader.Grade(student, read.Document!.Checks, AsPredicted(student), Applied(student)));
    }
}
