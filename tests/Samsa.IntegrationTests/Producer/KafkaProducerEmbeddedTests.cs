using System.Globalization;
using Samsa.Broker.Faults;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Protocol.Compression;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Producer;

/// <summary>
/// The producer suite against our embedded broker, plus what only it can prove: it enforces
/// idempotent sequence numbers (so the retry test runs with 5 requests in flight) and restarts a
/// broker on the same port.
/// </summary>
public sealed class KafkaProducerEmbeddedTests(ITestOutputHelper output) : KafkaProducerSuite(output)
{
    protected override int RetryTestMaxInFlight => 5;

    protected override bool BrokerChecksSequences => true;

    // The request is really written, only late: the client has timed it out and retried by then, so
    // the broker sees the batch twice and must answer the second copy DUPLICATE_SEQUENCE_NUMBER.
    protected override IDisposable DelayNextProduceRequests(ITestCluster cluster, int count, TimeSpan delay)
    {
        int left = count;
        return ((EmbeddedTestCluster)cluster).Cluster.Faults.Intercept(Samsa.Protocol.ApiKey.Produce,
            (_, _) => Interlocked.Decrement(ref left) >= 0 ? InterceptDecision.DelayBy(delay) : null);
    }

    protected override async Task<ITestCluster> StartClusterAsync(int brokers = 1) => await EmbeddedTestCluster.StartAsync(brokers);

    private KafkaConsumer<string?, string?> CreateConsumer(ITestCluster cluster) =>
        new(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
        }, Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(Output));

    private static List<ConsumeResult<string?, string?>> ReadAll(KafkaConsumer<string?, string?> consumer, int count)
    {
        var result = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + TestTimeout;
        while (result.Count < count && DateTime.UtcNow < deadline) result.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(100)));
        return result;
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Records_are_read_back_intact_by_the_samsa_consumer(CompressionType compression)
    {
        await using var cluster = await StartClusterAsync();
        string topic = "pc-" + compression.ToString().ToLowerInvariant();
        cluster.CreateTopic(topic, partitions: 1);
        await using (var producer = Create(cluster, c => c.CompressionType = compression))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = Enumerable.Range(0, 200).Select(i => producer.ProduceAsync(topic,
                new ProducerRecord<string, string>($"k{i}", $"v{i}-" + new string('y', i % 60)) { Headers = new Headers().Add("h", $"{i}") }, cts.Token)).ToList();
            await Task.WhenAll(tasks).WaitAsync(cts.Token);
        }
        using var consumer = CreateConsumer(cluster);
        consumer.Assign([new TopicPartition(topic, 0)]);
        var read = ReadAll(consumer, 200);
        Assert.Equal(200, read.Count);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(i, read[i].Offset);
            Assert.Equal($"k{i}", read[i].Key);
            Assert.Equal($"v{i}-" + new string('y', i % 60), read[i].Value);
        }
    }

    [Fact]
    public async Task Idempotent_producer_with_five_in_flight_keeps_order_across_injected_errors_on_a_sequence_checking_broker()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-seq", partitions: 2);
        const int count = 600;
        // A little latency per Produce gives the sender time to put several requests in flight.
        using var slow = ((EmbeddedTestCluster)cluster).Cluster.Faults.AddLatency(Samsa.Protocol.ApiKey.Produce, TimeSpan.FromMilliseconds(2));
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlightRequestsPerConnection = 5;
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.BatchSize = 512; // many small batches, so several requests really are in flight
            c.Linger = TimeSpan.Zero;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>(count);
            for (int i = 0; i < count; i++)
            {
                // Errors land mid-stream; any request of the partition already in flight behind the
                // failed one reaches a broker that checks sequences (OUT_OF_ORDER_SEQUENCE_NUMBER on a gap).
                if (i % 150 == 75)
                {
                    await tasks[i - 60].WaitAsync(cts.Token); // the stream is flowing, records behind it are queued
                    cluster.PushRequestErrors(Samsa.Protocol.ApiKey.Produce, Samsa.Protocol.ErrorCode.NotLeaderOrFollower, Samsa.Protocol.ErrorCode.RequestTimedOut);
                }
                tasks.Add(producer.ProduceAsync("p-seq", new ProducerRecord<string, string>(null!, i.ToString(CultureInfo.InvariantCulture)) { Partition = i % 2 }, cts.Token));
                if (i % 10 == 0) await Task.Delay(1, cts.Token);
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            for (int p = 0; p < 2; p++)
                Assert.Equal(Enumerable.Range(0, count / 2).Select(i => (long)i), results.Where(r => r.Partition == p).Select(r => r.Offset));
        }
        using var consumer = CreateConsumer(cluster);
        consumer.Assign([new TopicPartition("p-seq", 0), new TopicPartition("p-seq", 1)]);
        var read = ReadAll(consumer, count);
        Assert.Equal(count, read.Count);
        for (int p = 0; p < 2; p++)
        {
            var expected = Enumerable.Range(0, count).Where(i => i % 2 == p).Select(i => i.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected, read.Where(r => r.Partition == p).Select(r => r.Value));
        }
    }
}
