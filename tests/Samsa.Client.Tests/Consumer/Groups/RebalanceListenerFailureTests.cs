using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Consumer.Groups;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Tests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Tests.Consumer.Groups;

/// <summary>
/// A rebalance callback that throws (Java's ConsumerCoordinator behaviour): the rebalance step
/// completes first, then the coordinator's poll throws the first failure once, wrapped in a
/// KafkaException unless it already is one; the next poll carries on. The coordinator runs over a
/// scripted selector and a fake clock, with the membership driven directly (no heartbeat thread).
/// </summary>
public sealed class RebalanceListenerFailureTests : IDisposable
{
    static readonly Node Node1 = new(1, "127.0.0.1", 9092);
    static readonly TopicPartition P0 = new("t", 0);
    static readonly TopicPartition P1 = new("t", 1);

    readonly FakeTime _time = new();
    readonly MockSelector _selector = new();
    readonly ClientMetadata _metadata = new(100, 1000, 300_000);
    readonly SubscriptionState _subscriptions = new(AutoOffsetReset.Earliest);
    readonly ConsumerMetrics _metrics = new("coordinator-test");
    readonly NetworkClient _network;
    readonly ConsumerNetworkClient _client;
    readonly Fetcher _fetcher;
    readonly ConsumerCoordinator _coordinator;
    readonly RecordingListener _listener = new();

    public RebalanceListenerFailureTests()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = "127.0.0.1:9092", ClientId = "coordinator-test", GroupId = "g", EnableAutoCommit = false,
        };
        _network = new NetworkClient(_selector, null, config.ToClientOptions(), _time, metadataUpdater: new ManualMetadataUpdater([Node1]));
        _client = new ConsumerNetworkClient(_network, _metadata, _time, NullLogger.Instance, 100, 30_000);
        _fetcher = new Fetcher(config, _subscriptions, _client, _metadata, _metrics, NullLogger.Instance);
        _metadata.Update(0, new Cluster("c", [Node1],
            [new PartitionInfo("t", 0, Node1, 1, 0, [1], [1], []), new PartitionInfo("t", 1, Node1, 1, 0, [1], [1], [])],
            [new TopicInfo("t", Guid.Empty, false, ErrorCode.None)]), _time.NowMs);
        _coordinator = new ConsumerCoordinator(config, _subscriptions, _metadata, _client, new ManualMetadataUpdater([]), _fetcher, _metrics,
            NullLogger.Instance, _time, () => { });
        _coordinator.PreventHeartbeatThreadForTests();
        _subscriptions.Subscribe(["t"]);
        _coordinator.SetListener(_listener);
    }

    public void Dispose()
    {
        _coordinator.Dispose();
        _fetcher.Dispose();
        _client.Dispose();
        _network.Dispose();
        _metrics.Dispose();
    }

    GroupMembership Membership => _coordinator.MembershipForTests;

    bool Poll() => _coordinator.Poll(new ConsumerTimer(_time, 0));

    /// <summary>Finds the coordinator and prepares the first join (nothing owned: no callback).</summary>
    void PrepareFirstJoin()
    {
        Assert.IsType<FindCoordinatorCall>(Assert.Single(Membership.Poll(_time.NowMs)));
        Membership.OnFindCoordinatorResponse(ErrorCode.None, int.MaxValue - 1, "127.0.0.1", 9092, _time.NowMs);
        Assert.False(Poll());
        Assert.False(Membership.NeedsJoinPrepare);
    }

    /// <summary>Joins as a follower of <paramref name="generation"/> and receives <paramref name="assigned"/>.</summary>
    void JoinAndSync(int generation, string protocol, params TopicPartition[] assigned)
    {
        Assert.IsType<JoinGroupCall>(Assert.Single(Membership.Poll(_time.NowMs)));
        Membership.OnJoinGroupResponse(new JoinGroupResult(ErrorCode.None, generation, protocol, "leader", "me", []), _time.NowMs);
        Assert.IsType<SyncGroupCall>(Assert.Single(Membership.Poll(_time.NowMs)));
        Membership.OnSyncGroupResponse(ErrorCode.None, ConsumerProtocol.SerializeAssignment(assigned), _time.NowMs);
        Assert.Equal(MemberState.Stable, Membership.State);
    }

    void AssignBothPartitions(string protocol = "range")
    {
        PrepareFirstJoin();
        JoinAndSync(1, protocol, P0, P1);
        Assert.True(Poll());
        Assert.Equal([P0, P1], _subscriptions.AssignedPartitions());
    }

    [Fact]
    public void A_throwing_assigned_callback_is_thrown_once_after_the_assignment_is_in_place()
    {
        PrepareFirstJoin();
        JoinAndSync(1, "range", P0, P1);
        _listener.ThrowOnAssigned = new InvalidOperationException("application bug");

        var e = Assert.Throws<KafkaException>(() => Poll());

        Assert.Same(_listener.ThrowOnAssigned, e.InnerException);
        Assert.Contains("OnPartitionsAssigned", e.Message);
        Assert.Contains("application bug", e.Message);
        Assert.Equal(["assigned:t-0,t-1"], _listener.Events);
        Assert.Equal([P0, P1], _subscriptions.AssignedPartitions());
        // The rebalance completed: the next poll neither throws again nor calls back again.
        Assert.True(Poll());
        Assert.Single(_listener.Events);
        Assert.False(Membership.RejoinNeeded);
    }

    [Fact]
    public void A_KafkaException_from_a_callback_is_thrown_as_it_is()
    {
        PrepareFirstJoin();
        JoinAndSync(1, "range", P0, P1);
        var thrown = new KafkaException("the application's own Kafka failure");
        _listener.ThrowOnAssigned = thrown;

        Assert.Same(thrown, Assert.Throws<KafkaException>(() => Poll()));
        Assert.True(Poll());
    }

    [Fact]
    public void A_wakeup_from_a_callback_is_thrown_as_it_is()
    {
        PrepareFirstJoin();
        JoinAndSync(1, "range", P0, P1);
        var wakeup = new ConsumerWakeupException();
        _listener.ThrowOnAssigned = wakeup;

        Assert.Same(wakeup, Assert.Throws<ConsumerWakeupException>(() => Poll()));
        Assert.Equal([P0, P1], _subscriptions.AssignedPartitions());
        Assert.True(Poll());
    }

    [Fact]
    public void A_throwing_revoked_callback_still_revokes_and_prepares_the_join()
    {
        AssignBothPartitions();
        _listener.ThrowOnRevoked = new InvalidOperationException("cannot commit");
        Membership.OnHeartbeatResponse(ErrorCode.RebalanceInProgress, _time.NowMs);

        var e = Assert.Throws<KafkaException>(() => Poll());

        Assert.Contains("OnPartitionsRevoked", e.Message);
        Assert.Empty(_subscriptions.AssignedPartitions());
        Assert.False(Membership.NeedsJoinPrepare);
        Assert.Equal(MemberState.Unjoined, Membership.State);
        // The join goes out as usual, and the next poll only waits for it.
        Assert.IsType<JoinGroupCall>(Assert.Single(Membership.Poll(_time.NowMs)));
        Assert.False(Poll());
        Assert.Equal(["assigned:t-0,t-1", "revoked:t-0,t-1"], _listener.Events);
    }

    [Fact]
    public void A_throwing_lost_callback_still_drops_the_partitions()
    {
        AssignBothPartitions();
        _listener.ThrowOnLost = new InvalidOperationException("lost bug");
        Membership.OnHeartbeatResponse(ErrorCode.UnknownMemberId, _time.NowMs);

        var e = Assert.Throws<KafkaException>(() => Poll());

        Assert.Contains("OnPartitionsLost", e.Message);
        Assert.Empty(_subscriptions.AssignedPartitions());
        Assert.False(Membership.GenerationLost);
        Assert.False(Membership.NeedsJoinPrepare);
        Assert.False(Poll());
        Assert.Equal(["assigned:t-0,t-1", "lost:t-0,t-1"], _listener.Events);
    }

    [Fact]
    public void When_revoked_and_assigned_both_throw_in_one_step_the_first_failure_is_thrown()
    {
        AssignBothPartitions("cooperative-sticky");
        // A cooperative rebalance keeps owned partitions through the join (no callback)...
        Membership.OnHeartbeatResponse(ErrorCode.RebalanceInProgress, _time.NowMs);
        Assert.False(Poll());
        _listener.ThrowOnRevoked = new InvalidOperationException("first");
        _listener.ThrowOnAssigned = new InvalidOperationException("second");
        // ...and then moves t-1 away: revoke t-1, then assign nothing new.
        JoinAndSync(2, "cooperative-sticky", P0);

        var e = Assert.Throws<KafkaException>(() => Poll());

        Assert.Same(_listener.ThrowOnRevoked, e.InnerException);
        Assert.Equal(["assigned:t-0,t-1", "revoked:t-1", "assigned:"], _listener.Events);
        Assert.Equal([P0], _subscriptions.AssignedPartitions());
        // The cooperative follow-up rejoin is still requested.
        Assert.True(Membership.RejoinNeeded);
    }

    [Fact]
    public void Unsubscribe_leaves_the_group_before_throwing_a_revoke_failure()
    {
        AssignBothPartitions();
        _listener.ThrowOnRevoked = new InvalidOperationException("revoke bug");

        var e = Assert.Throws<KafkaException>(() => _coordinator.LeaveGroupOnUnsubscribe(new ConsumerTimer(_time, 0)));

        Assert.Contains("OnPartitionsRevoked", e.Message);
        Assert.Equal(Generation.NoGeneration, Membership.Generation);
    }

    sealed class RecordingListener : IConsumerRebalanceListener
    {
        public List<string> Events { get; } = [];
        public Exception? ThrowOnRevoked { get; set; }
        public Exception? ThrowOnAssigned { get; set; }
        public Exception? ThrowOnLost { get; set; }

        public void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions) => Record("revoked", partitions, ThrowOnRevoked);

        public void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) => Record("assigned", partitions, ThrowOnAssigned);

        public void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => Record("lost", partitions, ThrowOnLost);

        void Record(string callback, IReadOnlyCollection<TopicPartition> partitions, Exception? toThrow)
        {
            Events.Add(callback + ":" + string.Join(",", partitions.Select(p => p.Topic + "-" + p.Partition)));
            if (toThrow is not null) throw toThrow;
        }
    }
}
