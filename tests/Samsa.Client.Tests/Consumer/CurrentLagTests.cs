using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Serialization;
using Samsa.Client.Tests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Consumer;

/// <summary>
/// Java's currentLag: the end of the log from the last fetch response (high watermark, or last stable
/// offset under read_committed) minus the position; unknown (null) until both are known. While the
/// end is unknown, one ListOffsets(latest) is queued and its answer fills it in (Java's
/// requestPartitionEndOffset + endOffsets with a zero timer).
/// </summary>
public class CurrentLagTests
{
    static readonly TopicPartition A = new("t", 0);

    [Fact]
    public void Lag_is_unknown_until_both_position_and_high_watermark_are_known()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        Assert.Null(s.PartitionLag(A, IsolationLevel.ReadUncommitted));

        s.Seek(A, new FetchPosition(4, null));
        Assert.Null(s.PartitionLag(A, IsolationLevel.ReadUncommitted));

        s.UpdateHighWatermark(A, hw: 10, logStart: 0, lastStable: 10);
        Assert.Equal(6, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void Lag_follows_the_position_as_records_are_consumed()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(0, null));
        s.UpdateHighWatermark(A, hw: 3, logStart: 0, lastStable: 3);
        s.UpdatePosition(A, new FetchPosition(3, null));
        Assert.Equal(0, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void Read_committed_measures_to_the_last_stable_offset()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(2, null));
        s.UpdateHighWatermark(A, hw: 20, logStart: 0, lastStable: 12);
        Assert.Equal(18, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
        Assert.Equal(10, s.PartitionLag(A, IsolationLevel.ReadCommitted));
    }

    [Fact]
    public void Read_committed_lag_is_unknown_when_the_broker_sent_no_last_stable_offset()
    {
        // Fetch v0-v3 carry no last stable offset (-1): the high watermark must not stand in for it.
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(2, null));
        s.UpdateHighWatermark(A, hw: 20, logStart: -1, lastStable: -1);
        Assert.Null(s.PartitionLag(A, IsolationLevel.ReadCommitted));
        Assert.Equal(18, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void A_reset_forgets_the_position_so_the_lag_is_unknown_again()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(5, null));
        s.UpdateHighWatermark(A, hw: 9, logStart: 0, lastStable: 9);
        s.AssignFromUser([]);
        s.AssignFromUser([A]);
        Assert.Null(s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void Lag_of_an_unassigned_partition_is_a_clear_error()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        var e = Assert.Throws<InvalidOperationException>(() => s.PartitionLag(A, IsolationLevel.ReadUncommitted));
        Assert.Contains("t-0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consumer_answers_without_touching_the_network()
    {
        // Port 1 on loopback refuses connections: CurrentLag must answer from local state only (with
        // no leader known it cannot even queue its end-offset request; it asks for metadata instead).
        var config = new ConsumerConfig { BootstrapServers = "127.0.0.1:1" };
        using var consumer = new KafkaConsumer<byte[]?, byte[]?>(config, Deserializers.ByteArray, Deserializers.ByteArray);
        var e = Assert.Throws<InvalidOperationException>(() => consumer.CurrentLag(A));
        Assert.Contains("assigned", e.Message, StringComparison.Ordinal);

        consumer.Assign([A]);
        Assert.Null(consumer.CurrentLag(A));
        consumer.Seek(A, 7);
        Assert.Null(consumer.CurrentLag(A));
    }

    [Fact]
    public void The_end_offset_is_requested_once_while_unknown()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(4, null));
        Assert.True(s.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));
        Assert.True(s.PartitionEndOffsetRequested(A));
        Assert.False(s.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));

        // A failed request lets the next CurrentLag ask again.
        s.PartitionEndOffsetRequestFailed(A);
        Assert.True(s.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));

        // A fetch response's high watermark answers it too.
        s.UpdateHighWatermark(A, hw: 10, logStart: 0, lastStable: 10);
        Assert.False(s.PartitionEndOffsetRequested(A));
        Assert.False(s.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));
        Assert.Equal(6, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void A_listed_end_offset_is_the_high_watermark_or_under_read_committed_the_last_stable_offset()
    {
        var s = new SubscriptionState(AutoOffsetReset.Earliest);
        s.AssignFromUser([A]);
        s.Seek(A, new FetchPosition(4, null));
        Assert.True(s.TryRequestPartitionEndOffset(A, IsolationLevel.ReadCommitted));
        s.UpdatePartitionEndOffset(A, 9, IsolationLevel.ReadCommitted);
        Assert.False(s.PartitionEndOffsetRequested(A));
        Assert.Equal(5, s.PartitionLag(A, IsolationLevel.ReadCommitted));
        Assert.Null(s.PartitionLag(A, IsolationLevel.ReadUncommitted));

        s.UpdatePartitionEndOffset(A, 12, IsolationLevel.ReadUncommitted);
        Assert.Equal(8, s.PartitionLag(A, IsolationLevel.ReadUncommitted));
    }

    /// <summary>The offset fetcher over a real network client driven by a scripted selector.</summary>
    sealed class Harness : IDisposable
    {
        static readonly Node Node1 = new(1, "127.0.0.1", 9092);
        readonly FakeTime _time = new();
        readonly ClientMetadata _metadata = new(100, 1000, 300_000);
        readonly NetworkClient _network;
        readonly ConsumerNetworkClient _client;

        public MockSelector Selector { get; } = new();
        public SubscriptionState Subscriptions { get; } = new(AutoOffsetReset.Earliest);
        public OffsetFetcher Fetcher { get; }

        public Harness(IsolationLevel isolation, bool leaderKnown = true)
        {
            Selector.BrokerVersions.Add((ApiKey.ListOffsets, 0, 7));
            var config = new ConsumerConfig { BootstrapServers = "127.0.0.1:9092", ClientId = "lag-test", IsolationLevel = isolation };
            _network = new NetworkClient(Selector, null, config.ToClientOptions(), _time, metadataUpdater: new ManualMetadataUpdater([Node1]));
            _client = new ConsumerNetworkClient(_network, _metadata, _time, NullLogger.Instance, 100, 30_000);
            Fetcher = new OffsetFetcher(config, Subscriptions, _client, _metadata, NullLogger.Instance, _time);
            if (leaderKnown)
            {
                _metadata.Update(0, new Cluster("c", [Node1], [new PartitionInfo(A.Topic, A.Partition, Node1, 1, 0, [1], [1], [])],
                    [new TopicInfo(A.Topic, Guid.Empty, false, ErrorCode.None)]), _time.NowMs);
            }
            Subscriptions.AssignFromUser([A]);
            Subscriptions.Seek(A, new FetchPosition(4, null));
        }

        public int ListOffsetsSent => Selector.Sent.Count(r => r.ApiKey == ApiKey.ListOffsets);

        public void PollUntilListOffsetsSent(int expected)
        {
            for (var i = 0; i < 10 && ListOffsetsSent < expected; i++) _client.PollNoWakeup();
            Assert.Equal(expected, ListOffsetsSent);
        }

        public void Respond(long offset, ErrorCode error = ErrorCode.None)
        {
            var sent = Selector.LastSent(ApiKey.ListOffsets);
            var asked = sent.Body<ListOffsetsRequest>().Topics.Single().Partitions.Single();
            Assert.Equal(OffsetFetcher.LatestTimestamp, asked.Timestamp);
            var response = new ListOffsetsResponse();
            var topic = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = A.Topic };
            topic.Partitions.Add(new ListOffsetsResponse.ListOffsetsPartitionResponse
            {
                PartitionIndex = A.Partition, ErrorCode = (short)error, Offset = offset, Timestamp = -1, LeaderEpoch = -1,
            });
            response.Topics.Add(topic);
            Selector.Respond(sent, response);
            // One poll receives the response, the next runs its completion outside the lock.
            _client.PollNoWakeup();
            _client.PollNoWakeup();
        }

        public void Dispose()
        {
            _client.Dispose();
            _network.Dispose();
        }
    }

    [Theory]
    [InlineData(IsolationLevel.ReadUncommitted)]
    [InlineData(IsolationLevel.ReadCommitted)]
    public void The_listed_end_offset_fills_in_the_lag(IsolationLevel isolation)
    {
        using var h = new Harness(isolation);
        Assert.True(h.Subscriptions.TryRequestPartitionEndOffset(A, isolation));
        h.Fetcher.RequestEndOffset(A);
        Assert.Null(h.Subscriptions.PartitionLag(A, isolation));
        h.PollUntilListOffsetsSent(1);
        Assert.Equal((sbyte)isolation, h.Selector.LastSent(ApiKey.ListOffsets).Body<ListOffsetsRequest>().IsolationLevel);

        h.Respond(10);
        Assert.Equal(6, h.Subscriptions.PartitionLag(A, isolation));
        Assert.False(h.Subscriptions.PartitionEndOffsetRequested(A));
    }

    [Fact]
    public void A_failed_end_offset_lookup_clears_the_request_so_it_can_be_asked_again()
    {
        using var h = new Harness(IsolationLevel.ReadUncommitted);
        Assert.True(h.Subscriptions.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));
        h.Fetcher.RequestEndOffset(A);
        h.PollUntilListOffsetsSent(1);
        h.Respond(-1, ErrorCode.NotLeaderOrFollower);
        Assert.Null(h.Subscriptions.PartitionLag(A, IsolationLevel.ReadUncommitted));
        Assert.False(h.Subscriptions.PartitionEndOffsetRequested(A));
        Assert.True(h.Subscriptions.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void Without_a_known_leader_nothing_is_sent_and_the_request_is_cleared()
    {
        using var h = new Harness(IsolationLevel.ReadUncommitted, leaderKnown: false);
        Assert.True(h.Subscriptions.TryRequestPartitionEndOffset(A, IsolationLevel.ReadUncommitted));
        h.Fetcher.RequestEndOffset(A);
        Assert.Equal(0, h.ListOffsetsSent);
        Assert.False(h.Subscriptions.PartitionEndOffsetRequested(A));
    }
}
