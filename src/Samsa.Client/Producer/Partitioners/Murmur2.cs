using System.Buffers.Binary;

namespace Samsa.Client.Producer.Partitioners;

/// <summary>
/// The 32-bit murmur2 hash exactly as the Java client's <c>Utils.murmur2</c> computes it (seed
/// 0x9747b28c, little-endian 4-byte blocks), so keyed records land on the same partitions as with
/// Java producers and librdkafka's murmur2_random partitioner.
/// </summary>
public static class Murmur2
{
    /// <summary>The hash of <paramref name="data"/>.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        int length = data.Length;
        uint h = 0x9747b28c ^ (uint)length;
        int length4 = length & ~3;
        for (int i = 0; i < length4; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4));
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[length4 + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[length4 + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[length4];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>Java's key partitioning: <c>(murmur2(key) &amp; 0x7fffffff) % numPartitions</c>.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int numPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        return (Hash(key) & 0x7fffffff) % numPartitions;
    }
}
