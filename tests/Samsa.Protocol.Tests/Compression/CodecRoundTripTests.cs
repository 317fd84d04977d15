using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Compression;

public class CodecRoundTripTests
{
    public static TheoryData<CompressionType> Codecs => new() { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd };

    public static TheoryData<CompressionType, int> CodecsAndSizes()
    {
        var data = new TheoryData<CompressionType, int>();
        int[] sizes = [0, 1, 3, 15, 100, 4095, 65535, 65536, 65537, 200_000];
        foreach (var type in new[] { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
            foreach (var size in sizes)
                data.Add(type, size);
        return data;
    }

    internal static byte[] Compressible(int size, int seed)
    {
        // Words from a small vocabulary with random separators: compresses well, but not trivially.
        var random = new Random(seed);
        string[] words = ["kafka", "record", "batch", "offset", "partition", "leader", "epoch", "producer", "consumer", "samsa", "\n", "{\"id\":", "}"];
        var bytes = new byte[size];
        var p = 0;
        while (p < size)
        {
            var w = words[random.Next(words.Length)];
            for (var i = 0; i < w.Length && p < size; i++)
                bytes[p++] = (byte)w[i];
            if (p < size)
                bytes[p++] = (byte)(random.Next(4) == 0 ? random.Next(256) : ' ');
        }
        return bytes;
    }

    internal static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static byte[] Compress(CompressionType type, ReadOnlySpan<byte> data)
    {
        using var output = new ByteBufferWriter();
        CompressionCodecs.Get(type).Compress(data, output);
        return output.ToArray();
    }

    internal static byte[] Decompress(CompressionType type, ReadOnlySpan<byte> data, int max = int.MaxValue)
    {
        using var output = new ByteBufferWriter();
        var n = CompressionCodecs.Get(type).Decompress(data, output, max);
        Assert.Equal(output.WrittenCount, n);
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(CodecsAndSizes))]
    public void Compressible_data_round_trips(CompressionType type, int size)
    {
        var data = Compressible(size, size);
        var compressed = Compress(type, data);
        Assert.Equal(data, Decompress(type, compressed));
        if (size >= 4095)
            Assert.True(compressed.Length < data.Length / 2, $"{type} compressed {size} bytes of text to only {compressed.Length}");
    }

    [Theory]
    [MemberData(nameof(CodecsAndSizes))]
    public void Random_data_round_trips(CompressionType type, int size)
    {
        var data = Random(size, size + 7);
        Assert.Equal(data, Decompress(type, Compress(type, data)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Five_megabytes_round_trip(CompressionType type)
    {
        var data = Compressible(5 * 1024 * 1024, 5);
        Random(100_000, 1).CopyTo(data, 2_000_000);
        Assert.Equal(data, Decompress(type, Compress(type, data)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Long_runs_of_one_byte_round_trip(CompressionType type)
    {
        // Overlapping matches (offset 1) and long match lengths exercise the length extensions.
        var data = new byte[300_000];
        data.AsSpan(1000, 200_000).Fill(0xAB);
        for (var i = 250_000; i < data.Length; i++)
            data[i] = (byte)(i % 3);
        Assert.Equal(data, Decompress(type, Compress(type, data)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompression_beyond_the_limit_is_refused(CompressionType type)
    {
        var data = new byte[1024 * 1024];
        var compressed = Compress(type, data);
        var e = Assert.Throws<CorruptRecordException>(() => Decompress(type, compressed, max: 64 * 1024));
        Assert.Contains("limit", e.Message);
        Assert.Equal(data.Length, Decompress(type, compressed, max: data.Length).Length);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_input_fails_with_corrupt_record_exception(CompressionType type)
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var garbage = Random(seed % 50 + 1, seed);
            AssertDecodesOrFailsCleanly(type, garbage);
        }
        Assert.Throws<CorruptRecordException>(() => Decompress(type, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Truncated_input_fails_with_corrupt_record_exception(CompressionType type)
    {
        var data = Compressible(20_000, 3);
        var compressed = Compress(type, data);
        var step = Math.Max(1, compressed.Length / 150);
        for (var cut = 0; cut < compressed.Length; cut += step)
        {
            var prefix = compressed.AsSpan(0, cut).ToArray();
            // Snappy's xerial stream has no end marker: a cut on a chunk boundary is a valid, shorter stream.
            try
            {
                var result = Decompress(type, prefix);
                Assert.True(type == CompressionType.Snappy && cut >= 16, $"{type} accepted a {cut}-byte prefix");
                Assert.True(result.Length < data.Length);
            }
            catch (CorruptRecordException)
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Flipped_bytes_never_cause_other_exceptions(CompressionType type)
    {
        var data = Compressible(10_000, 9);
        var compressed = Compress(type, data);
        var random = new Random(42);
        for (var i = 0; i < 300; i++)
        {
            var copy = (byte[])compressed.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
                copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
            AssertDecodesOrFailsCleanly(type, copy);
        }
    }

    private static void AssertDecodesOrFailsCleanly(CompressionType type, byte[] input)
    {
        try
        {
            Decompress(type, input, max: 1024 * 1024);
        }
        catch (CorruptRecordException)
        {
        }
    }

    [Fact]
    public void Lookup_rejects_none_and_unknown_types()
    {
        Assert.Throws<ArgumentException>(() => CompressionCodecs.Get(CompressionType.None));
        Assert.Throws<CorruptRecordException>(() => CompressionCodecs.Get((CompressionType)7));
        Assert.Equal(CompressionType.Lz4, CompressionCodecs.Get(CompressionType.Lz4).Type);
    }
}
