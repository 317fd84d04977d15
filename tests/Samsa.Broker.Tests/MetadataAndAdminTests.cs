using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class MetadataAndAdminTests
{
    private static MetadataRequest For(params string[] topics) =>
        new() { Topics = [.. topics.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t })] };

    [Fact]
    public async Task Leaders_are_spread_over_brokers_and_replicas_reported()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3, Topics = ["t:6"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(1));
        var metadata = await conn.SendAsync<MetadataRequest, MetadataResponse>(For("t"), 12);
        var partitions = metadata.Topics[0].Partitions;
        Assert.Equal(6, partitions.Count);
        Assert.Equal(3, partitions.Select(p => p.LeaderId).Distinct().Count());
        Assert.All(partitions, p => Assert.Equal(3, p.ReplicaNodes.Count));
        Assert.All(partitions, p => Assert.Equal(p.ReplicaNodes.Order(), p.IsrNodes.Order()));
        Assert.NotEqual(Guid.Empty, metadata.Topics[0].TopicId);
    }

    [Fact]
    public async Task Unknown_topics_are_auto_created_unless_disabled()
    {
        await using var auto = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { DefaultPartitions = 4 });
        await using var conn = await RawKafkaConnection.ConnectAsync(auto.BootstrapServers);
        var created = await conn.SendAsync<MetadataRequest, MetadataResponse>(For("new"), 9);
        Assert.Equal((short)ErrorCode.None, created.Topics[0].ErrorCode);
        Assert.Equal(4, created.Topics[0].Partitions.Count);
        var invalid = await conn.SendAsync<MetadataRequest, MetadataResponse>(For("bad name!"), 9);
        Assert.Equal((short)ErrorCode.InvalidTopicException, invalid.Topics[0].ErrorCode);
        var v0All = await conn.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 0);
        Assert.Single(v0All.Topics);

        await using var manual = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { AutoCreateTopics = false });
        await using var conn2 = await RawKafkaConnection.ConnectAsync(manual.BootstrapServers);
        var unknown = await conn2.SendAsync<MetadataRequest, MetadataResponse>(For("new"), 12);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task Create_grow_describe_and_delete_topics()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 2 });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(1));
        var create = new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "orders", NumPartitions = 2, ReplicationFactor = 2,
                Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.ms", Value = "1000" }] }],
        };
        var created = await conn.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(create, 7);
        Assert.Equal((short)ErrorCode.None, created.Topics[0].ErrorCode);
        Assert.NotEqual(Guid.Empty, created.Topics[0].TopicId);
        var again = await conn.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(create, 7);
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, again.Topics[0].ErrorCode);

        var grow = await conn.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "orders", Count = 5, Assignments = null }],
        }, 3);
        Assert.Equal((short)ErrorCode.None, grow.Results[0].ErrorCode);
        Assert.NotNull(cluster.HighWatermarkOf("orders", 4));

        var configs = await conn.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = "orders", ConfigurationKeys = null }],
        }, 4);
        var retention = configs.Results[0].Configs.Single(c => c.Name == "retention.ms");
        Assert.Equal("1000", retention.Value);
        Assert.Equal(1, retention.ConfigSource);
        Assert.Equal(5, configs.Results[0].Configs.Single(c => c.Name == "cleanup.policy").ConfigSource);

        var describe = await conn.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest(), 1);
        Assert.Equal(2, describe.Brokers.Count);
        Assert.Equal(cluster.ClusterId, describe.ClusterId);

        var delete = await conn.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["orders", "missing"] }, 5);
        Assert.Equal((short)ErrorCode.None, delete.Responses[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, delete.Responses[1].ErrorCode);
        Assert.Null(cluster.HighWatermarkOf("orders", 0));
    }

    [Fact]
    public async Task FindCoordinator_v4_batches_keys_and_group_requests_to_other_brokers_get_NOT_COORDINATOR()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3 });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(1));
        var found = await conn.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { CoordinatorKeys = ["a", "b", "c"] }, 4);
        Assert.Equal(3, found.Coordinators.Count);
        Assert.All(found.Coordinators, c => Assert.Equal((short)ErrorCode.None, c.ErrorCode));

        var single = await conn.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "a" }, 3);
        Assert.Equal(found.Coordinators[0].NodeId, single.NodeId);

        int other = cluster.BrokerIds.First(b => b != single.NodeId);
        await using var wrong = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(other));
        var heartbeat = await wrong.SendAsync<HeartbeatRequest, HeartbeatResponse>(new HeartbeatRequest { GroupId = "a", MemberId = "m", GenerationId = 1 }, 4);
        Assert.Equal((short)ErrorCode.NotCoordinator, heartbeat.ErrorCode);
    }

    [Fact]
    public async Task OffsetCommit_and_v8_multi_group_OffsetFetch()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t:2"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(1));
        foreach (var (group, offset) in new[] { ("g1", 5L), ("g2", 7L) })
        {
            var commit = await conn.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
            {
                GroupId = group,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = offset }] }],
            }, 8);
            Assert.Equal((short)ErrorCode.None, commit.Topics[0].Partitions[0].ErrorCode);
        }
        var fetched = await conn.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            Topics = null,
            Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "g1", Topics = null },
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "g2", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = "t", PartitionIndexes = [0, 1] }] },
            ],
        }, 8);
        Assert.Equal(5, fetched.Groups[0].Topics[0].Partitions.Single().CommittedOffset);
        Assert.Equal([-1L, 7L], fetched.Groups[1].Topics[0].Partitions.Select(p => p.CommittedOffset));
    }

    [Fact]
    public async Task OffsetDelete_removes_offsets_of_an_empty_group()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await conn.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "g",
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 3 }] }],
        }, 8);
        var deleted = await conn.SendAsync<OffsetDeleteRequest, OffsetDeleteResponse>(new OffsetDeleteRequest
        {
            GroupId = "g",
            Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "t", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 0 }] }],
        }, 0);
        Assert.Equal((short)ErrorCode.None, deleted.Topics[0].Partitions[0].ErrorCode);
        var fetched = await conn.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = "g", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0] }],
        }, 7);
        Assert.Equal(-1, fetched.Topics[0].Partitions[0].CommittedOffset);
    }
}
