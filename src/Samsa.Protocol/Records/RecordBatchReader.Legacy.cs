using System.Buffers.Binary;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Records;

// The legacy message format (magic 0 and 1, before KIP-98), so a consumer of an old broker works:
// offset int64, size int32, crc uint32 (CRC-32 over magic..end), magic int8, attributes int8,
// [timestamp int64 if magic 1], key bytes (int32 length, -1 null), value bytes. A compressed message
// is a wrapper whose value is an inner message set; with magic 1 its inner offsets are relative and
// the wrapper carries the absolute offset of the last inner message (KIP-31).
public sealed partial class RecordBatchReader
{
    internal const int LegacyRecordOverheadV0 = 14;
    internal const int LegacyRecordOverheadV1 = 22;
    private const int LegacyAttributesOffset = 17;
    private const int LegacyTimestampTypeMask = 0x08;

    private LegacyMessage _legacySingle;
    private long _legacyOffsetBase;
    private long _legacyWrapperTimestamp;
    private bool _legacyWrapperLogAppendTime;

    private readonly struct LegacyMessage
    {
        public LegacyMessage(long offset, byte magic, byte attributes, uint crc, long timestamp, int keyStart, int keyLength, int valueStart, int valueLength, int size)
        {
            Offset = offset;
            Magic = magic;
            Attributes = attributes;
            Crc = crc;
            Timestamp = timestamp;
            KeyStart = keyStart;
            KeyLength = keyLength;
            ValueStart = valueStart;
            ValueLength = valueLength;
            Size = size;
        }

        public long Offset { get; }
        public byte Magic { get; }
        public byte Attributes { get; }
        public uint Crc { get; }
        public long Timestamp { get; }
        public int KeyStart { get; }
        public int KeyLength { get; }
        public int ValueStart { get; }
        public int ValueLength { get; }
        public int Size { get; }
        public CompressionType Compression => (CompressionType)(Attributes & DefaultRecordBatch.CompressionCodecMask);
        public bool IsLogAppendTime => Magic >= 1 && (Attributes & LegacyTimestampTypeMask) != 0;
    }

    /// <summary>Parses one legacy entry starting at <paramref name="start"/>; positions in the result are absolute in <paramref name="s"/>.</summary>
    private LegacyMessage ParseLegacy(ReadOnlySpan<byte> s, int start, string where)
    {
        if (s.Length - start < DefaultRecordBatch.LogOverhead)
            throw new CorruptRecordException($"Legacy message {where} is truncated.");
        var e = s[start..];
        var offset = BinaryPrimitives.ReadInt64BigEndian(e);
        var size = BinaryPrimitives.ReadInt32BigEndian(e[8..]);
        if (size < LegacyRecordOverheadV0 || size > e.Length - DefaultRecordBatch.LogOverhead)
            throw new CorruptRecordException($"Legacy message {where} has invalid size {size} ({e.Length - DefaultRecordBatch.LogOverhead} bytes remain).");
        e = e[..(size + DefaultRecordBatch.LogOverhead)];
        var magic = e[DefaultRecordBatch.MagicOffset];
        if (magic > 1)
            throw new CorruptRecordException($"Legacy message {where} has magic {magic}; a message set may only hold magic 0 and 1.");
        var overhead = magic == 0 ? LegacyRecordOverheadV0 : LegacyRecordOverheadV1;
        if (size < overhead)
            throw new CorruptRecordException($"Legacy message {where} has size {size}, less than the magic {magic} overhead ({overhead}).");
        var crc = BinaryPrimitives.ReadUInt32BigEndian(e[12..]);
        if (CheckCrcs)
        {
            var computed = Crc32.Compute(e[DefaultRecordBatch.MagicOffset..]);
            if (computed != crc)
                throw new CorruptRecordException($"Legacy message {where} (offset {offset}) is corrupt: stored CRC 0x{crc:X8} does not match computed CRC 0x{computed:X8}.");
        }
        var attributes = e[LegacyAttributesOffset];
        if ((attributes & DefaultRecordBatch.CompressionCodecMask) > (int)CompressionType.Zstd)
            throw new CorruptRecordException($"Legacy message {where} has unknown compression type id {attributes & DefaultRecordBatch.CompressionCodecMask}.");
        var pos = LegacyAttributesOffset + 1;
        var timestamp = -1L;
        if (magic == 1)
        {
            timestamp = BinaryPrimitives.ReadInt64BigEndian(e[pos..]);
            pos += 8;
        }
        var keyLength = ReadLegacyLength(e, ref pos, where, "key");
        var keyStart = pos;
        pos += Math.Max(keyLength, 0);
        var valueLength = ReadLegacyLength(e, ref pos, where, "value");
        var valueStart = pos;
        pos += Math.Max(valueLength, 0);
        if (pos != e.Length)
            throw new CorruptRecordException($"Legacy message {where} (offset {offset}) has {e.Length - pos} bytes after its value.");
        return new LegacyMessage(offset, magic, attributes, crc, timestamp, start + keyStart, keyLength, start + valueStart, valueLength, e.Length);
    }

    private static int ReadLegacyLength(ReadOnlySpan<byte> e, ref int pos, string where, string what)
    {
        if (e.Length - pos < 4)
            throw new CorruptRecordException($"Legacy message {where} is truncated before its {what} length.");
        var length = BinaryPrimitives.ReadInt32BigEndian(e[pos..]);
        pos += 4;
        if (length < -1 || length > e.Length - pos)
            throw new CorruptRecordException($"Legacy message {where} has invalid {what} length {length} ({e.Length - pos} bytes remain).");
        return length;
    }

    private void ReadLegacyEntry(ReadOnlyMemory<byte> memory, byte magic)
    {
        var where = $"at byte {_position}";
        var m = ParseLegacy(memory.Span, 0, where);
        if (m.Compression == CompressionType.None)
        {
            _legacySingle = m;
            _records = memory;
            _recordsRemaining = 1;
            _batch = LegacyHeader(memory, m, m.Offset, m.Offset, 1);
            _mode = Mode.LegacySingle;
            return;
        }
        if (m.ValueLength < 0)
            throw new CorruptRecordException($"Compressed legacy message {where} (offset {m.Offset}) has a null value instead of a message set.");
        var codec = magic == 0 && m.Compression == CompressionType.Lz4 ? Lz4Codec.LegacyMagicV0 : CompressionCodecs.Get(m.Compression);
        _decompressed.Reset();
        codec.Decompress(memory.Span.Slice(m.ValueStart, m.ValueLength), _decompressed, MaxDecompressedBytes);
        _records = _decompressed.WrittenMemory;

        // Inner offsets of magic 1 are relative to the last one, so find the last one first.
        var inner = _records.Span;
        var pos = 0;
        var count = 0;
        long firstInner = 0, lastInner = 0;
        while (pos < inner.Length)
        {
            var im = ParseLegacy(inner, pos, $"inside the compressed message at offset {m.Offset}");
            if (im.Compression != CompressionType.None)
                throw new CorruptRecordException($"Compressed legacy message at offset {m.Offset} contains another compressed message; nesting is not allowed.");
            if (count == 0)
                firstInner = im.Offset;
            lastInner = im.Offset;
            count++;
            pos += im.Size;
        }
        if (count == 0)
            throw new CorruptRecordException($"Compressed legacy message at offset {m.Offset} holds no messages.");
        _legacyOffsetBase = magic >= 1 ? m.Offset - lastInner : 0;
        _legacyWrapperTimestamp = m.Timestamp;
        _legacyWrapperLogAppendTime = m.IsLogAppendTime;
        _recordPosition = 0;
        _recordsRemaining = count;
        _batch = LegacyHeader(memory, m, _legacyOffsetBase + firstInner, _legacyOffsetBase + lastInner, count);
        _mode = Mode.LegacyInner;
    }

    private static RecordBatchHeader LegacyHeader(ReadOnlyMemory<byte> memory, in LegacyMessage m, long baseOffset, long lastOffset, int count) =>
        new(memory, baseOffset, lastOffset, DefaultRecordBatch.NoPartitionLeaderEpoch, m.Magic, m.Crc, m.Attributes,
            m.Timestamp, m.Timestamp, DefaultRecordBatch.NoProducerId, DefaultRecordBatch.NoProducerEpoch, DefaultRecordBatch.NoSequence, count);

    private bool TryReadLegacyRecord(out Record record)
    {
        if (_recordsRemaining == 0)
        {
            _mode = Mode.None;
            record = default;
            return false;
        }
        _recordsRemaining--;
        LegacyMessage m;
        long offset, timestamp;
        TimestampType type;
        if (_mode == Mode.LegacySingle)
        {
            m = _legacySingle;
            offset = m.Offset;
            timestamp = m.Timestamp;
            type = m.Magic == 0 ? TimestampType.NoTimestampType : m.IsLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime;
        }
        else
        {
            m = ParseLegacy(_records.Span, _recordPosition, "inside a compressed message");
            _recordPosition += m.Size;
            offset = _legacyOffsetBase + m.Offset;
            if (m.Magic == 0)
            {
                timestamp = -1;
                type = TimestampType.NoTimestampType;
            }
            else if (_legacyWrapperLogAppendTime)
            {
                timestamp = _legacyWrapperTimestamp;
                type = TimestampType.LogAppendTime;
            }
            else
            {
                timestamp = m.Timestamp;
                type = TimestampType.CreateTime;
            }
        }
        record = new Record(offset, timestamp, type,
            m.KeyLength < 0 ? ReadOnlyMemory<byte>.Empty : _records.Slice(m.KeyStart, m.KeyLength), m.KeyLength < 0,
            m.ValueLength < 0 ? ReadOnlyMemory<byte>.Empty : _records.Slice(m.ValueStart, m.ValueLength), m.ValueLength < 0,
            default, m.Size);
        return true;
    }
}
