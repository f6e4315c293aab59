using System.Net;
using NetLab.Core.Experiments;
using NetLab.Core.Labs;
using NetLab.Core.Links;
using NetLab.Core.Planning;

namespace NetLab.Core.Grading;

/// <summary>
/// Grades a lab: each check against what the connectivity check and the kernel showed, and each failure explained with
/// NetLab's own reasoning (the predictor's explanation and fix, the explainer's verdict on a surprise, or what the
/// kernel has instead of the expected state). A pure function: the caller runs the probe and reads the state.
/// </summary>
public static class Grader
{
    /// <param name="lab">The lab as applied (the student's revision, valid): its predictions explain failed pings, and
    /// its name finds its namespaces in <paramref name="observedState"/>.</param>
    /// <param name="checks">The checks, in the order the report lists them.</param>
    /// <param name="observedPings">What the connectivity check saw, with elements by their lab names; null when it did
    /// not run. A pair observed more than once counts by its last observation.</param>
    /// <param name="observedState">The kernel's state, namespaces by kernel name; null when it was not read.</param>
    /// <param name="naming">How the lab's elements are named in the kernel.</param>
    public static GradeReport Grade(Lab lab, IReadOnlyList<LabCheck> checks, IReadOnlyList<ObservedPing>? observedPings, ObservedState? observedState, NamingScheme? naming = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(checks);
        var grading = new GradingPass(lab, observedPings, observedState, naming ?? NamingScheme.Default);
        return new GradeReport(checks.Select(grading.Grade).ToValueList());
    }

    /// <summary>One grading: the observations indexed once, the predictions made only when a ping check fails.</summary>
    private sealed class GradingPass
    {
        private readonly Lab _lab;
        private readonly Dictionary<(string, string), ObservedPing>? _pings;
        private readonly ObservedState? _state;
        private readonly NamingScheme _naming;
        private Dictionary<(string, string), PairPrediction>? _predictions;

        public GradingPass(Lab lab, IReadOnlyList<ObservedPing>? pings, ObservedState? state, NamingScheme naming)
        {
            (_lab, _state, _naming) = (lab, state, naming);
            if (pings is not null)
            {
                _pings = [];
                foreach (var ping in pings)
                {
                    _pings[(ping.From, Canonical(ping.Address))] = ping;
                }
            }
        }

        public CheckResult Grade(LabCheck check) => check switch
        {
            ReachabilityCheck ping => GradePing(ping),
            InterfaceCheck state => GradeState(state),
            _ => throw new ArgumentException($"unknown check {check.GetType().Name}", nameof(check)),
        };

        private CheckResult GradePing(ReachabilityCheck check)
        {
            if (_pings is null)
            {
                return NotChecked(check, "the connectivity check did not run; run it to grade the pings");
            }

            if (!_pings.TryGetValue((check.From, Canonical(check.Address)), out var observation))
            {
                return NotChecked(check, $"{check.From} to {check.Address} was not probed; run the connectivity check on the whole lab");
            }

            var observed = observation.Describe();
            if (observation.Replied == check.Reachable)
            {
                return new CheckResult(check, CheckOutcome.Passed) { Observed = observed };
            }

            var failed = new CheckResult(check, CheckOutcome.Failed) { Observed = observed };
            if (Prediction(check.From, check.Address) is not { } prediction)
            {
                return failed with { Explanation = Unpredicted(check), Fix = UnpredictedFix(check) };
            }

            var explanation = ConnectivityExplainer.Explain(prediction, observation);
            return explanation.Verdict switch
            {
                // The kernel did what the lab says; the lab is what fails the check.
                PairVerdict.FailedAsPredicted => failed with { Explanation = explanation.Explanation, Fix = explanation.Fix },
                PairVerdict.ReachableAsPredicted => failed with
                {
                    Explanation = $"{explanation.Explanation} The check expects no reply.",
                    Fix = $"change the lab so that {check.From} cannot reach {check.Address}, as the assignment asks.",
                },
                // The kernel differs from the lab: the explainer says how and where to look.
                _ => failed with { Explanation = explanation.Explanation, Fix = explanation.Fix },
            };
        }

        private PairPrediction? Prediction(string from, string address)
        {
            _predictions ??= ConnectivityPredictor.Predict(_lab).ToDictionary(p => (p.From, Canonical(p.Address)));
            return _predictions.GetValueOrDefault((from, Canonical(address)));
        }

        private string Unpredicted(ReachabilityCheck check) => _lab.FindNamespace(check.From) is null
            ? $"lab '{_lab.Name}' has no host or namespace {check.From}, so NetLab cannot say what a ping from it does."
            : $"no interface of lab '{_lab.Name}' holds {check.Address}, so nothing in the lab answers it.";

        private string UnpredictedFix(ReachabilityCheck check) => _lab.FindNamespace(check.From) is null
            ? $"add {check.From} to the lab as the assignment asks, and apply it."
            : $"give the interface the assignment names the address {check.Address}, and apply the lab.";

        private CheckResult GradeState(InterfaceCheck check)
        {
            if (_state is null)
            {
                return NotChecked(check, "the kernel state was not read; check the lab while it is applied");
            }

            var kernelName = _naming.Namespace(_lab.Name, check.Element);
            if (_state.Namespace(kernelName) is not { } @namespace)
            {
                return new CheckResult(check, CheckOutcome.Failed)
                {
                    Observed = $"the kernel has no namespace {kernelName} for {check.Element}",
                    Explanation = $"{check.Element} does not exist in the kernel: the lab is not applied, or it has no element {check.Element}.",
                    Fix = $"apply the lab, with {check.Element} in it.",
                };
            }

            if (@namespace.Link(check.Interface) is not { } link)
            {
                var names = string.Join(", ", @namespace.Links.Select(l => l.Name));
                return new CheckResult(check, CheckOutcome.Failed)
                {
                    Observed = $"{check.Element} has no interface {check.Interface}; it has {(names.Length == 0 ? "none" : names)}",
                    Explanation = $"{check.InterfacePath} does not exist in the kernel.",
                    Fix = $"add {check.Interface} to {check.Element} in the lab, and apply it.",
                };
            }

            var observed = Describe(check.InterfacePath, link);
            var (passed, explanation, fix) = check switch
            {
                InterfaceExistsCheck => (true, null, null),
                InterfaceUpCheck up => Up(up, link),
                InterfaceKindCheck kind => Kind(kind, link),
                InterfaceVlanCheck vlan => Vlan(vlan, link),
                InterfaceAddressCheck address => Address(address, link),
                _ => throw new ArgumentException($"unknown check {check.GetType().Name}", nameof(check)),
            };
            return passed
                ? new CheckResult(check, CheckOutcome.Passed) { Observed = observed }
                : new CheckResult(check, CheckOutcome.Failed) { Observed = observed, Explanation = explanation, Fix = fix };
        }

        private static (bool, string?, string?) Up(InterfaceUpCheck check, ObservedLink link) => link.Up == check.Up
            ? (true, null, null)
            : (false,
                $"{check.InterfacePath} is {(link.Up ? "up" : "down")}; the check expects it {(check.Up ? "up" : "down")}.",
                $"set `up: {(check.Up ? "true" : "false")}` on {check.Interface} in {check.Element}, and apply the lab.");

        private static (bool, string?, string?) Kind(InterfaceKindCheck check, ObservedLink link)
        {
            var expected = check.Kind.KernelName();
            if (link.Spec.Kind != check.Kind)
            {
                return (false,
                    $"{check.InterfacePath} is {KindOf(link)}; the check expects {Article(expected)} {expected}.",
                    $"make {check.Interface} in {check.Element} {Article(expected)} {expected} (`kind: {expected}`), and apply the lab.");
            }

            if (check.Mode is not { } mode || link.Spec.MacvlanMode == mode)
            {
                return (true, null, null);
            }

            return (false,
                $"{check.InterfacePath} is {KindOf(link)}; the check expects {mode.Word()} mode.",
                $"set `mode: {mode.Word()}` on {check.Interface} in {check.Element}, and apply the lab.");
        }

        private static (bool, string?, string?) Vlan(InterfaceVlanCheck check, ObservedLink link)
        {
            if (link.Spec.Kind == LinkKind.Vlan && link.Spec.VlanId == check.VlanId)
            {
                return (true, null, null);
            }

            var fix = $"set `id: {check.VlanId}` on {check.Interface} in {check.Element}, and apply the lab.";
            return link.Spec.Kind == LinkKind.Vlan
                ? (false, $"{check.InterfacePath} is a vlan with id {link.Spec.VlanId}; the check expects id {check.VlanId}.", fix)
                : (false, $"{check.InterfacePath} is {KindOf(link)}, not a vlan; the check expects a vlan with id {check.VlanId}.",
                    $"make {check.Interface} in {check.Element} a vlan (`kind: vlan`, `id: {check.VlanId}`), and apply the lab.");
        }

        private (bool, string?, string?) Address(InterfaceAddressCheck check, ObservedLink link)
        {
            if (link.Addresses.Contains(check.Address))
            {
                return (true, null, null);
            }

            var has = link.Addresses.Count == 0 ? "no address" : string.Join(", ", link.Addresses);
            var sameIp = link.Addresses.FirstOrDefault(a => a.Address.Equals(check.Address.Address));
            var elsewhere = Holders(check.Address.Address).Where(h => h != check.InterfacePath).ToList();
            var explanation = sameIp != default
                ? $"{check.InterfacePath} has {sameIp}: the address is right, the prefix length is not; the check expects /{check.Address.PrefixLength}."
                : $"{check.InterfacePath} has {has}; the check expects {check.Address}." +
                  (elsewhere.Count > 0 ? $" {check.Address.Address} is on {string.Join(", ", elsewhere)} instead." : "");
            return (false, explanation, $"put `{check.Address}` in the addresses of {check.Interface} in {check.Element}, and apply the lab.");
        }

        /// <summary>Which interfaces of this lab's namespaces hold the address, as element/interface.</summary>
        private IEnumerable<string> Holders(IPAddress address) =>
            _state!.Namespaces
                .Select(n => (Element: _naming.ElementName(n.Name, _lab.Name), Namespace: n))
                .Where(n => n.Element is not null)
                .SelectMany(n => n.Namespace.Links.Where(l => l.Addresses.Any(a => a.Address.Equals(address))).Select(l => $"{n.Element}/{l.Name}"));

        private static CheckResult NotChecked(LabCheck check, string reason) => new(check, CheckOutcome.NotChecked) { Reason = reason };

        /// <summary>An interface as the kernel has it, in words: "ns2/macvlan2 is a macvlan in vepa mode, up, with 100.0.0.2/24".</summary>
        private static string Describe(string path, ObservedLink link)
        {
            var addresses = link.Addresses.Where(a => !a.IsIPv6LinkLocal).ToList();
            var vlan = link.Spec.Kind == LinkKind.Vlan && link.Spec.VlanId is { } id ? $" with id {id}" : "";
            return $"{path} is {KindOf(link)}{vlan}, {(link.Up ? "up" : "down")}, with {(addresses.Count == 0 ? "no address" : string.Join(", ", addresses))}";
        }

        private static string KindOf(ObservedLink link)
        {
            var kind = link.Spec.Kind?.KernelName() ?? link.Spec.OtherKind ?? "device";
            var text = $"{Article(kind)} {kind}";
            return link.Spec.MacvlanMode is { } mode ? $"{text} in {mode.Word()} mode" : text;
        }

        private static string Article(string word) => word.Length > 0 && "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

        private static string Canonical(string address) => IPAddress.TryParse(address, out var ip) ? ip.ToString() : address;
    }
}
