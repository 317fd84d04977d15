using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class TransactionTests
{
    private static AddPartitionsToTxnRequest AddPartition(string txnId, InitProducerIdResponse pid, string topic, int partition) => new()
    {
        V3AndBelowTransactionalId = txnId,
        V3AndBelowProducerId = pid.ProducerId,
        V3AndBelowProducerEpoch = pid.ProducerEpoch,
        V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [partition] }],
    };

    private static EndTxnRequest End(string txnId, InitProducerIdResponse pid, bool commit) =>
        new() { TransactionalId = txnId, ProducerId = pid.ProducerId, ProducerEpoch = pid.ProducerEpoch, Committed = commit };

    [Fact]
    public async Task Open_transaction_holds_back_the_LSO_and_abort_is_reported_to_read_committed_fetches()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var pid = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 60000 }, 4);
        Assert.Equal((short)ErrorCode.None, pid.ErrorCode);

        var notAdded = await conn.SendAsync<ProduceRequest, ProduceResponse>(
            ProduceFetchTests.Produce("t", 0, TestBatches.Build(1, "x", pid.ProducerId, pid.ProducerEpoch, 0, transactional: true), transactionalId: "tx"), 9);
        Assert.Equal((short)ErrorCode.InvalidTxnState, ProduceFetchTests.Single(notAdded).ErrorCode);

        var added = await conn.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(AddPartition("tx", pid, "t", 0), 3);
        Assert.Equal((short)ErrorCode.None, added.ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode);
        var produced = await conn.SendAsync<ProduceRequest, ProduceResponse>(
            ProduceFetchTests.Produce("t", 0, TestBatches.Build(3, "a", pid.ProducerId, pid.ProducerEpoch, 0, transactional: true), transactionalId: "tx"), 9);
        Assert.Equal((short)ErrorCode.None, ProduceFetchTests.Single(produced).ErrorCode);

        var committedView = ProduceFetchTests.Single(await conn.SendAsync<FetchRequest, FetchResponse>(ProduceFetchTests.Fetch("t", 0, 0, isolation: 1), 11));
        Assert.Equal(3, committedView.HighWatermark);
        Assert.Equal(0, committedView.LastStableOffset);
        Assert.Empty(TestBatches.Values(committedView.Records));

        var ended = await conn.SendAsync<EndTxnRequest, EndTxnResponse>(End("tx", pid, commit: false), 3);
        Assert.Equal((short)ErrorCode.None, ended.ErrorCode);

        var afterAbort = ProduceFetchTests.Single(await conn.SendAsync<FetchRequest, FetchResponse>(ProduceFetchTests.Fetch("t", 0, 0, isolation: 1), 11));
        Assert.Equal(4, afterAbort.HighWatermark); // 3 records + the abort marker
        Assert.Equal(4, afterAbort.LastStableOffset);
        var aborted = Assert.Single(afterAbort.AbortedTransactions!);
        Assert.Equal(pid.ProducerId, aborted.ProducerId);
        Assert.Equal(0, aborted.FirstOffset);

        // Second transaction commits: no aborted entry for it, LSO reaches the high watermark.
        await conn.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(AddPartition("tx", pid, "t", 0), 3);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(
            ProduceFetchTests.Produce("t", 0, TestBatches.Build(2, "c", pid.ProducerId, pid.ProducerEpoch, 3, transactional: true), transactionalId: "tx"), 9);
        Assert.Equal((short)ErrorCode.None, (await conn.SendAsync<EndTxnRequest, EndTxnResponse>(End("tx", pid, commit: true), 3)).ErrorCode);
        var afterCommit = ProduceFetchTests.Single(await conn.SendAsync<FetchRequest, FetchResponse>(ProduceFetchTests.Fetch("t", 0, 4, isolation: 1), 11));
        Assert.Equal(7, afterCommit.LastStableOffset);
        Assert.Equal(["c0", "c1"], TestBatches.Values(afterCommit.Records));
        Assert.Empty(afterCommit.AbortedTransactions!);
    }

    [Fact]
    public async Task Reinitialising_a_transactional_id_fences_the_old_epoch_and_aborts_its_transaction()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var first = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 60000 }, 3);
        await conn.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(AddPartition("tx", first, "t", 0), 3);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(
            ProduceFetchTests.Produce("t", 0, TestBatches.Build(1, "a", first.ProducerId, first.ProducerEpoch, 0, transactional: true), transactionalId: "tx"), 9);

        var second = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 60000 }, 3);
        Assert.Equal(first.ProducerId, second.ProducerId);
        Assert.Equal(first.ProducerEpoch + 1, second.ProducerEpoch);
        Assert.Equal(cluster.HighWatermarkOf("t", 0), cluster.State.Find("t", 0)!.Log.LastStableOffset);

        var fenced = await conn.SendAsync<EndTxnRequest, EndTxnResponse>(End("tx", first, commit: true), 3);
        Assert.Equal((short)ErrorCode.ProducerFenced, fenced.ErrorCode);
    }

    [Fact]
    public async Task Transactional_offsets_become_visible_only_on_commit()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var pid = await conn.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 60000 }, 3);
        var addOffsets = await conn.SendAsync<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(
            new AddOffsetsToTxnRequest { TransactionalId = "tx", ProducerId = pid.ProducerId, ProducerEpoch = pid.ProducerEpoch, GroupId = "g" }, 3);
        Assert.Equal((short)ErrorCode.None, addOffsets.ErrorCode);
        var commit = await conn.SendAsync<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
        {
            TransactionalId = "tx", GroupId = "g", ProducerId = pid.ProducerId, ProducerEpoch = pid.ProducerEpoch,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = "t", Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42 }] }],
        }, 3);
        Assert.Equal((short)ErrorCode.None, commit.Topics[0].Partitions[0].ErrorCode);

        var fetchRequest = new OffsetFetchRequest { GroupId = "g", RequireStable = true, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0] }] };
        var pending = await conn.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(fetchRequest, 7);
        Assert.Equal((short)ErrorCode.UnstableOffsetCommit, pending.Topics[0].Partitions[0].ErrorCode);

        await conn.SendAsync<EndTxnRequest, EndTxnResponse>(End("tx", pid, commit: true), 3);
        var visible = await conn.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(fetchRequest, 7);
        Assert.Equal(42, visible.Topics[0].Partitions[0].CommittedOffset);
    }
}
