using NetLab.HostileInput.Tests.Hosting;

// Each class runs a `netlab up` of its own (an agent, a web and, for the web's cases, a Chromium): two at once on two
// cores only slow each other into timeouts, and they share the suite's web account.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: AssemblyFixture(typeof(SuiteAccount))]
