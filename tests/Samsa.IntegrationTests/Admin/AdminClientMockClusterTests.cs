using Samsa.Client.Admin;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Admin;

/// <summary>The admin client against librdkafka's mock cluster, a broker with its own quirks.</summary>
public class AdminClientMockClusterTests
{
    [Fact]
    public async Task ListOffsets_over_many_partitions_and_leaders_is_exact()
    {
        using var mock = new MockCluster(3);
        mock.CreateTopic("many", 6, 3);
        for (var p = 0; p < 6; p++)
            await Kcat.ProduceAsync(mock.BootstrapServers, "many", Enumerable.Range(0, p + 1).Select(i => $"v{i}"), partition: p);

        await using var admin = new AdminClient(new AdminOptions { BootstrapServers = mock.BootstrapServers, DefaultApiTimeout = TimeSpan.FromSeconds(10) });
        var specs = Enumerable.Range(0, 6).ToDictionary(p => new TopicPartition("many", p), _ => OffsetSpec.Latest);
        var latest = await admin.ListOffsetsAsync(specs);
        Assert.Equal([1L, 2, 3, 4, 5, 6], Enumerable.Range(0, 6).Select(p => latest[new("many", p)].Offset));
    }

    [Fact]
    public async Task Group_offsets_are_read_even_where_all_partitions_cannot_be_asked_for()
    {
        using var mock = new MockCluster(1);
        mock.CreateTopic("g-topic", 2, 1);
        await Kcat.ProduceAsync(mock.BootstrapServers, "g-topic", ["a", "b"], partition: 0);
        await Kcat.RunAsync(["-b", mock.BootstrapServers, "-G", "mock-g", "-X", "auto.offset.reset=earliest", "-e", "-q", "g-topic"]);

        await using var admin = new AdminClient(new AdminOptions { BootstrapServers = mock.BootstrapServers, DefaultApiTimeout = TimeSpan.FromSeconds(10) });
        var committed = await admin.ListConsumerGroupOffsetsAsync("mock-g");
        Assert.Equal(2, committed[new("g-topic", 0)].Offset);
        Assert.False(committed.ContainsKey(new("g-topic", 1)));
    }

    [Fact]
    public async Task Metadata_and_cluster_come_back_without_DescribeCluster()
    {
        using var mock = new MockCluster(3);
        mock.CreateTopic("m", 3, 3);
        await using var admin = new AdminClient(new AdminOptions { BootstrapServers = mock.BootstrapServers });
        var cluster = await admin.DescribeClusterAsync();
        Assert.Equal(3, cluster.Brokers.Count);
        var metadata = await admin.DescribeMetadataAsync(["m"]);
        Assert.Equal(3, Assert.Single(metadata.Topics).Partitions.Count);
    }

    [Fact]
    public async Task An_api_the_broker_lacks_is_reported_as_unsupported()
    {
        using var mock = new MockCluster(1);
        await using var admin = new AdminClient(new AdminOptions { BootstrapServers = mock.BootstrapServers, DefaultApiTimeout = TimeSpan.FromSeconds(5) });
        var e = await Assert.ThrowsAnyAsync<KafkaException>(() => admin.DeleteTopicsAsync(["x"]));
        Assert.Equal(ErrorCode.UnsupportedVersion, e.Code);
        Assert.Contains("DeleteTopics", e.Message);
    }
}
