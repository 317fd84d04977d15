using Samsa.Client.Metadata;
using Samsa.IntegrationTests.Clusters;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The <see cref="ConsumerBehaviourSuite"/> tests against our embedded broker.</summary>
public sealed class ConsumerBehaviourEmbeddedTests(ITestOutputHelper output) : ConsumerBehaviourSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await EmbeddedTestCluster.StartAsync(1);

    // Embedded only: librdkafka 2.0.2's mock does not look up timestamps (a ListOffsets for
    // timestamp 0 finds no offset there); it answers only earliest and latest.
    [Fact]
    public async Task Offsets_for_times_finds_the_first_record_at_or_after_each_timestamp()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("oft", partitions: 1);
        var tp = new TopicPartition("oft", 0);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "oft", ["a", "b"])).EnsureSuccess();
        // A later producer run stamps a later create time (the clock moves on between the runs).
        await Task.Delay(20);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "oft", ["c"])).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([tp]);
        var records = PollUntil(consumer, 3);
        Assert.Equal(["a", "b", "c"], records.Select(r => r.Value));
        Assert.True(records[2].Timestamp > records[1].Timestamp, $"timestamps {records[1].Timestamp} and {records[2].Timestamp}");

        var atStart = consumer.OffsetsForTimes(new Dictionary<TopicPartition, long> { [tp] = 0 })[tp];
        Assert.Equal(0, atStart!.Offset);
        var atLast = consumer.OffsetsForTimes(new Dictionary<TopicPartition, long> { [tp] = records[2].Timestamp })[tp];
        Assert.Equal(2, atLast!.Offset);
        Assert.Equal(records[2].Timestamp, atLast.Timestamp);
        // No record that late: Java's null.
        Assert.Null(consumer.OffsetsForTimes(new Dictionary<TopicPartition, long> { [tp] = records[2].Timestamp + 3_600_000 })[tp]);
    }
}
