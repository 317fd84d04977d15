using BenchmarkDotNet.Attributes;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol.Compression;

namespace Samsa.Benchmarks;

/// <summary>
/// The producer's hot path: appending 100-byte records to the accumulator. Batches are drained and
/// returned to the pool every 1000 records as the sender would, so the steady state is measured:
/// [MemoryDiagnoser] should show no allocation per record (only per batch).
/// </summary>
[MemoryDiagnoser]
public class ProducerAccumulatorBenchmarks
{
    private const int RecordsPerInvoke = 1000;
    private static readonly TopicPartition Tp = new("bench", 0);
    private readonly byte[] _key = new byte[16];
    private readonly byte[] _value = new byte[100];
    private RecordAccumulator _accumulator = null!;
    private IProducerCluster _cluster = null!;

    [GlobalSetup]
    public void Setup()
    {
        var pool = new BufferPool(32 * 1024 * 1024, 16384, TimeProvider.System);
        _accumulator = new RecordAccumulator(16384, CompressionType.None, 0, 100, 1000, 120_000, pool, TimeProvider.System, null);
        _cluster = new SingleNodeCluster();
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public void Append_100_byte_records()
    {
        long ts = 1_700_000_000_000;
        for (int i = 0; i < RecordsPerInvoke; i++)
            _accumulator.TryAppend(Tp, ts, _key, false, _value, false, null, null, null);
        foreach (var batch in _accumulator.Drain(_cluster, [0], int.MaxValue, ts)[0])
        {
            batch.Complete(0, -1, null);
            _accumulator.Deallocate(batch);
        }
        while (_accumulator.QueuedBatchCount(Tp) > 0)
        {
            foreach (var batch in _accumulator.Drain(_cluster, [0], int.MaxValue, ts)[0])
            {
                batch.Complete(0, -1, null);
                _accumulator.Deallocate(batch);
            }
        }
    }

    private sealed class SingleNodeCluster : IProducerCluster
    {
        private readonly IReadOnlyList<TopicPartition> _partitions = [Tp];

        public int PartitionCount(string topic) => 1;

        public int LeaderFor(TopicPartition partition) => 0;

        public IReadOnlyList<TopicPartition> PartitionsForNode(int nodeId) => _partitions;
    }
}
