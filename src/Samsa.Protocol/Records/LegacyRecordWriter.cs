using System.Buffers.Binary;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Records;

/// <summary>
/// Writes legacy messages (magic 0 and 1). Samsa never produces them; they exist so tests and the
/// in-process broker can build what an old broker returns.
/// </summary>
internal static class LegacyRecordWriter
{
    /// <summary>Appends one message: offset, size, crc, magic, attributes, [timestamp], key, value.</summary>
    public static void WriteMessage(ByteBufferWriter output, byte magic, long offset, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull,
        ReadOnlySpan<byte> value, bool valueIsNull, CompressionType compression = CompressionType.None, TimestampType timestampType = TimestampType.CreateTime)
    {
        var size = (magic == 0 ? RecordBatchReader.LegacyRecordOverheadV0 : RecordBatchReader.LegacyRecordOverheadV1)
            + (keyIsNull ? 0 : key.Length) + (valueIsNull ? 0 : value.Length);
        var total = DefaultRecordBatch.LogOverhead + size;
        var s = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteInt64BigEndian(s, offset);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], size);
        s[16] = magic;
        var attributes = (int)compression;
        if (magic == 1 && timestampType == TimestampType.LogAppendTime)
            attributes |= 0x08;
        s[17] = (byte)attributes;
        var p = 18;
        if (magic == 1)
        {
            BinaryPrimitives.WriteInt64BigEndian(s[p..], timestamp);
            p += 8;
        }
        BinaryPrimitives.WriteInt32BigEndian(s[p..], keyIsNull ? -1 : key.Length);
        p += 4;
        if (!keyIsNull)
        {
            key.CopyTo(s[p..]);
            p += key.Length;
        }
        BinaryPrimitives.WriteInt32BigEndian(s[p..], valueIsNull ? -1 : value.Length);
        p += 4;
        if (!valueIsNull)
            value.CopyTo(s[p..]);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], Crc32.Compute(s[16..]));
        output.Advance(total);
    }

    /// <summary>Appends a compressed wrapper message whose value is <paramref name="innerMessageSet"/> compressed.</summary>
    public static void WriteCompressedWrapper(ByteBufferWriter output, byte magic, long offset, long timestamp, CompressionType compression,
        ReadOnlySpan<byte> innerMessageSet, TimestampType timestampType = TimestampType.CreateTime)
    {
        using var compressed = new ByteBufferWriter(innerMessageSet.Length + 64);
        CompressionCodecs.Get(compression).Compress(innerMessageSet, compressed);
        WriteMessage(output, magic, offset, timestamp, default, true, compressed.WrittenSpan, false, compression, timestampType);
    }
}
