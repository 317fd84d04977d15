using Samsa.IntegrationTests.Clusters;
using Samsa.Protocol;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Producer;

/// <summary>The producer suite against librdkafka's mock cluster.</summary>
public sealed class KafkaProducerMockClusterTests(ITestOutputHelper output) : KafkaProducerSuite(output)
{
    protected override int RetryTestMaxInFlight => 1;

    protected override bool BrokerChecksSequences => false;

    // The mock answers REQUEST_TIMED_OUT after the delay without writing: the client has given up on
    // the request by then (request.timeout.ms is lower) and retries it on a new connection.
    protected override IDisposable DelayNextProduceRequests(ITestCluster cluster, int count, TimeSpan delay)
    {
        var errors = Enumerable.Repeat((ErrorCode.RequestTimedOut, (int)delay.TotalMilliseconds), count).ToArray();
        ((MockTestCluster)cluster).Mock.PushBrokerRequestErrors(1, ApiKey.Produce, errors);
        return new NoopDisposable();
    }

    private sealed class NoopDisposable : IDisposable
    {
        public void Dispose() { }
    }

    protected override Task<ITestCluster> StartClusterAsync(int brokers = 1) => Task.FromResult<ITestCluster>(new MockTestCluster(brokers));

    // The CLI demo put user-1..user-3 all on partition 2 of 3; librdkafka's murmur2_random (Java's
    // partitioner) does the same, so that is the correct placement, not a skew.
    [Fact]
    public async Task Demo_keys_user_1_to_3_land_on_partition_2_of_3_like_kcat_murmur2_random()
    {
        await using var cluster = new MockTestCluster(1);
        cluster.CreateTopic("p-demo-samsa", partitions: 3);
        cluster.CreateTopic("p-demo-kcat", partitions: 3);
        string[] keys = ["user-1", "user-2", "user-3"];
        await using (var producer = Create(cluster))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var results = await Task.WhenAll(keys.Select(k => producer.ProduceAsync("p-demo-samsa", k, "v", cts.Token))).WaitAsync(cts.Token);
            Assert.All(results, r => Assert.Equal(2, r.Partition));
        }
        await Kcat.ProduceAsync(cluster.BootstrapServers, "p-demo-kcat", keys.Select(k => k + ":v"), keyDelimiter: ":",
            extraArgs: ["-X", "partitioner=murmur2_random"]);
        var kcat = (await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-demo-kcat", keys.Length, "%k %p\\n")).Lines.Order().ToList();
        var samsa = (await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-demo-samsa", keys.Length, "%k %p\\n")).Lines.Order().ToList();
        Assert.Equal(["user-1 2", "user-2 2", "user-3 2"], kcat);
        Assert.Equal(kcat, samsa);
    }
}
