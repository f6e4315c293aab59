using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Engine;

/// <summary>
/// A lab named in a request (destroy, state, events, capture, probe) that no lab can have is refused with what a lab
/// name is, before anything is looked up: before, `netlab destroy ../x` and `POST /v1/labs/..%2Fx/destroy` answered
/// "destroyed 0 of 0 operations", as if such a lab existed and held nothing.
/// </summary>
public sealed class LabNameRequestTests
{
    public static TheoryData<string> NotLabNames() => new("..", "../x", "a/b", "a.b", "", " ", "x y", "$(reboot)", "-rf", new string('a', 33), "nl-x\n");

    [Theory]
    [MemberData(nameof(NotLabNames))]
    public async Task Every_request_naming_a_lab_refuses_a_name_no_lab_can_have_and_changes_nothing(string name)
    {
        using var lab = new EngineLab();
        using var foreign = lab.AddForeign("a", "b"); // a namespace under the prefix that NetLab did not make: must stay
        var before = lab.Namespaces();
        var engine = lab.Engine;

        var refusals = new List<ArgumentException>
        {
            await Assert.ThrowsAsync<ArgumentException>(() => engine.DestroyAsync(name)),
            await Assert.ThrowsAsync<ArgumentException>(() => engine.StateAsync(name)),
            await Assert.ThrowsAsync<ArgumentException>(() => engine.ProbeAsync(name, new ProbeRequest())),
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.EventsAsync(name).GetAsyncEnumerator().MoveNextAsync()),
            await Assert.ThrowsAsync<ArgumentException>(async () => await engine.CaptureAsync(name, new CaptureRequest("b", "lo")).GetAsyncEnumerator().MoveNextAsync()),
        };

        Assert.All(refusals, refusal =>
        {
            Assert.StartsWith("No lab can be named like that: ", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("letters, digits, '-' and '_'", refusal.Message, StringComparison.Ordinal);
            Assert.EndsWith("Nothing was changed.", refusal.Message, StringComparison.Ordinal);
        });
        Assert.Equal(before, lab.Namespaces());
    }
}
