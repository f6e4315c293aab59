using System.Net;
using System.Text;
using NetLab.Agent.Client;
using NetLab.Agent.Client.Contracts;

namespace NetLab.Agent.Tests.Api;

/// <summary>POST /v1/labs/{name}/captures against an engine that never touches the kernel: the stream's shape and the errors.</summary>
public sealed class CaptureEndpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_capture_streams_started_then_frames_and_ends_when_the_client_leaves()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var items = agent.Client.CaptureAsync("demo", new CaptureRequest("h1", "eth0"), leave.Token).GetAsyncEnumerator(leave.Token);
        await using (items)
        {
            Assert.True(await items.MoveNextAsync());
            Assert.Equal(new CaptureRequest("h1", "eth0"), items.Current.Started);

            var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
            await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, at, 60, [1, 2, 3], Outgoing: true), Cancel);
            Assert.True(await items.MoveNextAsync());
            var frame = items.Current.Frame!;
            Assert.Equal((1L, at, 60, true), (frame.Number, frame.At, frame.OriginalLength, frame.Outgoing));
            Assert.Equal([1, 2, 3], frame.Data);

            await leave.CancelAsync();
        }

        Assert.True(await agent.Engine.CaptureEnded.Task.WaitAsync(TimeSpan.FromSeconds(20), Cancel), "the engine's capture should be cancelled when the client leaves");
        Assert.Contains("capture demo h1 eth0", agent.Engine.Calls);
    }

    [Fact]
    public async Task A_capture_the_engine_ends_itself_ends_with_ended()
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        await agent.Engine.CaptureFrames.Writer.WriteAsync(new CapturedFrame(1, DateTimeOffset.UnixEpoch, 3, [1, 2, 3], Outgoing: false), Cancel);
        agent.Engine.CaptureFrames.Writer.Complete();
        var items = new List<CaptureStreamItem>();
        await foreach (var item in agent.Client.CaptureAsync("demo", new CaptureRequest("h1", "eth0"), Cancel))
        {
            items.Add(item);
        }

        Assert.Equal(3, items.Count);
        Assert.NotNull(items[0].Started);
        Assert.NotNull(items[1].Frame);
        Assert.Equal("the fake capture ended", items[2].Ended);
    }

    [Theory]
    [InlineData("nosuch", "h1", "eth0", "The kernel holds no lab named 'nosuch'")]
    [InlineData("demo", "h9", "eth0", "Lab 'demo' has no element 'h9'. Its elements are: h1.")]
    [InlineData("demo", "h1", "eth7", "Element 'h1' of lab 'demo' has no interface 'eth7'. Its interfaces are: lo, eth0.")]
    public async Task An_unknown_lab_element_or_interface_is_a_404_that_names_what_exists(string lab, string element, string interfaceName, string message)
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        var error = await Assert.ThrowsAsync<AgentClientException>(async () =>
        {
            await foreach (var _ in agent.Client.CaptureAsync(lab, new CaptureRequest(element, interfaceName), Cancel))
            {
            }
        });
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal(AgentErrorCodes.NotFound, error.Error.Code);
        Assert.Contains(message, error.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"element\": \"h1\", \"interface\": \"eth0\", \"snapLength\": 0}", "snap length")]
    [InlineData("{\"element\": \"h1\", \"interface\": \"eth0\", \"maxFrames\": 0}", "maxFrames")]
    [InlineData("{\"element\": \"\", \"interface\": \"eth0\"}", "names the lab element and its interface")]
    [InlineData("[1, 2]", "not a capture request")]
    public async Task A_bad_request_is_a_400_that_says_how_to_fix_it(string body, string message)
    {
        await using var agent = await TestAgent.StartAsync();
        agent.Engine.Labs.Add(FakeLabEngine.StateOf("demo"));
        await using var response = await UnixHttpTransport.SendAsync(agent.SocketPath, "POST", "v1/labs/demo/captures", Encoding.UTF8.GetBytes(body), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }
}
