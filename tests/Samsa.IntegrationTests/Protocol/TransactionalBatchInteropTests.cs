using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Protocol;

/// <summary>Idempotent and transactional batches written by librdkafka, read with Samsa's record batch reader.</summary>
public sealed class TransactionalBatchInteropTests
{
    [Fact]
    public async Task Idempotent_kcat_batch_carries_producer_id_epoch_and_sequence()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("idem", partitions: 1);

        await Kcat.ProduceAsync(cluster.BootstrapServers, "idem", ["a", "b", "c"], partition: 0, extraArgs: ["-X", "enable.idempotence=true", "-X", "linger.ms=300"]);
        var batches = await FetchBatchesAsync(cluster, "idem", isolationLevel: 0);

        var batch = Assert.Single(batches);
        Assert.True(batch.Header.ProducerId >= 0, $"producer id {batch.Header.ProducerId}");
        Assert.True(batch.Header.ProducerEpoch >= 0);
        Assert.Equal(0, batch.Header.BaseSequence);
        Assert.False(batch.Header.IsTransactional);
        Assert.Equal(["a", "b", "c"], batch.Values);
    }

    [Fact]
    public async Task Committed_kcat_transaction_reads_as_a_transactional_batch()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("txn", partitions: 1);

        await Kcat.ProduceAsync(cluster.BootstrapServers, "txn", ["t1", "t2"], partition: 0, extraArgs: ["-X", "transactional.id=interop-txn", "-X", "linger.ms=300"]);
        var batches = await FetchBatchesAsync(cluster, "txn", isolationLevel: 1);

        // librdkafka 2.0.2's mock writes no commit/abort markers (EndTxn only updates its state), so
        // the partition holds just the data batch; control batches are covered by the records tests.
        var data = Assert.Single(batches);
        Assert.True(data.Header.IsTransactional);
        Assert.False(data.Header.IsControlBatch);
        Assert.True(data.Header.ProducerId >= 0);
        Assert.Equal(["t1", "t2"], data.Values);
    }

    private sealed record FetchedBatch(RecordBatchHeader Header, List<string?> Values, List<ControlRecordType> Markers);

    private static async Task<List<FetchedBatch>> FetchBatchesAsync(MockCluster cluster, string topic, sbyte isolationLevel)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(cluster.Broker(1).Address);
        var batches = new List<FetchedBatch>();
        long offset = 0;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var response = await connection.SendAsync<FetchRequest, FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 50,
                MinBytes = 1,
                IsolationLevel = isolationLevel,
                Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1024 * 1024 }] }],
            }, 11);
            var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            var before = batches.Count;
            using var reader = new RecordBatchReader(partition.Records ?? default);
            while (reader.TryReadBatch(out var header))
            {
                if (header.LastOffset < offset)
                {
                    continue;
                }
                var values = new List<string?>();
                var markers = new List<ControlRecordType>();
                while (reader.TryReadRecord(out var record))
                {
                    if (header.IsControlBatch)
                    {
                        Assert.True(EndTransactionMarker.TryRead(record, out var marker));
                        markers.Add(marker.Type);
                    }
                    else
                    {
                        values.Add(record.IsValueNull ? null : System.Text.Encoding.UTF8.GetString(record.Value.Span));
                    }
                }
                batches.Add(new FetchedBatch(header, values, markers));
                offset = header.NextOffset;
            }
            if (batches.Count == before)
            {
                break;
            }
        }
        return batches;
    }
}
