using BenchmarkDotNet.Attributes;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks;

/// <summary>
/// The consumer's per-record cost after a fetch response arrived: lazy parse of one partition's
/// records (10 batches x 1000 records of 100 bytes) through CompletedFetch into a sink, as
/// KafkaConsumer.Poll does before deserializing.
/// </summary>
[MemoryDiagnoser]
public class ConsumerFetchBenchmarks
{
    const int Batches = 10;
    const int PerBatch = 1000;
    byte[] _records = [];
    readonly RecordBatchReader _reader = new();
    readonly CountingSink _sink = new();

    [Params(CompressionType.None, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var value = new byte[100];
        Random.Shared.NextBytes(value);
        var all = new List<byte>();
        for (var b = 0; b < Batches; b++)
        {
            using var builder = new RecordBatchBuilder(Compression, b * PerBatch);
            for (var i = 0; i < PerBatch; i++) builder.Append(1_700_000_000_000 + i, default, value, keyIsNull: true);
            all.AddRange(builder.Build().ToArray());
        }
        _records = [.. all];
    }

    [Benchmark(OperationsPerInvoke = Batches * PerBatch)]
    public int ParseAllRecords()
    {
        var fetch = new CompletedFetch(new TopicPartition("bench", 0), 0, new FetchResponse.PartitionData { Records = _records }, 12);
        fetch.Initialize(_reader, IsolationLevel.ReadUncommitted);
        var total = 0;
        while (!fetch.IsConsumed) total += fetch.ReadRecords(500, IsolationLevel.ReadUncommitted, _sink);
        return total;
    }

    sealed class CountingSink : IFetchedRecordSink
    {
        public int Count { get; private set; }

        public long Bytes { get; private set; }

        public void Add(TopicPartition partition, in Record record, int leaderEpoch)
        {
            Count++;
            Bytes += record.Value.Length;
        }
    }
}
