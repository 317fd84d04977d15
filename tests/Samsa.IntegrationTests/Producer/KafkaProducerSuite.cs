using System.Text;
using Samsa.Client.Producer;
using Samsa.Client.Producer.Partitioners;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Producer;

/// <summary>
/// KafkaProducer against a test cluster, read back with kcat (software we did not write). Runs on
/// librdkafka's mock cluster and on our embedded broker (the concrete subclasses).
/// </summary>
public abstract partial class KafkaProducerSuite(ITestOutputHelper output)
{
    protected static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(15);

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Starts a fresh cluster of <paramref name="brokers"/> brokers.</summary>
    protected abstract Task<ITestCluster> StartClusterAsync(int brokers = 1);

    /// <summary>
    /// max.in.flight for the retry test. librdkafka 2.0.2's mock broker does not reject out-of-order
    /// sequence numbers, which is what keeps order with 5 requests in flight on a real broker, so the
    /// mock runs with 1; the embedded broker enforces sequences and runs with 5.
    /// </summary>
    protected abstract int RetryTestMaxInFlight { get; }

    protected KafkaProducer<string, string> Create(ITestCluster cluster, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, ClientId = "producer-it", Linger = TimeSpan.FromMilliseconds(5) };
        configure?.Invoke(config);
        return new KafkaProducer<string, string>(config, Serializers.Utf8, Serializers.Utf8, new TestOutputLoggerFactory(Output));
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Records_are_read_back_intact_by_kcat(CompressionType compression)
    {
        await using var cluster = await StartClusterAsync();
        string topic = "p-codec-" + compression.ToString().ToLowerInvariant();
        cluster.CreateTopic(topic, partitions: 1);
        var baseTime = DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000);
        await using (var producer = Create(cluster, c => c.CompressionType = compression))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>();
            for (int i = 0; i < 50; i++)
            {
                var record = new ProducerRecord<string, string>($"key-{i}", $"value-{i}-" + new string('x', i))
                {
                    Headers = new Headers().Add("h", $"hv{i}"),
                    Timestamp = baseTime.AddMilliseconds(i),
                };
                tasks.Add(producer.ProduceAsync(topic, record, cts.Token));
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), results.Select(r => r.Offset));
            Assert.All(results, r => Assert.Equal(topic, r.Topic));
        }

        var read = await Kcat.ConsumeAsync(cluster.BootstrapServers, topic, 50, "%k|%s|%h|%T\\n");
        var lines = read.Lines;
        Assert.Equal(50, lines.Count);
        for (int i = 0; i < 50; i++)
            Assert.Equal($"key-{i}|value-{i}-{new string('x', i)}|h=hv{i}|{baseTime.ToUnixTimeMilliseconds() + i}", lines[i]);
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task Every_acks_setting_delivers(Acks acks)
    {
        await using var cluster = await StartClusterAsync();
        string topic = "p-acks-" + (short)acks;
        cluster.CreateTopic(topic, partitions: 2);
        await using (var producer = Create(cluster, c => c.Acks = acks))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(topic, new ProducerRecord<string, string>(null!, $"v{i}") { Partition = i % 2 }, cts.Token)).ToList();
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            if (acks == Acks.None) Assert.All(results, r => Assert.Equal(-1, r.Offset));
            else Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), results.Where(r => r.Partition == 0).Select(r => r.Offset));
        }
        var read = await Kcat.ConsumeAsync(cluster.BootstrapServers, topic, 20, "%s\\n");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}").Order(), read.Lines.Order());
    }

    [Fact]
    public async Task Keyed_records_land_where_librdkafka_murmur2_random_puts_them()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-keys-samsa", partitions: 7);
        cluster.CreateTopic("p-keys-kcat", partitions: 7);
        var keys = Enumerable.Range(0, 40).Select(i => $"user-{i * 7919}").ToList();
        await using (var producer = Create(cluster))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var results = await Task.WhenAll(keys.Select(k => producer.ProduceAsync("p-keys-samsa", k, "v", cts.Token))).WaitAsync(cts.Token);
            for (int i = 0; i < keys.Count; i++)
                Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(keys[i]), 7), results[i].Partition);
        }
        await Kcat.ProduceAsync(cluster.BootstrapServers, "p-keys-kcat", keys.Select(k => k + ":v"), keyDelimiter: ":",
            extraArgs: ["-X", "partitioner=murmur2_random"]);
        var samsa = (await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-keys-samsa", keys.Count, "%k %p\\n")).Lines.Order().ToList();
        var kcat = (await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-keys-kcat", keys.Count, "%k %p\\n")).Lines.Order().ToList();
        Assert.Equal(kcat, samsa);
    }

    [Fact]
    public async Task Not_leader_errors_mid_stream_still_deliver_every_record_once_in_order()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-retry", partitions: 1);
        const int count = 300;
        // Idempotence keeps retries from duplicating; sequence numbers (or one request in flight on the
        // mock, see RetryTestMaxInFlight) keep the order.
        await using (var producer = Create(cluster, c =>
        {
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>();
            for (int i = 0; i < count; i++)
            {
                if (i == 100)
                {
                    await Task.WhenAll(tasks).WaitAsync(cts.Token);
                    cluster.PushRequestErrors(ApiKey.Produce, ErrorCode.NotLeaderOrFollower, ErrorCode.NotLeaderOrFollower, ErrorCode.RequestTimedOut);
                }
                tasks.Add(producer.ProduceAsync("p-retry", new ProducerRecord<string, string>(null!, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cts.Token));
                if (i % 10 == 0) await Task.Delay(1, cts.Token);
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), results.Select(r => r.Offset));
        }
        var read = await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-retry", count + 10, "%s\\n");
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), read.Lines);
    }

    [Fact]
    public async Task Leader_move_mid_stream_delivers_every_record_once_in_order()
    {
        await using var cluster = await StartClusterAsync(brokers: 2);
        cluster.CreateTopic("p-move", partitions: 1);
        cluster.MoveLeader("p-move", 0, 1);
        const int count = 200;
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>();
            for (int i = 0; i < count; i++)
            {
                if (i == count / 2)
                {
                    await Task.WhenAll(tasks).WaitAsync(cts.Token);
                    cluster.MoveLeader("p-move", 0, 2);
                }
                tasks.Add(producer.ProduceAsync("p-move", new ProducerRecord<string, string>(null!, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), cts.Token));
                if (i % 10 == 0) await Task.Delay(1, cts.Token);
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), results.Select(r => r.Offset));
        }
        var read = await Kcat.ConsumeAsync(cluster.BootstrapServers, "p-move", count + 10, "%s\\n");
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), read.Lines);
    }

    [Fact]
    public async Task Broker_down_fails_records_after_delivery_timeout_with_a_clear_error()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-down", partitions: 1);
        await using var producer = Create(cluster, c =>
        {
            c.RequestTimeout = TimeSpan.FromMilliseconds(1000);
            c.Linger = TimeSpan.Zero;
            c.DeliveryTimeout = TimeSpan.FromMilliseconds(2000);
        });
        using var cts = new CancellationTokenSource(TestTimeout);
        var first = await producer.ProduceAsync("p-down", "k", "before", cts.Token);
        Assert.Equal(0, first.Offset);
        await cluster.SetBrokerDownAsync(1);
        var e = await Assert.ThrowsAsync<ProduceException>(() => producer.ProduceAsync("p-down", "k", "after", cts.Token).WaitAsync(cts.Token));
        Assert.Contains("delivery.timeout.ms", e.Message + e.InnerException?.Message);
    }

    [Fact]
    public async Task Forced_close_fails_buffered_records_with_a_clear_error()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-close", partitions: 1);
        var producer = Create(cluster, c => c.Linger = TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource(TestTimeout);
        await producer.ProduceAsync("p-close", "k", "warm-up", cts.Token).WaitAsync(cts.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        var pending = producer.ProduceAsync("p-close", "k", "never-sent", cts.Token);
        producer.Close(TimeSpan.Zero);
        var e = await Assert.ThrowsAsync<ProduceException>(() => pending.WaitAsync(cts.Token));
        Assert.Contains("closed forcefully", e.Message);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => producer.ProduceAsync("p-close", "k", "late", cts.Token));
    }

    [Fact]
    public async Task Records_produced_while_the_first_waits_for_metadata_are_appended_without_waiting_for_its_delivery()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-chain", partitions: 1);
        await using var producer = Create(cluster, c => c.Linger = TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TestTimeout);
        // The first call has no metadata yet, so it and the calls behind it queue in call order; each
        // must be appended as soon as its turn comes, not after the record before it was delivered
        // (which, with this linger, would hold the second record for 30 s).
        var tasks = Enumerable.Range(0, 50).Select(i => producer.ProduceAsync("p-chain", "k", $"v{i}", cts.Token)).ToList();
        var tp = new Samsa.Client.Metadata.TopicPartition("p-chain", 0);
        while (producer.Accumulator.QueuedBatches(tp).Sum(b => b.RecordCount) < 50)
            await Task.Delay(10, cts.Token);
        Assert.Single(producer.Accumulator.QueuedBatches(tp));
        await producer.FlushAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), (await Task.WhenAll(tasks).WaitAsync(cts.Token)).Select(r => r.Offset));
    }

    [Fact]
    public async Task Flush_sends_lingering_records()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-flush", partitions: 1);
        await using var producer = Create(cluster, c => c.Linger = TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TestTimeout);
        var handler = new CountingHandler();
        producer.Produce("p-flush", new ProducerRecord<string, string>("k", "v1"), handler);
        producer.Produce("p-flush", new ProducerRecord<string, string>("k", "v2"), handler);
        await producer.FlushAsync(cts.Token);
        Assert.Equal(2, handler.Delivered);
        Assert.Equal(0, handler.Failed);
    }

    private sealed class CountingHandler : IDeliveryHandler
    {
        public int Delivered;
        public int Failed;

        public void OnDelivery(in DeliveryResult result, Exception? error)
        {
            if (error is null) Interlocked.Increment(ref Delivered);
            else Interlocked.Increment(ref Failed);
        }
    }
}
