using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class LegacyRecordTests
{
    private static List<(long Offset, long Timestamp, TimestampType Type, string? Key, string? Value)> ReadAll(ReadOnlyMemory<byte> bytes, out List<RecordBatchHeader> batches)
    {
        var result = new List<(long, long, TimestampType, string?, string?)>();
        batches = [];
        using var reader = new RecordBatchReader(bytes);
        while (reader.TryReadBatch(out var batch))
        {
            batches.Add(batch);
            while (reader.TryReadRecord(out var r))
                result.Add((r.Offset, r.Timestamp, r.TimestampType, r.IsKeyNull ? null : Encoding.UTF8.GetString(r.Key.Span), r.IsValueNull ? null : Encoding.UTF8.GetString(r.Value.Span)));
        }
        return result;
    }

    [Fact]
    public void Uncompressed_magic_0_and_1_messages_read_as_records()
    {
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(output, 0, 10, -1, "k0"u8, false, "v0"u8, false);
        LegacyRecordWriter.WriteMessage(output, 1, 11, 12345, default, true, "v1"u8, false);
        LegacyRecordWriter.WriteMessage(output, 1, 12, 12346, "k2"u8, false, default, false, timestampType: TimestampType.LogAppendTime);
        LegacyRecordWriter.WriteMessage(output, 1, 13, 12347, "k3"u8, false, default, true);
        var records = ReadAll(output.WrittenMemory, out var batches);
        Assert.Equal(
            [
                (10L, -1L, TimestampType.NoTimestampType, "k0", "v0"),
                (11L, 12345L, TimestampType.CreateTime, null, "v1"),
                (12L, 12346L, TimestampType.LogAppendTime, "k2", ""),
                (13L, 12347L, TimestampType.CreateTime, "k3", null),
            ], records);
        Assert.Equal([0, 1, 1, 1], batches.Select(b => (int)b.Magic));
    }

    public static TheoryData<byte, CompressionType> WrapperCases()
    {
        var data = new TheoryData<byte, CompressionType>();
        foreach (byte magic in new byte[] { 0, 1 })
            foreach (var c in new[] { CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4 })
                data.Add(magic, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(WrapperCases))]
    public void Compressed_wrapper_messages_yield_their_inner_messages_with_absolute_offsets(byte magic, CompressionType compression)
    {
        using var inner = new ByteBufferWriter();
        // Magic 1 inner offsets are relative (0..n-1); magic 0 inner offsets are absolute.
        var firstInner = magic == 1 ? 0 : 500;
        for (var i = 0; i < 3; i++)
            LegacyRecordWriter.WriteMessage(inner, magic, firstInner + i, 100 + i, Encoding.UTF8.GetBytes($"k{i}"), false, Encoding.UTF8.GetBytes($"v{i}"), false);
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteCompressedWrapper(output, magic, 502, 999, compression, inner.WrittenSpan);
        LegacyRecordWriter.WriteMessage(output, magic, 503, 200, "after"u8, false, "x"u8, false);

        var records = ReadAll(output.WrittenMemory, out var batches);
        Assert.Equal([500L, 501L, 502L, 503L], records.Select(r => r.Offset));
        Assert.Equal(["v0", "v1", "v2", "x"], records.Select(r => r.Value));
        Assert.Equal(500, batches[0].BaseOffset);
        Assert.Equal(502, batches[0].LastOffset);
        Assert.Equal(3, batches[0].RecordCount);
        Assert.Equal(compression, batches[0].Compression);
        if (magic == 1)
            Assert.Equal([100L, 101L, 102L, 200L], records.Select(r => r.Timestamp));
    }

    [Fact]
    public void Log_append_time_of_a_wrapper_applies_to_its_inner_messages()
    {
        using var inner = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(inner, 1, 0, 1, "a"u8, false, "1"u8, false);
        LegacyRecordWriter.WriteMessage(inner, 1, 1, 2, "b"u8, false, "2"u8, false);
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteCompressedWrapper(output, 1, 41, 777, CompressionType.Gzip, inner.WrittenSpan, TimestampType.LogAppendTime);
        var records = ReadAll(output.WrittenMemory, out _);
        Assert.All(records, r => Assert.Equal((777L, TimestampType.LogAppendTime), (r.Timestamp, r.Type)));
        Assert.Equal([40L, 41L], records.Select(r => r.Offset));
    }

    [Fact]
    public void Legacy_then_v2_batches_in_one_response_read_in_order()
    {
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(output, 1, 0, 5, "k"u8, false, "legacy"u8, false);
        using var builder = new RecordBatchBuilder(CompressionType.None, baseOffset: 1);
        builder.Append(6, "k"u8, "v2"u8);
        var batch = builder.Build().Span;
        batch.CopyTo(output.GetSpan(batch.Length));
        output.Advance(batch.Length);
        var records = ReadAll(output.WrittenMemory, out var batches);
        Assert.Equal(["legacy", "v2"], records.Select(r => r.Value));
        Assert.Equal([1, 2], batches.Select(b => (int)b.Magic));
    }

    [Fact]
    public void Legacy_crc_mismatch_is_rejected()
    {
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(output, 1, 0, 5, "k"u8, false, "value"u8, false);
        var bytes = output.ToArray();
        bytes[^1] ^= 1;
        Assert.Contains("CRC", Assert.Throws<CorruptRecordException>(() => ReadAll(bytes, out _)).Message);
    }

    [Fact]
    public void Nested_compression_is_rejected()
    {
        using var innermost = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(innermost, 1, 0, 5, "k"u8, false, "v"u8, false);
        using var inner = new ByteBufferWriter();
        LegacyRecordWriter.WriteCompressedWrapper(inner, 1, 0, 5, CompressionType.Gzip, innermost.WrittenSpan);
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteCompressedWrapper(output, 1, 0, 5, CompressionType.Gzip, inner.WrittenSpan);
        Assert.Contains("nesting", Assert.Throws<CorruptRecordException>(() => ReadAll(output.WrittenMemory, out _)).Message);
    }

    [Fact]
    public void Truncated_legacy_message_at_the_end_is_a_partial_entry()
    {
        using var output = new ByteBufferWriter();
        LegacyRecordWriter.WriteMessage(output, 1, 0, 5, "k"u8, false, "value"u8, false);
        LegacyRecordWriter.WriteMessage(output, 1, 1, 5, "k"u8, false, "value"u8, false);
        var bytes = output.ToArray()[..^3];
        using var reader = new RecordBatchReader(bytes);
        Assert.True(reader.TryReadBatch(out _));
        Assert.False(reader.TryReadBatch(out _));
        Assert.True(reader.TruncatedBytes > 0);
    }
}
