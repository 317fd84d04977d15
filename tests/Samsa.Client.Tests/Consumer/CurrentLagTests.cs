using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;

namespace Samsa.Client.Tests.Consumer;

/// <summary>
/// Java's currentLag: the end of the log from the last fetch response (high watermark, or last stable
/// offset under read_committed) minus the position; unknown (null) until both are known.
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
        // Port 1 on loopback refuses connections: CurrentLag must answer from local state only.
        var config = new ConsumerConfig { BootstrapServers = "127.0.0.1:1" };
        using var consumer = new KafkaConsumer<byte[]?, byte[]?>(config, Deserializers.ByteArray, Deserializers.ByteArray);
        var e = Assert.Throws<InvalidOperationException>(() => consumer.CurrentLag(A));
        Assert.Contains("assigned", e.Message, StringComparison.Ordinal);

        consumer.Assign([A]);
        Assert.Null(consumer.CurrentLag(A));
        consumer.Seek(A, 7);
        Assert.Null(consumer.CurrentLag(A));
    }
}
