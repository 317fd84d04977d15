using System.Globalization;
using Samsa.Client.Producer;
using Samsa.IntegrationTests.Clusters;
using Samsa.Protocol;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Producer;

/// <summary>
/// Faults injected while records stream (issue 4): request timeouts, a broker going down and coming
/// back, and a broker down for longer than delivery.timeout.ms. The idempotent producer must deliver
/// every record exactly once and in order per partition, or fail it with a clear timeout error; what
/// it reports is checked against what kcat reads back.
/// </summary>
public abstract partial class KafkaProducerSuite
{
    /// <summary>
    /// Whether the broker rejects duplicate and out-of-order idempotent sequences. librdkafka 2.0.2's
    /// mock checks sequences only for transactional producers and appends an idempotent retry of a
    /// batch it already wrote, so on it a fault must not hit a request whose write may have happened.
    /// </summary>
    protected abstract bool BrokerChecksSequences { get; }

    /// <summary>
    /// Makes the next <paramref name="count"/> produce requests outlast <paramref name="delay"/> (longer
    /// than the producer's request.timeout.ms) so the client times them out.
    /// </summary>
    protected abstract IDisposable DelayNextProduceRequests(ITestCluster cluster, int count, TimeSpan delay);

    private static string Value(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static async Task<List<string>> ReadPartitionAsync(ITestCluster cluster, string topic, int partition, int expected) =>
        [.. (await Kcat.ConsumeAsync(cluster.BootstrapServers, topic, expected + 10, "%s\\n", partition: partition)).Lines];

    // Records 0..count-1 were produced with partition i % 2: each partition acknowledges its half at offsets 0, 1, ...
    private static void AssertAcknowledgedInOrder(DeliveryResult[] results, int count)
    {
        for (int p = 0; p < 2; p++)
            Assert.Equal(Enumerable.Range(0, count / 2).Select(i => (long)i), results.Where(r => r.Partition == p).Select(r => r.Offset));
    }

    // ...and kcat reads each partition's half back once, in produce order.
    private static async Task AssertReadBackOnceInOrderAsync(ITestCluster cluster, string topic, int count)
    {
        for (int p = 0; p < 2; p++)
        {
            var expected = Enumerable.Range(0, count).Where(i => i % 2 == p).Select(Value);
            Assert.Equal(expected, await ReadPartitionAsync(cluster, topic, p, count / 2));
        }
    }

    [Fact]
    public async Task Request_timeouts_mid_stream_deliver_every_record_once_in_order()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-req-timeout", partitions: 2);
        const int count = 400;
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
            c.RequestTimeout = TimeSpan.FromMilliseconds(1000);
            c.DeliveryTimeout = TimeSpan.FromSeconds(12);
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.ReconnectBackoff = TimeSpan.FromMilliseconds(10);
            c.BatchSize = 512; // many small batches, so several requests are in flight when one times out
            c.Linger = TimeSpan.Zero;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>(count);
            IDisposable? delay = null;
            try
            {
                for (int i = 0; i < count; i++)
                {
                    if (i == 150)
                    {
                        await tasks[100].WaitAsync(cts.Token); // the stream is flowing
                        // On a sequence-checking broker the delayed requests are really written after
                        // the client gave up on them, so the retries come back DUPLICATE_SEQUENCE_NUMBER
                        // (success) or as OUT_OF_ORDER retries behind them.
                        delay = DelayNextProduceRequests(cluster, 2, TimeSpan.FromMilliseconds(1500));
                    }
                    tasks.Add(producer.ProduceAsync("p-req-timeout", new ProducerRecord<string, string>(null!, Value(i)) { Partition = i % 2 }, cts.Token));
                    if (i % 10 == 0) await Task.Delay(1, cts.Token);
                }
                var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
                AssertAcknowledgedInOrder(results, count);
            }
            finally
            {
                delay?.Dispose();
            }
        }
        await AssertReadBackOnceInOrderAsync(cluster, "p-req-timeout", count);
    }

    [Fact]
    public async Task Broker_down_then_up_mid_stream_delivers_every_record_once_in_order()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-down-up", partitions: 2);
        const int count = 400;
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
            c.RetryBackoff = TimeSpan.FromMilliseconds(20);
            c.ReconnectBackoff = TimeSpan.FromMilliseconds(20);
            c.ReconnectBackoffMax = TimeSpan.FromMilliseconds(100);
            c.BatchSize = 512;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>(count);
            for (int i = 0; i < count; i++)
            {
                if (i == 150)
                {
                    // On the mock a request written just before the connection drops would be appended
                    // again on retry (it ignores idempotent sequences), so it goes down between requests;
                    // the embedded broker goes down with requests in flight.
                    if (!BrokerChecksSequences) await Task.WhenAll(tasks).WaitAsync(cts.Token);
                    await cluster.SetBrokerDownAsync(1);
                }
                if (i == 250)
                {
                    await Task.Delay(300, cts.Token); // records 150..249 wait for the broker, queued or retrying
                    await cluster.SetBrokerUpAsync(1);
                }
                tasks.Add(producer.ProduceAsync("p-down-up", new ProducerRecord<string, string>(null!, Value(i)) { Partition = i % 2 }, cts.Token));
                if (i % 10 == 0) await Task.Delay(1, cts.Token);
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            AssertAcknowledgedInOrder(results, count);
        }
        await AssertReadBackOnceInOrderAsync(cluster, "p-down-up", count);
    }

    [Fact]
    public async Task Broker_down_longer_than_delivery_timeout_fails_every_record_with_a_clear_timeout_error_and_drops_none()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-down-long", partitions: 1);
        const int perPhase = 30;
        await using var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.Linger = TimeSpan.Zero;
            c.RequestTimeout = TimeSpan.FromMilliseconds(1000);
            c.DeliveryTimeout = TimeSpan.FromMilliseconds(2000);
            c.RetryBackoff = TimeSpan.FromMilliseconds(20);
            c.ReconnectBackoff = TimeSpan.FromMilliseconds(20);
            c.ReconnectBackoffMax = TimeSpan.FromMilliseconds(100);
        });
        using var cts = new CancellationTokenSource(TestTimeout);
        var before = await Task.WhenAll(Enumerable.Range(0, perPhase).Select(i => producer.ProduceAsync("p-down-long", "k", "before-" + Value(i), cts.Token)))
            .WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(0, perPhase).Select(i => (long)i), before.Select(r => r.Offset));

        await cluster.SetBrokerDownAsync(1);
        var down = Enumerable.Range(0, perPhase).Select(i => producer.ProduceAsync("p-down-long", "k", "down-" + Value(i), cts.Token)).ToList();
        foreach (var task in down)
        {
            // Every record completes (nothing is silently dropped), each with the timeout and its setting named.
            var e = await Assert.ThrowsAsync<ProduceException>(() => task.WaitAsync(cts.Token));
            Assert.Equal(ErrorCode.RequestTimedOut, e.Code);
            Assert.IsType<KafkaTimeoutException>(e.InnerException);
            Assert.Contains("delivery.timeout.ms=2000", e.Message, StringComparison.Ordinal);
            Assert.Equal("p-down-long", e.DeliveryResult.Topic);
        }

        // The producer is still usable when the broker returns, and the failed records were never written.
        await cluster.SetBrokerUpAsync(1);
        var after = await Task.WhenAll(Enumerable.Range(0, perPhase).Select(i => producer.ProduceAsync("p-down-long", "k", "after-" + Value(i), cts.Token)))
            .WaitAsync(cts.Token);
        Assert.Equal(Enumerable.Range(perPhase, perPhase).Select(i => (long)i), after.Select(r => r.Offset));
        var expected = Enumerable.Range(0, perPhase).Select(i => "before-" + Value(i)).Concat(Enumerable.Range(0, perPhase).Select(i => "after-" + Value(i)));
        Assert.Equal(expected, await ReadPartitionAsync(cluster, "p-down-long", 0, 2 * perPhase));
    }

    [Fact]
    public async Task Permanent_error_mid_stream_fails_only_that_batch_and_every_other_record_arrives_once_in_order()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-permanent", partitions: 1);
        const int count = 300;
        var delivered = new List<(int Index, long Offset)>();
        var failed = new List<int>();
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.BatchSize = 512;
            c.Linger = TimeSpan.Zero;
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>(count);
            for (int i = 0; i < count; i++)
            {
                if (i == 150)
                {
                    await tasks[100].WaitAsync(cts.Token);
                    // The broker rejects one request for good; the batches in flight behind it meet a sequence
                    // gap (OUT_OF_ORDER_SEQUENCE_NUMBER on a sequence-checking broker) until the epoch is bumped.
                    cluster.PushRequestErrors(ApiKey.Produce, ErrorCode.InvalidRecord);
                }
                tasks.Add(producer.ProduceAsync("p-permanent", new ProducerRecord<string, string>(null!, Value(i)), cts.Token));
                if (i % 10 == 0) await Task.Delay(1, cts.Token);
            }
            for (int i = 0; i < count; i++)
            {
                try
                {
                    delivered.Add((i, (await tasks[i].WaitAsync(cts.Token)).Offset));
                }
                catch (ProduceException e) when (e.Code == ErrorCode.InvalidRecord)
                {
                    failed.Add(i);
                }
            }
        }
        // Exactly one batch (consecutive records) failed; every other record got the next offset, in order.
        Assert.NotEmpty(failed);
        Assert.Equal(Enumerable.Range(failed[0], failed.Count), failed);
        Assert.Equal(count, delivered.Count + failed.Count);
        Assert.Equal(Enumerable.Range(0, delivered.Count).Select(i => (long)i), delivered.Select(d => d.Offset));
        Assert.Equal(delivered.Select(d => Value(d.Index)), await ReadPartitionAsync(cluster, "p-permanent", 0, delivered.Count));
    }

    [Fact]
    public async Task Message_too_large_mid_stream_splits_the_batch_and_delivers_every_record_once_in_order()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("p-split", partitions: 1);
        const int bursts = 12, perBurst = 25;
        await using (var producer = Create(cluster, c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlightRequestsPerConnection = RetryTestMaxInFlight;
            c.RetryBackoff = TimeSpan.FromMilliseconds(10);
            c.Linger = TimeSpan.FromMilliseconds(20); // each burst becomes one batch of many records
        }))
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            var tasks = new List<Task<DeliveryResult>>(bursts * perBurst);
            for (int burst = 0; burst < bursts; burst++)
            {
                if (burst == bursts / 2)
                {
                    await tasks[^1].WaitAsync(cts.Token);
                    // The next produce request is rejected as too large: its batch is split, keeping its
                    // sequences, and must still go out before the batches numbered after it.
                    cluster.PushRequestErrors(ApiKey.Produce, ErrorCode.MessageTooLarge);
                }
                for (int j = 0; j < perBurst; j++)
                    tasks.Add(producer.ProduceAsync("p-split", new ProducerRecord<string, string>(null!, Value(tasks.Count)), cts.Token));
                await Task.Delay(5, cts.Token);
            }
            var results = await Task.WhenAll(tasks).WaitAsync(cts.Token);
            Assert.Equal(Enumerable.Range(0, tasks.Count).Select(i => (long)i), results.Select(r => r.Offset));
        }
        Assert.Equal(Enumerable.Range(0, bursts * perBurst).Select(Value), await ReadPartitionAsync(cluster, "p-split", 0, bursts * perBurst));
    }
}
