using Samsa.Client.Configuration;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Network;

public sealed class InFlightRequestsTests : IDisposable
{
    private readonly NetworkClient _factory = new(new MockSelector(), null, new ClientOptions { BootstrapServers = "x:1" },
        new FakeTime(), metadataUpdater: new ManualMetadataUpdater([]));

    public void Dispose() => _factory.Dispose();

    private ClientRequest Request(int node, long sendTimeMs = 0, int timeoutMs = 100)
    {
        var request = _factory.NewClientRequest<MetadataRequest, MetadataResponse>(node, new MetadataRequest(), requestTimeoutMs: timeoutMs);
        request.SendTimeMs = sendTimeMs;
        return request;
    }

    [Fact]
    public void Can_send_more_only_when_the_newest_request_was_written_and_below_the_limit()
    {
        var inFlight = new InFlightRequests(2);
        Assert.True(inFlight.CanSendMore(1));
        var first = Request(1);
        inFlight.Add(first);
        Assert.False(inFlight.CanSendMore(1));
        first.SendCompleted = true;
        Assert.True(inFlight.CanSendMore(1));
        var second = Request(1);
        second.SendCompleted = true;
        inFlight.Add(second);
        Assert.False(inFlight.CanSendMore(1));
        Assert.True(inFlight.CanSendMore(2));
    }

    [Fact]
    public void Responses_complete_the_oldest_request_first()
    {
        var inFlight = new InFlightRequests(5);
        var requests = Enumerable.Range(0, 12).Select(_ => Request(1)).ToList();
        foreach (var r in requests)
            inFlight.Add(r);
        Assert.Equal(12, inFlight.Count);
        Assert.Same(requests[^1], inFlight.LastSent(1));
        foreach (var r in requests)
            Assert.Same(r, inFlight.CompleteNext(1));
        Assert.Equal(0, inFlight.Count);
        Assert.Throws<InvalidOperationException>(() => inFlight.CompleteNext(1));
    }

    [Fact]
    public void Timed_out_requests_are_found_per_node()
    {
        var inFlight = new InFlightRequests(5);
        inFlight.Add(Request(1, sendTimeMs: 0, timeoutMs: 100));
        inFlight.Add(Request(2, sendTimeMs: 50, timeoutMs: 100));
        var nodes = new List<int>();
        inFlight.NodesWithTimedOutRequests(100, nodes);
        Assert.Empty(nodes);
        inFlight.NodesWithTimedOutRequests(101, nodes);
        Assert.Equal([1], nodes);
        Assert.Equal(40, inFlight.NextTimeoutMs(60));
    }

    [Fact]
    public void Clear_all_returns_requests_oldest_first_and_remove_takes_one()
    {
        var inFlight = new InFlightRequests(5);
        var a = Request(1);
        var b = Request(1);
        var c = Request(1);
        inFlight.Add(a);
        inFlight.Add(b);
        inFlight.Add(c);
        Assert.True(inFlight.Remove(b));
        Assert.False(inFlight.Remove(b));
        var cleared = new List<ClientRequest>();
        inFlight.ClearAll(1, cleared);
        Assert.Equal([a, c], cleared);
        Assert.Equal(0, inFlight.Count);
    }
}
