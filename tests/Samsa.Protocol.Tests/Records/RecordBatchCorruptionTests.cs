using System.Buffers.Binary;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class RecordBatchCorruptionTests
{
    private static byte[] Batch(CompressionType compression = CompressionType.None, int records = 3)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < records; i++)
            builder.Append(1000 + i, "key"u8, "some value bytes"u8, [new RecordHeader("h", "x"u8.ToArray())]);
        return builder.Build().ToArray();
    }

    private static int ReadAll(byte[] bytes, bool checkCrcs = true, int maxDecompressed = RecordBatchReader.DefaultMaxDecompressedBytes)
    {
        using var reader = new RecordBatchReader(bytes, checkCrcs, maxDecompressed);
        var n = 0;
        while (reader.TryReadBatch(out _))
        {
            while (reader.TryReadRecord(out var r))
            {
                foreach (var h in r.Headers)
                    _ = h.Value.Length;
                n++;
            }
        }
        return n;
    }

    [Fact]
    public void Crc_mismatch_is_reported_with_both_values()
    {
        var bytes = Batch();
        bytes[^1] ^= 0xFF;
        var e = Assert.Throws<CorruptRecordException>(() => ReadAll(bytes));
        Assert.Contains("CRC", e.Message);
        Assert.Contains($"0x{BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(17)):X8}", e.Message);
    }

    [Fact]
    public void Crc_check_can_be_turned_off()
    {
        var bytes = Batch();
        bytes[DefaultRecordBatch.CrcOffset] ^= 0xFF;
        Assert.Equal(3, ReadAll(bytes, checkCrcs: false));
    }

    [Fact]
    public void Unknown_magic_is_rejected()
    {
        var bytes = Batch();
        bytes[DefaultRecordBatch.MagicOffset] = 3;
        var e = Assert.Throws<CorruptRecordException>(() => ReadAll(bytes));
        Assert.Contains("magic 3", e.Message);
    }

    [Fact]
    public void Size_below_the_minimum_overhead_is_rejected()
    {
        var bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(DefaultRecordBatch.LengthOffset), 5);
        Assert.Contains("minimum record overhead", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes)).Message);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(DefaultRecordBatch.LengthOffset), 30);
        Assert.Contains("minimum batch overhead", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes)).Message);
    }

    [Fact]
    public void Huge_declared_size_is_a_partial_batch_not_an_allocation()
    {
        var bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(DefaultRecordBatch.LengthOffset), int.MaxValue);
        using var reader = new RecordBatchReader(bytes);
        Assert.False(reader.TryReadBatch(out _));
        Assert.Equal(bytes.Length, reader.TruncatedBytes);
    }

    [Fact]
    public void Record_count_larger_than_the_bytes_allow_is_rejected()
    {
        var bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(DefaultRecordBatch.RecordsCountOffset), 1_000_000);
        DefaultRecordBatch.UpdateCrc(bytes);
        Assert.Contains("declares 1000000 records", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes)).Message);
    }

    [Fact]
    public void Fewer_declared_records_than_present_is_rejected()
    {
        var bytes = Batch();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(DefaultRecordBatch.RecordsCountOffset), 2);
        DefaultRecordBatch.UpdateCrc(bytes);
        Assert.Contains("bytes left after", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes)).Message);
    }

    [Fact]
    public void Unknown_compression_id_is_rejected()
    {
        var bytes = Batch();
        bytes[DefaultRecordBatch.AttributesOffset + 1] = 6;
        DefaultRecordBatch.UpdateCrc(bytes);
        Assert.Contains("compression type id 6", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes)).Message);
    }

    [Fact]
    public void Decompression_bomb_is_refused()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Zstd);
        builder.Append(1, default, new byte[4 * 1024 * 1024], keyIsNull: true);
        var bytes = builder.Build().ToArray();
        Assert.True(bytes.Length < 4096);
        Assert.Contains("limit", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes, maxDecompressed: 1024 * 1024)).Message);
    }

    public static TheoryData<CompressionType> Compressions => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Random_corruption_only_ever_raises_corrupt_record_exception(CompressionType compression)
    {
        var original = Batch(compression, records: 20);
        var random = new Random((int)compression + 1);
        for (var i = 0; i < 1500; i++)
        {
            var bytes = (byte[])original.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var cut = random.Next(4) == 0 ? random.Next(bytes.Length) : bytes.Length;
            try
            {
                // Without the CRC check the parser itself sees the damage.
                ReadAll(bytes.AsSpan(0, cut).ToArray(), checkCrcs: false, maxDecompressed: 1024 * 1024);
            }
            catch (CorruptRecordException)
            {
            }
        }
    }

    [Fact]
    public void Random_garbage_only_ever_raises_corrupt_record_exception()
    {
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length > 17 && random.Next(2) == 0)
            {
                // Make it look like a batch so the deeper checks run.
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), bytes.Length - 12);
                bytes[16] = (byte)random.Next(3);
            }
            try
            {
                ReadAll(bytes, checkCrcs: random.Next(2) == 0, maxDecompressed: 1024 * 1024);
            }
            catch (CorruptRecordException)
            {
            }
        }
    }

    [Fact]
    public void Malformed_record_length_is_named_in_the_error()
    {
        var bytes = Batch(records: 1);
        // The record's length varint: claim 63 bytes, more than the batch holds.
        bytes[DefaultRecordBatch.RecordsOffset] = 0x7E;
        Assert.Contains("invalid length", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes, checkCrcs: false)).Message);
    }
}
