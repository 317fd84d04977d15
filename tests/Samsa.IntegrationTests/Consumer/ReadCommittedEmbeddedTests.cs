using System.Text;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>
/// read_committed end to end on the embedded broker, which writes real commit/abort markers and
/// reports aborted transactions (librdkafka's mock writes no markers). The Samsa producer has no
/// transactions, so the transactions are driven with raw requests.
/// </summary>
public sealed class ReadCommittedEmbeddedTests(ITestOutputHelper output)
{
    private const string Topic = "rc";

    private sealed class RawTransaction(RawKafkaConnection connection, string transactionalId, InitProducerIdResponse pid)
    {
        private readonly Dictionary<int, int> _sequences = [];

        public static async Task<RawTransaction> BeginAsync(RawKafkaConnection connection, string transactionalId)
        {
            var pid = await connection.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(
                new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = 60000 }, 4);
            Assert.Equal((short)ErrorCode.None, pid.ErrorCode);
            var added = await connection.SendAsync<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
            {
                V3AndBelowTransactionalId = transactionalId,
                V3AndBelowProducerId = pid.ProducerId,
                V3AndBelowProducerEpoch = pid.ProducerEpoch,
                V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = Topic, Partitions = [0, 1] }],
            }, 3);
            Assert.All(added.ResultsByTopicV3AndBelow.SelectMany(t => t.ResultsByPartition), p => Assert.Equal((short)ErrorCode.None, p.PartitionErrorCode));
            return new RawTransaction(connection, transactionalId, pid);
        }

        public async Task ProduceAsync(int partition, CompressionType compression, params string[] values)
        {
            using var builder = new RecordBatchBuilder(compression);
            foreach (var value in values) builder.Append(1_700_000_000_000, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes(value));
            var sequence = _sequences.GetValueOrDefault(partition);
            builder.SetProducerState(pid.ProducerId, pid.ProducerEpoch, sequence, isTransactional: true);
            _sequences[partition] = sequence + values.Length;
            var response = await connection.SendAsync<ProduceRequest, ProduceResponse>(new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 5000,
                TransactionalId = transactionalId,
                TopicData = [new ProduceRequest.TopicProduceData
                {
                    Name = Topic,
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = builder.Build() }],
                }],
            }, 9);
            Assert.Equal((short)ErrorCode.None, response.Responses[0].PartitionResponses[0].ErrorCode);
        }

        public async Task EndAsync(bool commit)
        {
            var ended = await connection.SendAsync<EndTxnRequest, EndTxnResponse>(new EndTxnRequest
            {
                TransactionalId = transactionalId,
                ProducerId = pid.ProducerId,
                ProducerEpoch = pid.ProducerEpoch,
                Committed = commit,
            }, 3);
            Assert.Equal((short)ErrorCode.None, ended.ErrorCode);
        }
    }

    private KafkaConsumer<string?, string?> CreateConsumer(string bootstrap, IsolationLevel isolation) =>
        new(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            IsolationLevel = isolation,
        }, Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(output));

    private static List<ConsumeResult<string?, string?>> ReadUntil(KafkaConsumer<string?, string?> consumer, Func<List<ConsumeResult<string?, string?>>, bool> done)
    {
        var result = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!done(result) && DateTime.UtcNow < deadline) result.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(100)));
        return result;
    }

    [Fact]
    public async Task Read_committed_sees_only_committed_records_and_read_uncommitted_sees_every_data_record()
    {
        await using var cluster = await EmbeddedTestCluster.StartAsync(1);
        cluster.CreateTopic(Topic, partitions: 2);
        await using (var connection = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers))
        {
            // Two transactions interleaved on both partitions: the aborted batches sit between committed ones.
            var committed = await RawTransaction.BeginAsync(connection, "tx-commit");
            var aborted = await RawTransaction.BeginAsync(connection, "tx-abort");
            await committed.ProduceAsync(0, CompressionType.None, "c0-0", "c0-1");
            await aborted.ProduceAsync(0, CompressionType.None, "x0-0", "x0-1", "x0-2");
            await committed.ProduceAsync(0, CompressionType.Lz4, "c0-2");
            await aborted.ProduceAsync(1, CompressionType.Zstd, "x1-0");
            await committed.ProduceAsync(1, CompressionType.Gzip, "c1-0", "c1-1");
            await aborted.ProduceAsync(0, CompressionType.None, "x0-3");
            await aborted.EndAsync(commit: false);
            await committed.EndAsync(commit: true);
        }
        // Plain (non-transactional) records after the markers.
        await using (var producer = new KafkaProducer<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }, Serializers.Utf8, Serializers.Utf8))
        {
            await producer.ProduceAsync(Topic, new ProducerRecord<string, string>("k", "p0-0") { Partition = 0 });
            await producer.ProduceAsync(Topic, new ProducerRecord<string, string>("k", "p1-0") { Partition = 1 });
        }
        // p0: 7 transactional records + 2 markers + 1 plain; p1: 3 + 2 + 1.
        Assert.Equal(10, cluster.Cluster.HighWatermarkOf(Topic, 0));
        Assert.Equal(6, cluster.Cluster.HighWatermarkOf(Topic, 1));
        TopicPartition[] partitions = [new(Topic, 0), new(Topic, 1)];

        using (var readCommitted = CreateConsumer(cluster.BootstrapServers, IsolationLevel.ReadCommitted))
        {
            readCommitted.Assign(partitions);
            var read = ReadUntil(readCommitted, r => r.Count(x => x.Value!.StartsWith('p')) == 2);
            Assert.Equal(["c0-0", "c0-1", "c0-2", "p0-0"], read.Where(r => r.Partition == 0).Select(r => r.Value));
            Assert.Equal(["c1-0", "c1-1", "p1-0"], read.Where(r => r.Partition == 1).Select(r => r.Value));
            // The plain records come after both markers: offsets 9 and 5.
            Assert.Equal(9, read.Single(r => r.Value == "p0-0").Offset);
            Assert.Equal(5, read.Single(r => r.Value == "p1-0").Offset);
        }

        using var readUncommitted = CreateConsumer(cluster.BootstrapServers, IsolationLevel.ReadUncommitted);
        readUncommitted.Assign(partitions);
        var all = ReadUntil(readUncommitted, r => r.Count(x => x.Value!.StartsWith('p')) == 2);
        Assert.Equal(["c0-0", "c0-1", "x0-0", "x0-1", "x0-2", "c0-2", "x0-3", "p0-0"], all.Where(r => r.Partition == 0).Select(r => r.Value));
        Assert.Equal(["x1-0", "c1-0", "c1-1", "p1-0"], all.Where(r => r.Partition == 1).Select(r => r.Value));
        // No control record surfaces: offsets of the markers (7, 8 on p0; 3, 4 on p1) are skipped.
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 9], all.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal([0L, 1, 2, 5], all.Where(r => r.Partition == 1).Select(r => r.Offset));
    }
}
