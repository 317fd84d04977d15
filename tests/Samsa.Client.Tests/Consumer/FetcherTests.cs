using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Tests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Client.Tests.Consumer;

/// <summary>
/// The fetcher over a real <see cref="NetworkClient"/> driven by a scripted selector and a fake
/// clock: which fetches go out, with which partitions, and when they are held back.
/// </summary>
public sealed class FetcherTests : IDisposable
{
    static readonly Node Node1 = new(1, "127.0.0.1", 9092);
    static readonly Node Node2 = new(2, "127.0.0.1", 9093);
    static readonly TopicPartition P0 = new("t", 0);
    static readonly TopicPartition P1 = new("t", 1);

    readonly FakeTime _time = new();
    readonly MockSelector _selector = new();
    readonly ClientMetadata _metadata = new(100, 1000, 300_000);
    readonly SubscriptionState _subscriptions = new(AutoOffsetReset.Earliest);
    readonly ConsumerMetrics _metrics = new("fetcher-test");
    readonly NetworkClient _network;
    readonly ConsumerNetworkClient _client;
    readonly Fetcher _fetcher;

    public FetcherTests() : this(p1Leader: Node1) { }

    FetcherTests(Node p1Leader)
    {
        var config = new ConsumerConfig { BootstrapServers = "127.0.0.1:9092", ClientId = "fetcher-test" };
        _network = new NetworkClient(_selector, null, config.ToClientOptions(), _time, metadataUpdater: new ManualMetadataUpdater([Node1, Node2]));
        _client = new ConsumerNetworkClient(_network, _metadata, _time, NullLogger.Instance, 100, 30_000);
        _fetcher = new Fetcher(config, _subscriptions, _client, _metadata, _metrics, NullLogger.Instance);
        SetLeaders(Node1, p1Leader);
        _subscriptions.AssignFromUser([P0, P1]);
        _subscriptions.Seek(P0, new FetchPosition(0, null));
        _subscriptions.Seek(P1, new FetchPosition(0, null));
    }

    public void Dispose()
    {
        _fetcher.Dispose();
        _client.Dispose();
        _network.Dispose();
        _metrics.Dispose();
    }

    void SetLeaders(Node p0Leader, Node p1Leader) =>
        _metadata.Update(0, new Cluster("c", [Node1, Node2],
            [Partition(P0, p0Leader), Partition(P1, p1Leader)],
            [new TopicInfo("t", Guid.Empty, false, ErrorCode.None)]), _time.NowMs);

    static PartitionInfo Partition(TopicPartition tp, Node leader) =>
        new(tp.Topic, tp.Partition, leader, leader.Id, 0, [leader.Id], [leader.Id], []);

    sealed class Sink : IFetchedRecordSink
    {
        public List<(TopicPartition Partition, long Offset)> Records { get; } = [];

        public int Count => Records.Count;

        public void Add(TopicPartition partition, in Samsa.Protocol.Records.Record record, int leaderEpoch) =>
            Records.Add((partition, record.Offset));
    }

    static byte[] Batch(long baseOffset, int count)
    {
        using var b = new RecordBatchBuilder(CompressionType.None, baseOffset);
        for (var i = 0; i < count; i++) b.Append(1000 + i, null, Encoding.UTF8.GetBytes("v" + (baseOffset + i)));
        return b.Build().ToArray();
    }

    static FetchResponse.PartitionData Data(TopicPartition tp, long highWatermark, byte[]? records = null) => new()
    {
        PartitionIndex = tp.Partition,
        HighWatermark = highWatermark,
        LastStableOffset = highWatermark,
        LogStartOffset = 0,
        Records = records,
    };

    int FetchesSent => _selector.Sent.Count(s => s.ApiKey == ApiKey.Fetch);

    /// <summary>Polls the network until the fetch count reaches <paramref name="expected"/> (bounded).</summary>
    void PollUntilFetchesSent(int expected)
    {
        for (var i = 0; i < 10 && FetchesSent < expected; i++) _client.PollNoWakeup();
        Assert.Equal(expected, FetchesSent);
    }

    /// <summary>The partitions the last fetch to <paramref name="node"/> named, in order.</summary>
    List<TopicPartition> LastFetchPartitions(int node)
    {
        var request = _selector.LastSent(ApiKey.Fetch, node).Body<FetchRequest>();
        return [.. request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.Partition)))];
    }

    void RespondToLastFetch(int node, params FetchResponse.PartitionData[] partitions)
    {
        // No session (id 0): every fetch is full, so each request lists all of its partitions.
        var response = new FetchResponse { SessionId = 0 };
        var topic = new FetchResponse.FetchableTopicResponse { Topic = "t" };
        topic.Partitions.AddRange(partitions);
        response.Responses.Add(topic);
        _selector.Respond(_selector.LastSent(ApiKey.Fetch, node), response);
        _client.PollNoWakeup();
    }

    [Fact]
    public void A_fetch_of_only_caught_up_partitions_waits_while_records_from_that_broker_are_buffered()
    {
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(1);
        Assert.Equal([P0, P1], LastFetchPartitions(1));
        // P1 is at its end (high watermark 0); P0 brings three records.
        RespondToLastFetch(1, Data(P1, 0), Data(P0, 3, Batch(0, 3)));

        var sink = new Sink();
        Assert.Equal(1, _fetcher.CollectFetch(1, sink));
        Assert.True(_subscriptions.IsCaughtUp(P1, IsolationLevel.ReadUncommitted));

        // Only P1 could be fetched and the broker would park that fetch: hold it back.
        Assert.Equal(0, _fetcher.SendFetches());
        _client.PollNoWakeup();
        Assert.Equal(1, FetchesSent);

        // Once P0's records are consumed, one fetch asks for both partitions.
        Assert.Equal(2, _fetcher.CollectFetch(10, sink));
        Assert.Equal([(P0, 0L), (P0, 1L), (P0, 2L)], sink.Records);
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
        var request = _selector.LastSent(ApiKey.Fetch, 1).Body<FetchRequest>();
        var offsets = request.Topics.SelectMany(t => t.Partitions).ToDictionary(p => p.Partition, p => p.FetchOffset);
        Assert.Equal(new Dictionary<int, long> { [0] = 3, [1] = 0 }, offsets);
    }

    [Fact]
    public void Only_one_fetch_is_outstanding_per_node_until_its_response_arrives()
    {
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(1);
        // The broker may park that fetch for fetch.max.wait.ms: no second one goes out meanwhile.
        Assert.Equal(0, _fetcher.SendFetches());
        _client.PollNoWakeup();
        Assert.Equal(1, FetchesSent);

        RespondToLastFetch(1, Data(P0, 2, Batch(0, 2)), Data(P1, 0));
        var sink = new Sink();
        Assert.Equal(2, _fetcher.CollectFetch(10, sink));
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
    }

    [Fact]
    public void A_partition_behind_its_high_watermark_is_fetched_while_others_are_buffered()
    {
        _fetcher.SendFetches();
        PollUntilFetchesSent(1);
        // P1 returns two records of ten; P0 three.
        RespondToLastFetch(1, Data(P1, 10, Batch(0, 2)), Data(P0, 3, Batch(0, 3)));

        var sink = new Sink();
        Assert.Equal(3, _fetcher.CollectFetch(3, sink));
        Assert.Equal([(P1, 0L), (P1, 1L), (P0, 0L)], sink.Records);
        Assert.False(_subscriptions.IsCaughtUp(P1, IsolationLevel.ReadUncommitted));

        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
        Assert.Equal([P1], LastFetchPartitions(1));
    }

    [Fact]
    public void Buffered_records_of_a_paused_partition_do_not_hold_back_fetches()
    {
        _fetcher.SendFetches();
        PollUntilFetchesSent(1);
        RespondToLastFetch(1, Data(P1, 0), Data(P0, 3, Batch(0, 3)));
        var sink = new Sink();
        Assert.Equal(1, _fetcher.CollectFetch(1, sink));

        // P0's records stay buffered while it is paused, possibly for long: P1 must still be fetched.
        _subscriptions.Pause(P0);
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
        Assert.Equal([P1], LastFetchPartitions(1));
    }

    [Fact]
    public void Empty_responses_do_not_count_as_buffered_records()
    {
        _fetcher.SendFetches();
        PollUntilFetchesSent(1);
        RespondToLastFetch(1, Data(P0, 0), Data(P1, 0));
        var sink = new Sink();
        Assert.Equal(0, _fetcher.CollectFetch(10, sink));

        // Both partitions are at their end and nothing is buffered: the long poll goes out.
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
    }

    [Fact]
    public void Records_buffered_from_another_broker_do_not_hold_back_a_fetch()
    {
        using var t = new FetcherTests(p1Leader: Node2);
        t._fetcher.SendFetches();
        t.PollUntilFetchesSent(2);
        // Node 2 reports P1 at its end; node 1 (P0) brings three records.
        t.RespondToLastFetch(2, Data(P1, 0));
        t.RespondToLastFetch(1, Data(P0, 3, Batch(0, 3)));

        var sink = new Sink();
        Assert.Equal(1, t._fetcher.CollectFetch(1, sink));
        Assert.True(t._subscriptions.IsCaughtUp(P1, IsolationLevel.ReadUncommitted));

        // P1's broker holds nothing buffered: its long poll may go out while P0's records wait.
        Assert.Equal(1, t._fetcher.SendFetches());
        t.PollUntilFetchesSent(3);
        Assert.Equal([P1], t.LastFetchPartitions(2));
    }

    [Fact]
    public void Planning_is_skipped_until_something_that_decides_the_fetches_changes()
    {
        Assert.Equal(1, _fetcher.SendFetchesIfNeeded());
        PollUntilFetchesSent(1);
        Assert.Equal(-1, _fetcher.SendFetchesIfNeeded()); // the fetch is in flight; nothing changed

        RespondToLastFetch(1, Data(P0, 6, Batch(0, 3)), Data(P1, 6, Batch(0, 3)));
        Assert.Equal(0, _fetcher.SendFetchesIfNeeded()); // a response arrived: plan; both partitions are buffered
        Assert.Equal(-1, _fetcher.SendFetchesIfNeeded());

        var sink = new Sink();
        Assert.Equal(1, _fetcher.CollectFetch(1, sink)); // P0 moves from the queue into line
        Assert.Equal(0, _fetcher.SendFetchesIfNeeded());
        Assert.Equal(1, _fetcher.CollectFetch(1, sink)); // the next record of the same fetch: nothing changed
        Assert.Equal(-1, _fetcher.SendFetchesIfNeeded());

        Assert.Equal(2, _fetcher.CollectFetch(2, sink)); // P0's fetch is used up; P1's comes into line
        Assert.Equal(1, _fetcher.SendFetchesIfNeeded()); // P0 (offset 3 of 6) is fetched again
        PollUntilFetchesSent(2);
        Assert.Equal([P0], LastFetchPartitions(1));
        Assert.Equal(-1, _fetcher.SendFetchesIfNeeded());

        _subscriptions.Pause(P1); // a subscription change always plans again
        Assert.Equal(0, _fetcher.SendFetchesIfNeeded());
        SetLeaders(Node1, Node1); // so does new metadata
        Assert.Equal(0, _fetcher.SendFetchesIfNeeded());
        Assert.Equal(-1, _fetcher.SendFetchesIfNeeded());
    }

    [Fact]
    public void Pausing_the_partition_in_line_drops_its_rest_and_resume_fetches_it_again_from_the_position()
    {
        _fetcher.SendFetches();
        PollUntilFetchesSent(1);
        RespondToLastFetch(1, Data(P0, 3, Batch(0, 3)), Data(P1, 3, Batch(0, 3)));
        var sink = new Sink();
        Assert.Equal(1, _fetcher.CollectFetch(1, sink)); // P0 in line, one record read

        _subscriptions.Pause(P0);
        Assert.Equal(3, _fetcher.CollectFetch(10, sink)); // P1's records; P0's rest is dropped
        Assert.Equal([(P0, 0L), (P1, 0L), (P1, 1L), (P1, 2L)], sink.Records);
        Assert.Equal(1, _subscriptions.Position(P0)!.Value.Offset);

        _subscriptions.Resume(P0);
        Assert.Equal(1, _fetcher.SendFetches());
        PollUntilFetchesSent(2);
        var request = _selector.LastSent(ApiKey.Fetch, 1).Body<FetchRequest>();
        Assert.Equal(1, request.Topics.SelectMany(t => t.Partitions).Single(p => p.Partition == 0).FetchOffset);
        // The broker answers from the batch start; records before the position are skipped.
        RespondToLastFetch(1, Data(P0, 3, Batch(0, 3)), Data(P1, 3));
        Assert.Equal(2, _fetcher.CollectFetch(10, sink));
        Assert.Equal([(P0, 1L), (P0, 2L)], sink.Records.Skip(4));
    }
}
