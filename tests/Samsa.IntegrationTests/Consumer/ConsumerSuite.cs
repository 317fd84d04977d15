using System.Text;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>KafkaConsumer against a test cluster (mock or embedded, see the subclasses), with kcat as the producer.</summary>
public abstract class ConsumerSuite(ITestOutputHelper output)
{
    protected abstract Task<ITestCluster> StartClusterAsync();

    static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(15);

    KafkaConsumer<string?, string?> Create(string bootstrap, string? groupId = null, Func<ConsumerConfig, ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = TimeSpan.FromSeconds(6),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
        };
        if (configure is not null) config = configure(config);
        return new KafkaConsumer<string?, string?>(config, Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(output));
    }

    static List<ConsumeResult<string?, string?>> ConsumeUntil(KafkaConsumer<string?, string?> consumer, int count, TimeSpan timeout)
    {
        var result = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + timeout;
        while (result.Count < count && DateTime.UtcNow < deadline)
        {
            var batch = consumer.Poll(TimeSpan.FromMilliseconds(200));
            result.AddRange(batch);
        }
        return result;
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Every_record_kcat_writes_is_consumed_byte_identical_and_in_order(string compression)
    {
        await using var cluster = await StartClusterAsync();
        var topic = "c-" + compression;
        cluster.CreateTopic(topic, partitions: 2);
        var lines = Enumerable.Range(0, 300).Select(i => $"k{i % 7}|value-{i}-{new string('x', i % 50)}").ToList();
        foreach (var p in new[] { 0, 1 })
        {
            (await Kcat.ProduceAsync(cluster.BootstrapServers, topic, lines, partition: p, keyDelimiter: "|", compression: compression,
                headers: [new("h1", "one"), new("h2", "two-" + compression)], extraArgs: ["-X", "linger.ms=5"])).EnsureSuccess();
        }

        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition(topic, 0), new TopicPartition(topic, 1)]);
        var records = ConsumeUntil(consumer, lines.Count * 2, TestTimeout);
        Assert.Equal(lines.Count * 2, records.Count);
        foreach (var p in new[] { 0, 1 })
        {
            var mine = records.Where(r => r.Partition == p).ToList();
            Assert.Equal(Enumerable.Range(0, lines.Count).Select(i => (long)i), mine.Select(r => r.Offset));
            for (var i = 0; i < lines.Count; i++)
            {
                var parts = lines[i].Split('|');
                Assert.Equal(parts[0], mine[i].Key);
                Assert.Equal(parts[1], mine[i].Value);
                Assert.Equal(["h1", "h2"], mine[i].Headers.Select(h => h.Key));
                Assert.Equal("two-" + compression, Encoding.UTF8.GetString(mine[i].Headers[1].Value!));
            }
        }
        Assert.Equal(lines.Count, consumer.Position(new TopicPartition(topic, 0)));
    }

    [Fact]
    public async Task CurrentLag_is_unknown_at_first_then_answered_by_its_own_end_offset_request()
    {
        await using var cluster = await StartClusterAsync();
        const string topic = "current-lag";
        cluster.CreateTopic(topic, partitions: 1);
        var lines = Enumerable.Range(0, 5).Select(i => $"v{i}").ToList();
        (await Kcat.ProduceAsync(cluster.BootstrapServers, topic, lines, partition: 0)).EnsureSuccess();

        using var consumer = Create(cluster.BootstrapServers);
        var tp = new TopicPartition(topic, 0);
        consumer.Assign([tp]);
        consumer.Seek(tp, 2);
        // Paused, the partition is never fetched: only CurrentLag's ListOffsets can learn its end.
        consumer.Pause([tp]);
        Assert.Null(consumer.CurrentLag(tp));

        long? lag = null;
        for (var i = 0; i < 150 && lag is null; i++)
        {
            Assert.Empty(consumer.Poll(TimeSpan.FromMilliseconds(100)));
            lag = consumer.CurrentLag(tp);
        }
        Assert.Equal(3, lag);
    }
}
