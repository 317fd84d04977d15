using System.Numerics;

namespace Samsa.Cli.Perf;

/// <summary>
/// A fixed-size log-linear histogram of latencies in microseconds (HdrHistogram's layout with 1024
/// sub-buckets: values below 1024 us are exact, larger ones within 0.2%). Recording is lock-free and
/// allocation-free, so producer callbacks on any thread can record into it.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 10;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int HalfSubBucketCount = SubBucketCount / 2;
    private const int BucketCount = 64 - SubBucketBits + 1;
    private readonly long[] _counts = new long[(BucketCount + 1) * HalfSubBucketCount];
    private long _count;
    private long _sum;
    private long _max;

    /// <summary>Number of recorded values.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Largest recorded value in microseconds.</summary>
    public long MaxMicros => Volatile.Read(ref _max);

    /// <summary>Mean in microseconds (0 when empty).</summary>
    public double MeanMicros => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records one latency; negative values count as 0.</summary>
    public void Record(long micros)
    {
        if (micros < 0)
            micros = 0;
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        var max = Volatile.Read(ref _max);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, micros, max);
            if (seen == max)
                break;
            max = seen;
        }
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values fall
    /// (the bucket's highest equivalent value, capped at the maximum), in microseconds.
    /// </summary>
    public long PercentileMicros(double percentile)
    {
        var total = Count;
        if (total == 0)
            return 0;
        // Rounded first so 99.9% of 1000 is rank 999, not 1000 through floating-point noise.
        var rank = (long)Math.Ceiling(Math.Round(percentile / 100.0 * total, 6));
        if (rank < 1)
            rank = 1;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
                return Math.Min(HighestEquivalent(i), MaxMicros);
        }
        return MaxMicros;
    }

    internal static int IndexOf(long value)
    {
        // Bucket b holds values whose highest set bit is b+9 (b >= 1); bucket 0 holds 0..1023 exactly.
        var bucket = 63 - BitOperations.LeadingZeroCount((ulong)value | (SubBucketCount - 1)) - (SubBucketBits - 1);
        var sub = (int)(value >> bucket);
        return (bucket * HalfSubBucketCount) + sub;
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount)
            return index;
        var bucket = (index / HalfSubBucketCount) - 1;
        var sub = index - (bucket * HalfSubBucketCount);
        return ((long)(sub + 1) << bucket) - 1;
    }
}
