using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    public static TheoryData<CompressionType> AllCompressions => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    // A batch holding one record (key "k", value "v", timestamp 1000) laid out by hand from the
    // protocol guide, CRC-32C computed with an independent bitwise implementation.
    private static readonly byte[] GoldenBatch =
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x71, 0x6A, 0x61,
        0x89, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x03, 0xE8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00,
        0x01, 0x10, 0x00, 0x00, 0x00, 0x02, 0x6B, 0x02, 0x76, 0x00,
    ];

    [Fact]
    public void Builder_writes_the_exact_bytes_of_the_protocol_guide()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1000, "k"u8, "v"u8);
        Assert.Equal(GoldenBatch, builder.Build().ToArray());
    }

    [Fact]
    public void Reader_decodes_the_golden_batch()
    {
        using var reader = new RecordBatchReader(GoldenBatch);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(2, batch.Magic);
        Assert.Equal(0x716A6189U, batch.Crc);
        Assert.Equal(1, batch.RecordCount);
        Assert.Equal(-1, batch.ProducerId);
        Assert.Equal(-1, batch.PartitionLeaderEpoch);
        Assert.True(reader.TryReadRecord(out var record));
        Assert.Equal(0, record.Offset);
        Assert.Equal(1000, record.Timestamp);
        Assert.Equal("k"u8.ToArray(), record.Key.ToArray());
        Assert.Equal("v"u8.ToArray(), record.Value.ToArray());
        Assert.False(reader.TryReadRecord(out _));
        Assert.False(reader.TryReadBatch(out _));
        Assert.Equal(0, reader.TruncatedBytes);
    }

    [Theory]
    [MemberData(nameof(AllCompressions))]
    public void Records_round_trip_with_every_field_shape(CompressionType compression)
    {
        using var builder = new RecordBatchBuilder(compression, baseOffset: 1000);
        RecordHeader[] headers = [new("trace", "abc"u8.ToArray()), new("null-value", (byte[]?)null), new("\u00e9t\u00e9", Array.Empty<byte>())];
        builder.Append(5000, "key-1"u8, "value-1"u8, headers);
        builder.Append(4000, default, "no key"u8, keyIsNull: true);
        builder.Append(6000, "tombstone"u8, default, valueIsNull: true);
        builder.Append(5500, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);
        var big = CompressionTestsData(200_000);
        builder.Append(7000, "big"u8, big);
        var bytes = builder.Build().ToArray();

        using var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(compression, batch.Compression);
        Assert.Equal(1000, batch.BaseOffset);
        Assert.Equal(1004, batch.LastOffset);
        Assert.Equal(5, batch.RecordCount);
        Assert.Equal(5000, batch.BaseTimestamp);
        Assert.Equal(7000, batch.MaxTimestamp);
        Assert.Equal(TimestampType.CreateTime, batch.TimestampType);
        Assert.Equal(bytes.Length, batch.SizeInBytes);

        Assert.True(reader.TryReadRecord(out var r));
        Assert.Equal(1000, r.Offset);
        Assert.Equal(5000, r.Timestamp);
        Assert.Equal("key-1", Encoding.UTF8.GetString(r.Key.Span));
        Assert.Equal("value-1", Encoding.UTF8.GetString(r.Value.Span));
        Assert.Equal(3, r.Headers.Count);
        var seen = new List<(string, string?)>();
        foreach (var h in r.Headers)
            seen.Add((h.Key, h.IsValueNull ? null : Encoding.UTF8.GetString(h.Value.Span)));
        Assert.Equal([("trace", "abc"), ("null-value", null), ("\u00e9t\u00e9", "")], seen);

        Assert.True(reader.TryReadRecord(out r));
        Assert.Equal(1001, r.Offset);
        Assert.Equal(4000, r.Timestamp);
        Assert.True(r.IsKeyNull);
        Assert.False(r.IsValueNull);
        Assert.Equal(0, r.Headers.Count);

        Assert.True(reader.TryReadRecord(out r));
        Assert.True(r.IsValueNull);
        Assert.False(r.IsKeyNull);

        Assert.True(reader.TryReadRecord(out r));
        Assert.False(r.IsKeyNull);
        Assert.False(r.IsValueNull);
        Assert.True(r.Key.IsEmpty && r.Value.IsEmpty);

        Assert.True(reader.TryReadRecord(out r));
        Assert.Equal(1004, r.Offset);
        Assert.Equal(big, r.Value.ToArray());
        Assert.False(reader.TryReadRecord(out _));
    }

    private static byte[] CompressionTestsData(int size) => Samsa.Protocol.Tests.Compression.CodecRoundTripTests.Compressible(size, 11);

    [Theory]
    [MemberData(nameof(AllCompressions))]
    public void Many_batches_in_one_fetch_read_in_order(CompressionType compression)
    {
        using var output = new ByteBufferWriter();
        using var builder = new RecordBatchBuilder(compression);
        long offset = 0;
        for (var b = 0; b < 5; b++)
        {
            builder.Reset(offset);
            for (var i = 0; i < 100; i++)
                builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"k{offset + i}"), Encoding.UTF8.GetBytes($"value {offset + i}"));
            var batch = builder.Build().Span;
            batch.CopyTo(output.GetSpan(batch.Length));
            output.Advance(batch.Length);
            offset += 100;
        }
        using var reader = new RecordBatchReader(output.WrittenMemory);
        long expected = 0;
        while (reader.TryReadBatch(out var batch))
        {
            Assert.Equal(expected, batch.BaseOffset);
            while (reader.TryReadRecord(out var record))
            {
                Assert.Equal(expected, record.Offset);
                Assert.Equal($"value {expected}", Encoding.UTF8.GetString(record.Value.Span));
                expected++;
            }
        }
        Assert.Equal(500, expected);
        Assert.Equal(0, reader.TruncatedBytes);
    }

    [Fact]
    public void Partial_batch_at_the_end_of_a_fetch_stops_reading_without_error()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "a"u8, "first"u8);
        var first = builder.Build().ToArray();
        builder.Reset(1);
        builder.Append(2, "b"u8, "second"u8);
        var second = builder.Build().ToArray();
        var all = first.Concat(second).ToArray();
        for (var cut = first.Length; cut < all.Length; cut++)
        {
            using var reader = new RecordBatchReader(all.AsMemory(0, cut));
            Assert.True(reader.TryReadBatch(out _));
            Assert.True(reader.TryReadRecord(out var r));
            Assert.Equal(0, r.Offset);
            Assert.False(reader.TryReadBatch(out _));
            Assert.Equal(cut - first.Length, reader.TruncatedBytes);
        }
    }

    [Fact]
    public void Skipping_records_of_a_batch_moves_to_the_next_batch()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        for (var i = 0; i < 10; i++)
            builder.Append(i, "k"u8, "v"u8);
        var one = builder.Build().ToArray();
        var two = one.Concat(one).ToArray();
        using var reader = new RecordBatchReader(two);
        Assert.True(reader.TryReadBatch(out _));
        Assert.True(reader.TryReadRecord(out _));
        Assert.True(reader.TryReadBatch(out _));
        var n = 0;
        while (reader.TryReadRecord(out _))
            n++;
        Assert.Equal(10, n);
    }

    [Fact]
    public void Empty_batch_has_no_records_and_no_timestamps()
    {
        using var builder = new RecordBatchBuilder();
        var bytes = builder.Build().ToArray();
        Assert.Equal(DefaultRecordBatch.RecordsOffset, bytes.Length);
        using var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(0, batch.RecordCount);
        Assert.Equal(-1, batch.MaxTimestamp);
        Assert.False(reader.TryReadRecord(out _));
    }

    [Fact]
    public void Producer_state_set_after_build_patches_the_bytes_and_crc()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Snappy);
        builder.Append(10, "k"u8, "v"u8);
        builder.Append(11, "k"u8, "v"u8);
        var before = builder.Build().ToArray();
        Assert.Equal(before, builder.Build().ToArray());
        builder.SetProducerState(producerId: 77, producerEpoch: 3, baseSequence: 40, isTransactional: true);
        var after = builder.Build().ToArray();
        using var reader = new RecordBatchReader(after);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(77, batch.ProducerId);
        Assert.Equal(3, batch.ProducerEpoch);
        Assert.Equal(40, batch.BaseSequence);
        Assert.True(batch.IsTransactional);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(before.AsSpan(DefaultRecordBatch.RecordsOffset).ToArray(), after.AsSpan(DefaultRecordBatch.RecordsOffset).ToArray());
    }

    [Fact]
    public void Producer_state_set_before_appends_is_written()
    {
        using var builder = new RecordBatchBuilder();
        builder.SetProducerState(5, 1, 0, isTransactional: false);
        builder.Append(1, "k"u8, "v"u8);
        using var reader = new RecordBatchReader(builder.Build());
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(5, batch.ProducerId);
        Assert.Equal(0, batch.BaseSequence);
        Assert.False(batch.IsTransactional);
    }

    [Fact]
    public void Broker_header_edits_keep_the_batch_valid()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Gzip);
        builder.Append(100, "k"u8, "v"u8);
        builder.Append(200, "k"u8, "v"u8);
        var bytes = builder.Build().ToArray();
        DefaultRecordBatch.SetBaseOffset(bytes, 5000);
        DefaultRecordBatch.SetPartitionLeaderEpoch(bytes, 9);
        DefaultRecordBatch.SetLogAppendTime(bytes, 999_999);
        using var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(9, batch.PartitionLeaderEpoch);
        Assert.Equal(TimestampType.LogAppendTime, batch.TimestampType);
        Assert.True(reader.TryReadRecord(out var r));
        Assert.Equal(5000, r.Offset);
        Assert.Equal(999_999, r.Timestamp);
        Assert.Equal(TimestampType.LogAppendTime, r.TimestampType);
        Assert.True(reader.TryReadRecord(out r));
        Assert.Equal(5001, r.Offset);
    }

    [Fact]
    public void Explicit_offsets_leave_gaps_like_a_compacted_log()
    {
        using var builder = new RecordBatchBuilder(baseOffset: 10);
        builder.AppendWithOffset(10, 1, "a"u8, "1"u8);
        builder.AppendWithOffset(15, 1, "b"u8, "2"u8);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(15, 1, "c"u8, "3"u8));
        using var reader = new RecordBatchReader(builder.Build());
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.Equal(15, batch.LastOffset);
        Assert.Equal(2, batch.RecordCount);
        Assert.True(reader.TryReadRecord(out var r));
        Assert.True(reader.TryReadRecord(out r));
        Assert.Equal(15, r.Offset);
    }

    [Fact]
    public void Appending_to_a_closed_batch_throws()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "k"u8, "v"u8);
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Append(1, "k"u8, "v"u8));
        builder.Reset();
        builder.Append(1, "k"u8, "v"u8);
        Assert.Equal(1, builder.RecordCount);
    }

    [Fact]
    public void Estimated_size_is_exact_for_uncompressed_batches_and_guards_the_size_limit()
    {
        using var builder = new RecordBatchBuilder();
        Assert.True(builder.HasRoomFor(10, 100_000, default, 1000));
        var value = new byte[100];
        var appended = 0;
        while (builder.HasRoomFor(3, value.Length, default, 2000))
        {
            builder.Append(1, "key"u8, value);
            appended++;
        }
        Assert.True(appended > 10);
        Assert.True(builder.EstimatedSizeInBytes <= 2000);
        Assert.Equal(builder.Build().Length, builder.EstimatedSizeInBytes);
        Assert.True(RecordBatchBuilder.EstimateRecordSize(3, 100) >= 3 + 100 + 7);
    }

    [Fact]
    public void Compressed_estimate_is_an_upper_bound_with_the_default_ratio()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        for (var i = 0; i < 100; i++)
            builder.Append(i, "key"u8, new byte[100]);
        var estimate = builder.EstimatedSizeInBytes;
        Assert.True(builder.Build().Length <= estimate);
    }
}
