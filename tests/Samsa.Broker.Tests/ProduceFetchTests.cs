using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class ProduceFetchTests
{
    internal static ProduceRequest Produce(string topic, int partition, byte[] records, short acks = -1, string? transactionalId = null) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TransactionalId = transactionalId,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records }],
            },
        ],
    };

    internal static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 0, int partitionMaxBytes = 1 << 20,
        sbyte isolation = 0, int sessionId = 0, int sessionEpoch = -1) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        IsolationLevel = isolation,
        SessionId = sessionId,
        SessionEpoch = sessionEpoch,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes }],
            },
        ],
    };

    internal static ProduceResponse.PartitionProduceResponse Single(ProduceResponse r) => r.Responses[0].PartitionResponses[0];

    internal static FetchResponse.PartitionData Single(FetchResponse r) => r.Responses[0].Partitions[0];

    [Fact]
    public async Task Produced_batches_get_consecutive_offsets_and_are_fetched_back()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var first = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(3, "a")), 9);
        var second = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(2, "b")), 9);
        Assert.Equal((short)ErrorCode.None, Single(first).ErrorCode);
        Assert.Equal(0, Single(first).BaseOffset);
        Assert.Equal(3, Single(second).BaseOffset);

        var fetch = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 0), 12);
        var data = Single(fetch);
        Assert.Equal(5, data.HighWatermark);
        Assert.Equal(["a0", "a1", "a2", "b0", "b1"], TestBatches.Values(data.Records));

        var fromMiddle = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 3), 11);
        Assert.Equal(["b0", "b1"], TestBatches.Values(Single(fromMiddle).Records));
    }

    [Fact]
    public async Task Batch_with_bad_crc_is_rejected_with_CORRUPT_MESSAGE()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var batch = TestBatches.Build(2);
        batch[^1] ^= 0xFF;
        var response = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, batch), 9);
        Assert.Equal((short)ErrorCode.CorruptMessage, Single(response).ErrorCode);
        Assert.Contains("CRC", Single(response).ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, cluster.HighWatermarkOf("t", 0));
    }

    [Fact]
    public async Task Idempotent_retry_returns_original_offset_and_gap_is_out_of_order()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var pid = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 }, 4);
        Assert.Equal((short)ErrorCode.None, pid.ErrorCode);
        var batch0 = TestBatches.Build(3, "x", pid.ProducerId, pid.ProducerEpoch, 0);
        var first = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, batch0), 9);
        var retry = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, batch0), 9);
        Assert.Equal((short)ErrorCode.None, Single(retry).ErrorCode);
        Assert.Equal(Single(first).BaseOffset, Single(retry).BaseOffset);
        Assert.Equal(3, cluster.HighWatermarkOf("t", 0));

        var gap = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "y", pid.ProducerId, pid.ProducerEpoch, 5)), 9);
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, Single(gap).ErrorCode);

        var next = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "z", pid.ProducerId, pid.ProducerEpoch, 3)), 9);
        Assert.Equal((short)ErrorCode.None, Single(next).ErrorCode);
        Assert.Equal(3, Single(next).BaseOffset);
    }

    [Fact]
    public async Task Sequence_older_than_cached_batches_is_DUPLICATE_SEQUENCE_NUMBER()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var pid = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 }, 4);
        for (int seq = 0; seq < 7; seq++)
        {
            var r = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "s", pid.ProducerId, pid.ProducerEpoch, seq)), 9);
            Assert.Equal((short)ErrorCode.None, Single(r).ErrorCode);
        }
        var old = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "s", pid.ProducerId, pid.ProducerEpoch, 0)), 9);
        Assert.Equal((short)ErrorCode.DuplicateSequenceNumber, Single(old).ErrorCode);
    }

    [Fact]
    public async Task Produce_to_non_leader_is_NOT_LEADER_OR_FOLLOWER_with_current_leader()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 2, Topics = ["t"] });
        int leader = cluster.LeaderOf("t", 0)!.Value;
        int other = cluster.BrokerIds.First(b => b != leader);
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(other));
        var response = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1)), 10);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, Single(response).ErrorCode);
        Assert.Equal(leader, Single(response).CurrentLeader.LeaderId);
        Assert.Contains(response.NodeEndpoints, e => e.NodeId == leader);

        cluster.MoveLeader("t", 0, other);
        var moved = await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1)), 10);
        Assert.Equal((short)ErrorCode.None, Single(moved).ErrorCode);
    }

    [Fact]
    public async Task Acks_zero_produce_gets_no_response_but_is_appended()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await conn.SendFrameAsync(KafkaFrame.EncodeRequest(Produce("t", 0, TestBatches.Build(2), acks: 0), 9, conn.NextCorrelationId()));
        // The next request's answer is the first frame on the wire: acks=0 produced nothing.
        var offsets = await conn.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(ListOffsetsTests.Latest("t", 0), 7);
        Assert.Equal(2, offsets.Topics[0].Partitions[0].Offset);
    }

    [Fact]
    public async Task Fetch_long_poll_returns_when_data_arrives()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var consumer = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await using var producer = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var fetch = consumer.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 0, maxWaitMs: 10_000, minBytes: 1), 12);
        await Task.Delay(100);
        Assert.False(fetch.IsCompleted);
        await producer.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "late")), 9);
        var response = await fetch;
        Assert.Equal(["late0"], TestBatches.Values(Single(response).Records));
    }

    [Fact]
    public async Task Fetch_returns_first_batch_whole_even_above_partition_max_bytes()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(10, "a")), 9);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(10, "b")), 9);
        var response = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 0, partitionMaxBytes: 10), 12);
        var values = TestBatches.Values(Single(response).Records);
        Assert.Equal(10, values.Count);
        Assert.Equal("a0", values[0]);
    }

    [Fact]
    public async Task Fetch_sessions_are_created_incremental_and_unknown_ids_rejected()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(2)), 9);

        var full = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 0, sessionEpoch: 0), 12);
        Assert.NotEqual(0, full.SessionId);
        Assert.Equal(2, TestBatches.Values(Single(full).Records).Count);

        // Incremental after consuming up to 2, nothing new: the partition is left out of the response.
        var incremental = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 2, sessionId: full.SessionId, sessionEpoch: 1), 12);
        Assert.Equal((short)ErrorCode.None, incremental.ErrorCode);
        Assert.Empty(incremental.Responses);

        // New data shows up at the cached fetch offset without the client naming the partition.
        await conn.SendAsync<ProduceRequest, ProduceResponse>(Produce("t", 0, TestBatches.Build(1, "n")), 9);
        var moved = await conn.SendAsync<FetchRequest, FetchResponse>(new FetchRequest { SessionId = full.SessionId, SessionEpoch = 2 }, 12);
        Assert.Equal(["n0"], TestBatches.Values(Single(moved).Records));

        var wrongEpoch = await conn.SendAsync<FetchRequest, FetchResponse>(new FetchRequest { SessionId = full.SessionId, SessionEpoch = 7 }, 12);
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, wrongEpoch.ErrorCode);
        var unknown = await conn.SendAsync<FetchRequest, FetchResponse>(new FetchRequest { SessionId = 424242, SessionEpoch = 1 }, 12);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, unknown.ErrorCode);
    }

    [Fact]
    public async Task Fetch_out_of_range_offset_is_OFFSET_OUT_OF_RANGE()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var response = await conn.SendAsync<FetchRequest, FetchResponse>(Fetch("t", 0, 50), 12);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, Single(response).ErrorCode);
    }
}
