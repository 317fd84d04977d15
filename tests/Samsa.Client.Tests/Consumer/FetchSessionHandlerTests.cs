using Samsa.Client.Consumer;
using Samsa.Protocol;
using Samsa.Client.Metadata;

namespace Samsa.Client.Tests.Consumer;

public class FetchSessionHandlerTests
{
    static readonly TopicPartition A = new("t", 0);
    static readonly TopicPartition B = new("t", 1);
    static readonly TopicPartition C = new("u", 0);

    static (TopicPartition, FetchRequestPartitionData) P(TopicPartition tp, long offset) => (tp, new FetchRequestPartitionData(offset, -1, 1024));

    [Fact]
    public void First_request_is_full_and_opens_a_session()
    {
        var h = new FetchSessionHandler(1);
        var data = h.Build([P(A, 0), P(B, 0)]);
        Assert.Equal(FetchMetadata.Initial, data.Metadata);
        Assert.Equal(2, data.ToSend.Count);
        Assert.True(h.HandleResponse(ErrorCode.None, 42, 0, [A, B], out _));
        Assert.Equal(new FetchMetadata(42, 1), h.NextMetadata);
    }

    [Fact]
    public void Incremental_request_sends_only_changes_and_forgets_removed_partitions()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0), P(B, 0)]);
        h.HandleResponse(ErrorCode.None, 42, 0, [A, B], out _);

        var data = h.Build([P(A, 5), P(C, 0)]);
        Assert.Equal(new FetchMetadata(42, 1), data.Metadata);
        Assert.Equal([A, C], data.ToSend.Keys.Order(TopicPartitionComparer.Instance).ToList());
        Assert.Equal([B], data.ToForget);
        Assert.Equal(5, data.SessionPartitions[A].FetchOffset);

        // An incremental response may omit unchanged partitions.
        Assert.True(h.HandleResponse(ErrorCode.None, 42, 0, [C], out _));
        Assert.Equal(new FetchMetadata(42, 2), h.NextMetadata);

        var unchanged = h.Build([P(A, 5), P(C, 0)]);
        Assert.Empty(unchanged.ToSend);
        Assert.Empty(unchanged.ToForget);
    }

    [Fact]
    public void Session_not_found_falls_back_to_a_new_full_fetch()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0)]);
        h.HandleResponse(ErrorCode.None, 42, 0, [A], out _);
        h.Build([P(A, 3)]);
        Assert.False(h.HandleResponse(ErrorCode.FetchSessionIdNotFound, 0, 0, [], out var problem));
        Assert.Contains("FetchSessionIdNotFound", problem, StringComparison.Ordinal);
        Assert.Equal(FetchMetadata.Initial, h.NextMetadata);
        var data = h.Build([P(A, 3), P(B, 0)]);
        Assert.Equal(2, data.ToSend.Count);
        Assert.True(data.Metadata.IsFull);
    }

    [Fact]
    public void Other_errors_close_the_existing_session()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0)]);
        h.HandleResponse(ErrorCode.None, 42, 0, [A], out _);
        h.Build([P(A, 1)]);
        Assert.False(h.HandleResponse(ErrorCode.InvalidFetchSessionEpoch, 42, 0, [], out _));
        Assert.Equal(new FetchMetadata(42, 0), h.NextMetadata);
        Assert.True(h.NextMetadata.IsFull);
    }

    [Fact]
    public void Incremental_response_with_unknown_partition_is_refused()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0)]);
        h.HandleResponse(ErrorCode.None, 42, 0, [A], out _);
        h.Build([P(A, 1)]);
        Assert.False(h.HandleResponse(ErrorCode.None, 42, 0, [C], out var problem));
        Assert.Contains("u-0", problem, StringComparison.Ordinal);
        Assert.True(h.NextMetadata.IsFull);
    }

    [Fact]
    public void Broker_closing_the_session_means_a_full_fetch_next()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0)]);
        h.HandleResponse(ErrorCode.None, 42, 0, [A], out _);
        h.Build([P(A, 1)]);
        Assert.True(h.HandleResponse(ErrorCode.None, 0, 0, [A], out _));
        Assert.Equal(FetchMetadata.Initial, h.NextMetadata);
    }

    [Fact]
    public void Disconnect_closes_the_session_and_epoch_wraps_to_one()
    {
        var h = new FetchSessionHandler(1);
        h.Build([P(A, 0)]);
        h.HandleResponse(ErrorCode.None, 7, 0, [A], out _);
        h.HandleError();
        Assert.Equal(new FetchMetadata(7, 0), h.NextMetadata);
        Assert.Equal(1, new FetchMetadata(7, int.MaxValue).NextIncremental().Epoch);
    }

    [Fact]
    public void Legacy_brokers_always_get_full_fetches()
    {
        var h = new FetchSessionHandler(1, sessionsSupported: false);
        h.Build([P(A, 0)]);
        Assert.True(h.HandleResponse(ErrorCode.None, 0, 0, [A], out _));
        Assert.Equal(FetchMetadata.Legacy, h.NextMetadata);
        Assert.Single(h.Build([P(A, 1)]).ToSend);
    }
}
