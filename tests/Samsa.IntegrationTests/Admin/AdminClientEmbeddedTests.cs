using Samsa.Broker;
using Samsa.Client.Admin;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Admin;

public sealed class AdminEmbeddedFixture : IAsyncLifetime
{
    public EmbeddedCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3, Topics = ["seeded:4"], AutoCreateTopics = false });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public AdminClient NewAdmin(int timeoutMs = 10000) => new(new AdminOptions
    {
        BootstrapServers = Cluster.BootstrapServers,
        DefaultApiTimeout = TimeSpan.FromMilliseconds(timeoutMs),
    });
}

public class AdminClientEmbeddedTests : IClassFixture<AdminEmbeddedFixture>
{
    private readonly AdminEmbeddedFixture _fx;

    public AdminClientEmbeddedTests(AdminEmbeddedFixture fx) => _fx = fx;

    [Fact]
    public async Task DescribeCluster_reports_every_broker_and_the_controller()
    {
        await using var admin = _fx.NewAdmin();
        var cluster = await admin.DescribeClusterAsync();
        Assert.Equal(_fx.Cluster.ClusterId, cluster.ClusterId);
        Assert.Equal([1, 2, 3], cluster.Brokers.Select(b => b.Id));
        Assert.Contains(cluster.ControllerId, cluster.Brokers.Select(b => b.Id));
    }

    [Fact]
    public async Task Topic_lifecycle_create_grow_describe_delete()
    {
        await using var admin = _fx.NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic("lifecycle", 2, 3), new NewTopic("lifecycle-b", 1)]);
        var described = await admin.DescribeTopicsAsync(["lifecycle"]);
        var topic = Assert.Single(described);
        Assert.Equal([0, 1], topic.Partitions.Select(p => p.Partition));
        Assert.All(topic.Partitions, p => Assert.Equal(3, p.Replicas.Count));

        await admin.CreatePartitionsAsync(new Dictionary<string, int> { ["lifecycle"] = 5 });
        Assert.Equal(5, (await admin.DescribeTopicsAsync(["lifecycle"]))[0].Partitions.Count);

        await admin.DeleteTopicsAsync(["lifecycle", "lifecycle-b"]);
        var names = await admin.ListTopicsAsync();
        Assert.DoesNotContain("lifecycle", names);
        Assert.Contains("seeded", names);
    }

    [Fact]
    public async Task Creating_an_existing_topic_names_the_topic_and_the_error()
    {
        await using var admin = _fx.NewAdmin();
        var e = await Assert.ThrowsAnyAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("seeded", 1)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Code);
        Assert.Contains("'seeded'", e.Message);
    }

    [Fact]
    public async Task Describing_a_missing_topic_fails_with_unknown_topic()
    {
        // Java's describeTopics answers an unknown topic at once; it is not retried until the timeout
        // (a wait would end in a RequestTimedOut exception here, not UnknownTopicOrPartition).
        await using var admin = _fx.NewAdmin(timeoutMs: 60000);
        var e = await Assert.ThrowsAnyAsync<KafkaException>(() => admin.DescribeTopicsAsync(["missing-topic"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, e.Code);
        Assert.Equal("topic 'missing-topic' does not exist", e.Message);
    }

    [Fact]
    public async Task ListOffsets_and_group_offsets_follow_what_kcat_did()
    {
        await using var admin = _fx.NewAdmin();
        await admin.CreateTopicsAsync([new NewTopic("offsets", 2, 1)]);
        await Kcat.ProduceAsync(_fx.Cluster.BootstrapServers, "offsets", ["a", "b", "c"], partition: 1);
        await Kcat.RunAsync(["-b", _fx.Cluster.BootstrapServers, "-G", "admin-g", "-X", "auto.offset.reset=earliest", "-e", "-q", "offsets"]);

        var latest = await admin.ListOffsetsAsync(new Dictionary<TopicPartition, OffsetSpec>
        {
            [new("offsets", 0)] = OffsetSpec.Latest,
            [new("offsets", 1)] = OffsetSpec.Latest,
        });
        Assert.Equal(0, latest[new("offsets", 0)].Offset);
        Assert.Equal(3, latest[new("offsets", 1)].Offset);
        var earliest = await admin.ListOffsetsAsync(new Dictionary<TopicPartition, OffsetSpec> { [new("offsets", 1)] = OffsetSpec.Earliest });
        Assert.Equal(0, earliest[new("offsets", 1)].Offset);

        var committed = await admin.ListConsumerGroupOffsetsAsync("admin-g");
        Assert.Equal(3, committed[new("offsets", 1)].Offset);
        var groups = await admin.ListGroupsAsync();
        Assert.Contains(groups, g => g.GroupId == "admin-g");
        var described = Assert.Single(await admin.DescribeGroupsAsync(["admin-g"]));
        Assert.Equal("admin-g", described.GroupId);
        Assert.Empty(described.Members); // kcat left the group when it exited
    }

    [Fact]
    public async Task Unreachable_cluster_fails_after_the_api_timeout()
    {
        await using var admin = new AdminClient(new AdminOptions { BootstrapServers = "127.0.0.1:1", DefaultApiTimeout = TimeSpan.FromMilliseconds(800) });
        var e = await Assert.ThrowsAnyAsync<KafkaException>(() => admin.DescribeClusterAsync());
        Assert.Equal(ErrorCode.RequestTimedOut, e.Code);
        Assert.Contains("127.0.0.1:1", e.Message);
    }
}
