using Samsa.Client.Configuration;
using Samsa.Client.Network;
using Samsa.Protocol.Messages;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Network;

/// <summary>Runs alone: the process-wide allocation count would otherwise include other tests' work.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCountingCollection
{
    public const string Name = "allocation counting";
}

/// <summary>
/// Small requests on one connection with 5 in flight against librdkafka's mock cluster must not
/// allocate per request beyond the request itself, its parsed response and the completion record:
/// sends, their buffers and response frames are pooled. Counted, not timed.
/// </summary>
[Collection(AllocationCountingCollection.Name)]
public sealed class NetworkClientAllocationTests(ITestOutputHelper output)
{
    private const int RoundTrips = 2000;

    [Fact]
    public void Metadata_round_trips_allocate_only_the_request_and_response_objects()
    {
        // Owner thread: ClientRequest (~130 B), ClientResponse (~60 B), MetadataResponse with its
        // empty lists (~200 B). Whole process adds the socket loops' share, which is pooled.
        var (owner, total) = Measure(new MetadataRequest { Topics = [] }, static (c, n, h, body) => c.NewClientRequest<MetadataRequest, MetadataResponse>(n, body, h));
        // Measured 575 B on both counts; the bounds leave room for runtime differences, not for a
        // per-request buffer or frame to come back.
        Assert.InRange(owner, 0, 900);
        Assert.InRange(total, 0, 1500);
    }

    [Fact]
    public void ApiVersions_round_trips_allocate_only_the_request_and_response_objects()
    {
        // The response lists ~50 APIs: one ApiVersion object (~40 B) each, plus the list.
        var (owner, total) = Measure(new ApiVersionsRequest(), static (c, n, h, body) => c.NewClientRequest<ApiVersionsRequest, ApiVersionsResponse>(n, body, h));
        // Measured 1,112 B on both counts.
        Assert.InRange(owner, 0, 1600);
        Assert.InRange(total, 0, 2200);
    }

    private (double Owner, double Total) Measure<TBody>(TBody body, Func<NetworkClient, int, IRequestCompletionHandler, TBody, ClientRequest> create)
    {
        using var cluster = new MockCluster(1);
        using var client = NetworkClient.Create(new ClientOptions { BootstrapServers = cluster.BootstrapServers, ClientId = "alloc" }, maxInFlightRequestsPerConnection: 5);
        var broker = cluster.Brokers[0];
        var node = new Node(broker.Id, broker.Host, broker.Port);
        for (var i = 0; i < 1000 && !client.Ready(node, client.NowMs()); i++)
            client.Poll(10, client.NowMs());
        Assert.True(client.Ready(node, client.NowMs()), "the mock broker did not become ready");

        int completed = 0, failed = 0;
        var handler = new RequestCompletionHandler(response =>
        {
            completed++;
            if (!response.HasResponse)
                failed++;
        });
        // Warm up: pools fill, queues grow to their steady size, methods are jitted.
        Run(client, node, handler, () => completed, body, create, RoundTrips);
        var ownerBefore = GC.GetAllocatedBytesForCurrentThread();
        var totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        Run(client, node, handler, () => completed, body, create, RoundTrips);
        var owner = (double)(GC.GetAllocatedBytesForCurrentThread() - ownerBefore) / RoundTrips;
        var total = (double)(GC.GetTotalAllocatedBytes(precise: true) - totalBefore) / RoundTrips;
        output.WriteLine($"{typeof(TBody).Name}: {owner:F0} B per round trip on the owner thread, {total:F0} B in the whole process");
        Assert.Equal(0, failed);
        return (owner, total);
    }

    private static void Run<TBody>(NetworkClient client, Node node, IRequestCompletionHandler handler, Func<int> completed, TBody body,
        Func<NetworkClient, int, IRequestCompletionHandler, TBody, ClientRequest> create, int count)
    {
        var start = completed();
        var sent = 0;
        // Bounded: each poll waits at most 100 ms, and 100 polls per request is far beyond need.
        for (var polls = 0; completed() - start < count && polls < count * 100; polls++)
        {
            var now = client.NowMs();
            while (sent < count && client.IsReady(node, now))
            {
                client.Send(create(client, node.Id, handler, body), now);
                sent++;
            }
            client.Poll(100, now);
        }
        Assert.Equal(count, completed() - start);
    }
}
