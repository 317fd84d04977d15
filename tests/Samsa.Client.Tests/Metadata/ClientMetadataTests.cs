using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Client.Tests.Metadata;

public sealed class ClientMetadataTests
{
    private static readonly Node Broker1 = new(1, "b1", 9092);
    private static readonly Node Broker2 = new(2, "b2", 9092);

    private static ClientMetadata NewMetadata() => new(100, 1000, 300_000, random: new Random(1));

    private static Cluster ClusterWith(int leader, int epoch, Guid? topicId = null)
    {
        var nodes = new[] { Broker1, Broker2 };
        var leaderNode = nodes.First(n => n.Id == leader);
        return new Cluster("c1", nodes,
            [new PartitionInfo("t", 0, leaderNode, leader, epoch, [1, 2], [1, 2], [])],
            [new TopicInfo("t", topicId ?? Guid.Empty, false, ErrorCode.None)], Broker1);
    }

    [Fact]
    public void Bootstrap_gives_negative_ids_and_asks_for_an_update()
    {
        var metadata = NewMetadata();
        metadata.Bootstrap([("127.0.0.1", 9092), ("127.0.0.2", 9093)]);
        var cluster = metadata.Fetch();
        Assert.True(cluster.IsBootstrapConfigured);
        Assert.Equal([-1, -2], cluster.Nodes.Select(n => n.Id));
        Assert.True(metadata.UpdateRequested());
        Assert.Equal(0, metadata.TimeToNextUpdate(1_000_000));
    }

    [Fact]
    public void Update_replaces_the_snapshot_and_the_next_refresh_waits_for_max_age()
    {
        var metadata = NewMetadata();
        metadata.Bootstrap([("127.0.0.1", 9092)]);
        var target = metadata.NewMetadataRequestTarget();
        metadata.Update(target.RequestVersion, ClusterWith(1, 5), 1000);

        var cluster = metadata.Fetch();
        Assert.False(cluster.IsBootstrapConfigured);
        Assert.Equal("c1", cluster.ClusterId);
        Assert.Equal(Broker1, cluster.LeaderFor(new TopicPartition("t", 0)));
        Assert.Equal(Broker1, cluster.Controller);
        Assert.False(metadata.UpdateRequested());
        Assert.Equal(300_000, metadata.TimeToNextUpdate(1000));
        Assert.Equal(0, metadata.TimeToNextUpdate(301_000));
    }

    [Fact]
    public void Requested_update_waits_for_the_refresh_backoff()
    {
        var metadata = NewMetadata();
        metadata.Update(0, ClusterWith(1, 5), 1000);
        metadata.RequestUpdate();
        var wait = metadata.TimeToNextUpdate(1000);
        Assert.InRange(wait, 80, 120);
        Assert.Equal(0, metadata.TimeToNextUpdate(1000 + 120));
    }

    [Fact]
    public void Failed_updates_back_off_exponentially_up_to_the_max()
    {
        var metadata = NewMetadata();
        metadata.RequestUpdate();
        var waits = new List<long>();
        long now = 0;
        for (var i = 0; i < 6; i++)
        {
            metadata.FailedUpdate(now);
            waits.Add(metadata.TimeToNextUpdate(now));
            now += 10_000;
        }
        Assert.InRange(waits[0], 80, 120);
        Assert.InRange(waits[1], 160, 240);
        Assert.InRange(waits[2], 320, 480);
        Assert.All(waits.Skip(4), w => Assert.InRange(w, 800, 1200));
    }

    [Fact]
    public void A_response_with_an_older_leader_epoch_keeps_the_cached_partition()
    {
        var metadata = NewMetadata();
        metadata.Update(0, ClusterWith(leader: 2, epoch: 7), 1000);
        metadata.Update(0, ClusterWith(leader: 1, epoch: 6), 2000);
        var partition = metadata.Fetch().Partition(new TopicPartition("t", 0))!;
        Assert.Equal(2, partition.LeaderId);
        Assert.Equal(7, partition.LeaderEpoch);
        Assert.Equal(Broker2, partition.Leader);

        metadata.Update(0, ClusterWith(leader: 1, epoch: 8), 3000);
        Assert.Equal(1, metadata.Fetch().LeaderFor(new TopicPartition("t", 0))!.Id);
        Assert.Equal(8, metadata.LastSeenLeaderEpoch(new TopicPartition("t", 0)));
    }

    [Fact]
    public void A_recreated_topic_resets_the_leader_epoch()
    {
        var metadata = NewMetadata();
        metadata.Update(0, ClusterWith(2, 7, Guid.NewGuid()), 1000);
        metadata.Update(0, ClusterWith(1, 0, Guid.NewGuid()), 2000);
        Assert.Equal(1, metadata.Fetch().LeaderFor(new TopicPartition("t", 0))!.Id);
    }

    [Fact]
    public void Responses_without_epochs_are_accepted()
    {
        var metadata = NewMetadata();
        metadata.Update(0, ClusterWith(2, 7), 1000);
        metadata.Update(0, ClusterWith(1, -1), 2000);
        Assert.Equal(1, metadata.Fetch().LeaderFor(new TopicPartition("t", 0))!.Id);
    }

    [Fact]
    public void A_topic_added_after_the_request_keeps_the_update_requested()
    {
        var metadata = new ClientMetadata(100, 1000, 300_000, allTopics: false);
        metadata.RequestUpdateForTopic("a");
        var target = metadata.NewMetadataRequestTarget();
        Assert.Equal(["a"], target.Topics!);
        metadata.RequestUpdateForTopic("b");
        metadata.Update(target.RequestVersion, ClusterWith(1, 1), 1000);
        Assert.True(metadata.UpdateRequested());
        metadata.Update(metadata.NewMetadataRequestTarget().RequestVersion, ClusterWith(1, 1), 2000);
        Assert.False(metadata.UpdateRequested());
    }

    [Fact]
    public async Task Waiters_complete_on_the_next_update()
    {
        var metadata = NewMetadata();
        var version = metadata.UpdateVersion;
        var wait = metadata.WaitForUpdateAsync(version);
        Assert.False(wait.IsCompleted);
        metadata.Update(0, ClusterWith(1, 1), 1000);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(metadata.WaitForUpdateAsync(version).IsCompleted);
    }

    [Fact]
    public void Rebootstrap_returns_to_the_bootstrap_nodes()
    {
        var metadata = NewMetadata();
        metadata.Bootstrap([("127.0.0.1", 9092)]);
        metadata.Update(0, ClusterWith(1, 1), 1000);
        metadata.Rebootstrap();
        Assert.True(metadata.Fetch().IsBootstrapConfigured);
        Assert.Equal(-1, Assert.Single(metadata.Fetch().Nodes).Id);
        Assert.True(metadata.UpdateRequested());
    }
}
