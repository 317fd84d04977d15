using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>
/// Encode and decode one batch of 1000 records with 100-byte values and no key (the shape of
/// kafka-producer-perf-test --record-size 100). Throughput = 100,000 payload bytes / mean time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRunConfig))]
public class RecordBatchBenchmarks
{
    private const int RecordCount = 1000;
    private const int ValueSize = 100;

    private readonly byte[][] _values = new byte[RecordCount][];
    private RecordBatchBuilder _builder = null!;
    private RecordBatchReader _reader = null!;
    private ReadOnlyMemory<byte> _batch;

    /// <summary>Codec of the batch.</summary>
    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Compression { get; set; }

    /// <summary>Builds the values (text-like, so LZ4 has something to find) and one encoded batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        string[] words = ["kafka", "record", "batch", "offset", "partition", "leader", "epoch", "producer", "\"id\":", "samsa"];
        for (var i = 0; i < RecordCount; i++)
        {
            var v = new byte[ValueSize];
            var p = 0;
            while (p < ValueSize)
            {
                var w = words[random.Next(words.Length)];
                for (var c = 0; c < w.Length && p < ValueSize; c++)
                    v[p++] = (byte)w[c];
                if (p < ValueSize)
                    v[p++] = (byte)('0' + random.Next(10));
            }
            _values[i] = v;
        }
        _builder = new RecordBatchBuilder(Compression, initialCapacity: 256 * 1024);
        _reader = new RecordBatchReader();
        using var encoder = new RecordBatchBuilder(Compression);
        Encode(encoder);
        _batch = encoder.Build().ToArray();
    }

    /// <summary>Returns the pooled buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _builder.Dispose();
        _reader.Dispose();
    }

    private int Encode(RecordBatchBuilder builder)
    {
        builder.Reset();
        var timestamp = 1_700_000_000_000L;
        for (var i = 0; i < RecordCount; i++)
            builder.Append(timestamp + i, default, _values[i], keyIsNull: true);
        return builder.Build().Length;
    }

    /// <summary>Append 1000 records and close the batch (compress, CRC).</summary>
    [Benchmark]
    public int EncodeBatch() => Encode(_builder);

    /// <summary>Validate the CRC, decompress, and visit every record.</summary>
    [Benchmark]
    public long DecodeBatch()
    {
        _reader.Reset(_batch);
        long sum = 0;
        while (_reader.TryReadBatch(out _))
        {
            while (_reader.TryReadRecord(out var record))
                sum += record.Offset + record.Value.Length;
        }
        return sum;
    }
}

/// <summary>
/// In-process (BenchmarkDotNet 0.14 cannot generate a project for .NET 10) and short (3 warm-up,
/// 10 measured iterations): the machine is shared, so numbers are indicative, not lab-grade.
/// </summary>
public sealed class InProcessShortRunConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public InProcessShortRunConfig()
    {
        AddJob(Job.ShortRun.WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance));
        // On a loaded machine the minimum is closer to the code's own speed than the mean.
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        Options |= ConfigOptions.DisableOptimizationsValidator;
    }
}
