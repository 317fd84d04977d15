using System.Diagnostics;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>
/// A quick best-of-N throughput check (<c>dotnet run -c Release -- records-quick</c>) for when the
/// machine is too loaded for BenchmarkDotNet's means to say anything: the fastest of many short
/// runs approximates the speed of the code on one uncontended core. Same workload as
/// <see cref="RecordBatchBenchmarks"/>: 1000 records with 100-byte values and no key per batch.
/// </summary>
internal static class RecordBatchThroughput
{
    private const int RecordCount = 1000;
    private const int ValueSize = 100;

    public static void Run()
    {
        var values = MakeValues();
        const double payloadMb = RecordCount * ValueSize / 1e6;
        Console.WriteLine($"payload per batch: {RecordCount} x {ValueSize} B = {payloadMb * 1000:F0} KB; best of 300 rounds x 10 batches (gzip 20 x 2)");
        foreach (var compression in new[] { CompressionType.None, CompressionType.Lz4, CompressionType.Snappy, CompressionType.Zstd, CompressionType.Gzip })
        {
            using var builder = new RecordBatchBuilder(compression, initialCapacity: 256 * 1024);
            using var reader = new RecordBatchReader();
            long Encode()
            {
                builder.Reset();
                for (var i = 0; i < RecordCount; i++)
                    builder.Append(1_700_000_000_000 + i, default, values[i], keyIsNull: true);
                return builder.Build().Length;
            }
            var wire = Encode();
            var batch = builder.Build().ToArray();
            long Decode()
            {
                reader.Reset(batch);
                long sum = 0;
                while (reader.TryReadBatch(out _))
                    while (reader.TryReadRecord(out var r))
                        sum += r.Offset + r.Value.Length;
                return sum;
            }
            // Short rounds (about a millisecond) so that some fall between the scheduler's preemptions.
            var rounds = compression == CompressionType.Gzip ? 20 : 300;
            var perRound = compression == CompressionType.Gzip ? 2 : 10;
            var (encodeUs, encodeAlloc) = Best(Encode, rounds, perRound);
            var (decodeUs, decodeAlloc) = Best(Decode, rounds, perRound);
            Console.WriteLine($"{compression,-7} wire {wire,7} B | encode {encodeUs,7:F1} us = {payloadMb / encodeUs * 1e6,6:F0} MB/s, {encodeAlloc} B/batch | decode {decodeUs,7:F1} us = {payloadMb / decodeUs * 1e6,6:F0} MB/s, {decodeAlloc} B/batch");
        }
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        var (crcUs, _) = Best(() => Crc32C.Compute(data), 300, 2);
        Console.WriteLine($"CRC-32C of 1 MB: {crcUs:F1} us = {1.048576 / crcUs * 1e6:F0} MB/s");
    }

    private static (double Microseconds, long AllocatedPerCall) Best(Func<long> action, int rounds, int perRound)
    {
        for (var i = 0; i < perRound; i++)
            action();
        var best = double.MaxValue;
        var allocated = 0L;
        for (var r = 0; r < rounds; r++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perRound; i++)
                action();
            var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / perRound;
            allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / perRound;
            best = Math.Min(best, us);
        }
        return (best, allocated);
    }

    private static byte[][] MakeValues()
    {
        var random = new Random(1);
        string[] words = ["kafka", "record", "batch", "offset", "partition", "leader", "epoch", "producer", "\"id\":", "samsa"];
        var values = new byte[RecordCount][];
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
            values[i] = v;
        }
        return values;
    }
}
