using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Network;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>
/// ListOffsets over several partitions in one request against librdkafka 2.0.2's mock cluster,
/// whose v4/v5 responses misalign every partition after the first (the consumer must ask at v3).
/// </summary>
public sealed class ConsumerListOffsetsMockClusterTests(ITestOutputHelper output)
{
    const string Topic = "lo4";
    const int Partitions = 4;
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    KafkaConsumer<string?, string?> Create(string bootstrap, AutoOffsetReset reset) =>
        new(new ConsumerConfig { BootstrapServers = bootstrap, AutoOffsetReset = reset, FetchMaxWait = TimeSpan.FromMilliseconds(100) },
            Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(output));

    static TopicPartition[] AllPartitions() => [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p))];

    // Partition p holds p + 2 records "p-0" .. "p-(p+1)", so every partition has a different end offset.
    static async Task<MockCluster> ClusterWithRecordsAsync()
    {
        var cluster = new MockCluster(1);
        cluster.CreateTopic(Topic, partitions: Partitions);
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            (await Kcat.ProduceAsync(cluster.BootstrapServers, Topic, Enumerable.Range(0, p + 2).Select(i => $"{partition}-{i}"), partition: p)).EnsureSuccess();
        }
        return cluster;
    }

    static Dictionary<int, List<string?>> ConsumeByPartition(KafkaConsumer<string?, string?> consumer, int count)
    {
        var byPartition = new Dictionary<int, List<string?>>();
        var seen = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (seen < count && DateTime.UtcNow < deadline)
        {
            foreach (var r in consumer.Poll(TimeSpan.FromMilliseconds(200)))
            {
                if (!byPartition.TryGetValue(r.Partition, out var list)) byPartition[r.Partition] = list = [];
                list.Add(r.Value);
                seen++;
            }
        }
        return byPartition;
    }

    [Fact]
    public async Task Earliest_reset_over_four_partitions_reads_every_partition_from_its_start()
    {
        using var cluster = await ClusterWithRecordsAsync();
        using var consumer = Create(cluster.BootstrapServers, AutoOffsetReset.Earliest);
        consumer.Assign(AllPartitions());
        var byPartition = ConsumeByPartition(consumer, Enumerable.Range(0, Partitions).Sum(p => p + 2));
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            Assert.Equal(Enumerable.Range(0, p + 2).Select(i => $"{partition}-{i}"), byPartition.GetValueOrDefault(p) ?? []);
        }
    }

    [Fact]
    public async Task Latest_reset_over_four_partitions_starts_each_at_its_end_and_reads_only_new_records()
    {
        using var cluster = await ClusterWithRecordsAsync();
        using var consumer = Create(cluster.BootstrapServers, AutoOffsetReset.Latest);
        consumer.Assign(AllPartitions());
        foreach (var tp in AllPartitions())
            Assert.Equal(tp.Partition + 2, consumer.Position(tp, Timeout));
        for (var p = 0; p < Partitions; p++)
            (await Kcat.ProduceAsync(cluster.BootstrapServers, Topic, [$"new-{p}"], partition: p)).EnsureSuccess();
        var byPartition = ConsumeByPartition(consumer, Partitions);
        for (var p = 0; p < Partitions; p++)
            Assert.Equal([$"new-{p}"], byPartition.GetValueOrDefault(p) ?? []);
    }

    [Fact]
    public async Task End_and_beginning_offsets_and_SeekToEnd_over_four_partitions_match_each_partition()
    {
        using var cluster = await ClusterWithRecordsAsync();
        using var consumer = Create(cluster.BootstrapServers, AutoOffsetReset.Earliest);
        var all = AllPartitions();

        var end = consumer.EndOffsets(all, Timeout);
        var beginning = consumer.BeginningOffsets(all, Timeout);
        Assert.Equal(Partitions, end.Count);
        Assert.Equal(Partitions, beginning.Count);
        foreach (var tp in all)
        {
            Assert.Equal(tp.Partition + 2, end[tp]);
            Assert.Equal(0, beginning[tp]);
        }

        consumer.Assign(all);
        consumer.SeekToEnd(all);
        foreach (var tp in all)
            Assert.Equal(tp.Partition + 2, consumer.Position(tp, Timeout));
    }
}
