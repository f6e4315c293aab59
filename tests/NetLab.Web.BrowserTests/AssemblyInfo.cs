// Each journey runs a web, an agent and a Chromium: two at once on two cores only slow each other into timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
