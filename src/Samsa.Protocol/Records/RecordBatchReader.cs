using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Records;

/// <summary>
/// Reads the <c>records</c> bytes of a Fetch response (or a Produce request): batches of any magic,
/// then the records of each batch (Java's MemoryRecords with DefaultRecordBatch and the legacy
/// record batches). Pull-style so that nothing is allocated per record:
/// <code>
/// using var reader = new RecordBatchReader(records);
/// while (reader.TryReadBatch(out var batch))
///     while (reader.TryReadRecord(out var record)) { ... }
/// </code>
/// A partial batch at the end is normal in a fetch response (the broker cuts at the byte limit):
/// reading stops there without error and <see cref="TruncatedBytes"/> says how many bytes were left.
/// Sizes, magic and (with <see cref="CheckCrcs"/>) checksums are validated; bad bytes throw
/// <see cref="CorruptRecordException"/>. Compressed batches are decompressed lazily, on the first
/// record, into a pooled buffer that the records point into. Not thread-safe; reusable via <see cref="Reset"/>.
/// </summary>
public sealed partial class RecordBatchReader : IDisposable
{
    /// <summary>The default cap on one batch's decompressed size (a guard against decompression bombs).</summary>
    public const int DefaultMaxDecompressedBytes = 256 * 1024 * 1024;

    // length, attributes, timestamp delta, offset delta, key length, value length, header count: 1 byte each at least.
    private const int MinRecordSize = 7;
    private const int MinLegacyEntrySize = LegacyRecordOverheadV0 + 12;

    private enum Mode : byte
    {
        None,
        V2,
        LegacySingle,
        LegacyInner,
    }

    private readonly ByteBufferWriter _decompressed = new(4096);
    private ReadOnlyMemory<byte> _input;
    private int _position;
    private int _truncatedBytes;

    private Mode _mode;
    private RecordBatchHeader _batch;
    private ReadOnlyMemory<byte> _records;
    private bool _recordsReady;
    private int _recordPosition;
    private int _recordsRemaining;

    /// <summary>Creates a reader with nothing to read yet; call <see cref="Reset"/>.</summary>
    public RecordBatchReader(bool checkCrcs = true, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDecompressedBytes);
        CheckCrcs = checkCrcs;
        MaxDecompressedBytes = maxDecompressedBytes;
    }

    /// <summary>Creates a reader over the records of one partition.</summary>
    public RecordBatchReader(ReadOnlyMemory<byte> records, bool checkCrcs = true, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
        : this(checkCrcs, maxDecompressedBytes) => Reset(records);

    /// <summary>Whether batch checksums are verified (the consumer's check.crcs, default true).</summary>
    public bool CheckCrcs { get; }

    /// <summary>Largest decompressed size accepted for one batch.</summary>
    public int MaxDecompressedBytes { get; }

    /// <summary>Bytes of the input consumed by the batches read so far.</summary>
    public int Position => _position;

    /// <summary>
    /// After <see cref="TryReadBatch"/> returned false: bytes at the end that did not form a
    /// complete batch (0 when the input ended on a batch boundary).
    /// </summary>
    public int TruncatedBytes => _truncatedBytes;

    /// <summary>The batch last returned by <see cref="TryReadBatch"/>.</summary>
    public RecordBatchHeader CurrentBatch => _batch;

    /// <summary>Starts reading other bytes, keeping the decompression buffer.</summary>
    public void Reset(ReadOnlyMemory<byte> records)
    {
        _input = records;
        _position = 0;
        _truncatedBytes = 0;
        _mode = Mode.None;
        _batch = default;
        _records = default;
        _recordsReady = false;
        _recordsRemaining = 0;
        _recordPosition = 0;
    }

    /// <summary>
    /// Moves to the next batch, skipping unread records of the current one. Returns false at the
    /// end of the input or at a partial batch there.
    /// </summary>
    public bool TryReadBatch(out RecordBatchHeader batch)
    {
        _mode = Mode.None;
        _recordsRemaining = 0;
        var span = _input.Span;
        var remaining = span.Length - _position;
        if (remaining < DefaultRecordBatch.LogOverhead)
        {
            _truncatedBytes = remaining;
            batch = default;
            return false;
        }
        var start = _position;
        var entry = span[start..];
        var size = BinaryPrimitives.ReadInt32BigEndian(entry[DefaultRecordBatch.LengthOffset..]);
        if (size < LegacyRecordOverheadV0)
            throw new CorruptRecordException($"Record size {size} at byte {start} is less than the minimum record overhead ({LegacyRecordOverheadV0}).");
        if (size > remaining - DefaultRecordBatch.LogOverhead)
        {
            _truncatedBytes = remaining;
            batch = default;
            return false;
        }
        var total = size + DefaultRecordBatch.LogOverhead;
        var memory = _input.Slice(start, total);
        var magic = (sbyte)entry[DefaultRecordBatch.MagicOffset];
        switch (magic)
        {
            case 2:
                ReadV2Header(memory);
                break;
            case 0:
            case 1:
                ReadLegacyEntry(memory, (byte)magic);
                break;
            default:
                throw new CorruptRecordException($"Unsupported record batch magic {magic} at byte {start} (this client reads magic 0, 1 and 2).");
        }
        _position = start + total;
        batch = _batch;
        return true;
    }

    private void ReadV2Header(ReadOnlyMemory<byte> memory)
    {
        var b = memory.Span;
        if (b.Length < DefaultRecordBatch.RecordsOffset)
            throw new CorruptRecordException($"Record batch at byte {_position} is corrupt: its size {b.Length} is smaller than the minimum batch overhead ({DefaultRecordBatch.RecordsOffset}).");
        var crc = BinaryPrimitives.ReadUInt32BigEndian(b[DefaultRecordBatch.CrcOffset..]);
        if (CheckCrcs)
        {
            var computed = DefaultRecordBatch.ComputeCrc(b);
            if (computed != crc)
                throw new CorruptRecordException($"Record batch at byte {_position} (base offset {BinaryPrimitives.ReadInt64BigEndian(b)}) is corrupt: stored CRC 0x{crc:X8} does not match computed CRC 0x{computed:X8}.");
        }
        var attributes = BinaryPrimitives.ReadInt16BigEndian(b[DefaultRecordBatch.AttributesOffset..]);
        var codec = attributes & DefaultRecordBatch.CompressionCodecMask;
        if (codec > (int)CompressionType.Zstd)
            throw new CorruptRecordException($"Record batch at byte {_position} has unknown compression type id {codec}.");
        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(b);
        var lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(b[DefaultRecordBatch.LastOffsetDeltaOffset..]);
        var count = BinaryPrimitives.ReadInt32BigEndian(b[DefaultRecordBatch.RecordsCountOffset..]);
        if (count < 0)
            throw new CorruptRecordException($"Record batch at byte {_position} declares a negative record count {count}.");
        var recordsBytes = b.Length - DefaultRecordBatch.RecordsOffset;
        if (codec == 0 && count > recordsBytes / MinRecordSize)
            throw new CorruptRecordException($"Record batch at byte {_position} declares {count} records but has only {recordsBytes} bytes of records.");
        _batch = new RecordBatchHeader(memory, baseOffset, baseOffset + lastOffsetDelta,
            BinaryPrimitives.ReadInt32BigEndian(b[DefaultRecordBatch.PartitionLeaderEpochOffset..]), 2, crc, attributes,
            BinaryPrimitives.ReadInt64BigEndian(b[DefaultRecordBatch.BaseTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(b[DefaultRecordBatch.MaxTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(b[DefaultRecordBatch.ProducerIdOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(b[DefaultRecordBatch.ProducerEpochOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(b[DefaultRecordBatch.BaseSequenceOffset..]),
            count);
        _records = memory[DefaultRecordBatch.RecordsOffset..];
        _recordsReady = codec == 0;
        _recordPosition = 0;
        _recordsRemaining = count;
        _mode = Mode.V2;
    }

    /// <summary>
    /// Reads the next record of the current batch; false when the batch has no more. Control
    /// batches are returned like any other: check <see cref="RecordBatchHeader.IsControlBatch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadRecord(out Record record)
    {
        switch (_mode)
        {
            case Mode.V2:
                return TryReadV2Record(out record);
            case Mode.LegacySingle:
            case Mode.LegacyInner:
                return TryReadLegacyRecord(out record);
            default:
                record = default;
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadV2Record(out Record record)
    {
        if (!_recordsReady)
            DecompressV2Records();
        if (_recordsRemaining == 0)
        {
            if (_recordPosition != _records.Length)
                throw new CorruptRecordException($"Record batch at offset {_batch.BaseOffset} has {_records.Length - _recordPosition} bytes left after its {_batch.RecordCount} declared records.");
            _mode = Mode.None;
            record = default;
            return false;
        }
        try
        {
            record = ParseV2Record();
        }
        catch (KafkaProtocolException e) when (e is not CorruptRecordException)
        {
            throw new CorruptRecordException($"Record batch at offset {_batch.BaseOffset} holds a malformed record: {e.Message}", e);
        }
        _recordsRemaining--;
        return true;
    }

    private void DecompressV2Records()
    {
        _decompressed.Reset();
        var codec = CompressionCodecs.Get(_batch.Compression);
        codec.Decompress(_records.Span, _decompressed, MaxDecompressedBytes);
        _records = _decompressed.WrittenMemory;
        _recordsReady = true;
        if (_recordsRemaining > _records.Length / MinRecordSize)
            throw new CorruptRecordException($"Record batch at offset {_batch.BaseOffset} declares {_recordsRemaining} records but decompresses to only {_records.Length} bytes.");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Record ParseV2Record()
    {
        var all = _records.Span;
        var start = _recordPosition;
        var pos = start;
        var length = ReadVarInt(all, ref pos);
        if (length < MinRecordSize - 1 || length > all.Length - pos)
            throw new CorruptRecordException($"Record batch at offset {_batch.BaseOffset} holds a record of invalid length {length} ({all.Length - pos} bytes remain).");
        var end = pos + length;
        var body = all[..end];
        pos++; // attributes: unused
        var timestampDelta = ReadVarLong(body, ref pos);
        var offsetDelta = ReadVarInt(body, ref pos);
        var keyLength = ReadVarInt(body, ref pos);
        var keyStart = pos;
        SkipBytes(body, ref pos, keyLength, "key");
        var valueLength = ReadVarInt(body, ref pos);
        var valueStart = pos;
        SkipBytes(body, ref pos, valueLength, "value");
        var headerCount = ReadVarInt(body, ref pos);
        if (headerCount < 0 || headerCount > (end - pos) / 2)
            throw new CorruptRecordException($"Record at offset {_batch.BaseOffset + offsetDelta} declares an invalid header count {headerCount}.");
        var headersStart = pos;
        for (var i = 0; i < headerCount; i++)
        {
            var hk = ReadVarInt(body, ref pos);
            if (hk < 0)
                throw new CorruptRecordException($"Record at offset {_batch.BaseOffset + offsetDelta} has a header with invalid key length {hk}.");
            SkipBytes(body, ref pos, hk, "header key");
            var hv = ReadVarInt(body, ref pos);
            SkipBytes(body, ref pos, hv, "header value");
        }
        if (pos != end)
            throw new CorruptRecordException($"Record at offset {_batch.BaseOffset + offsetDelta} declares {length} bytes but its fields end after {pos - (end - length)}.");
        _recordPosition = end;
        var timestampType = _batch.TimestampType;
        var timestamp = timestampType == TimestampType.LogAppendTime ? _batch.MaxTimestamp : _batch.BaseTimestamp + timestampDelta;
        return new Record(
            _batch.BaseOffset + offsetDelta,
            timestamp,
            timestampType,
            keyLength < 0 ? ReadOnlyMemory<byte>.Empty : _records.Slice(keyStart, keyLength),
            keyLength < 0,
            valueLength < 0 ? ReadOnlyMemory<byte>.Empty : _records.Slice(valueStart, valueLength),
            valueLength < 0,
            new RecordHeaders(headerCount == 0 ? default : _records[headersStart..end], headerCount),
            end - start);
    }

    private void SkipBytes(ReadOnlySpan<byte> body, ref int pos, int length, string what)
    {
        if (length < -1 || length > body.Length - pos)
            throw new CorruptRecordException($"Record batch at offset {_batch.BaseOffset} holds a record whose {what} length {length} is invalid ({body.Length - pos} bytes remain in the record).");
        if (length > 0)
            pos += length;
    }

    private static int ReadVarInt(ReadOnlySpan<byte> s, ref int pos)
    {
        if ((uint)pos < (uint)s.Length && s[pos] < 0x80)
            return VarInt.UnZigZag(s[pos++]);
        var value = VarInt.Read(s[pos..], out var n);
        pos += n;
        return value;
    }

    private static long ReadVarLong(ReadOnlySpan<byte> s, ref int pos)
    {
        if ((uint)pos < (uint)s.Length && s[pos] < 0x80)
            return VarInt.UnZigZag64(s[pos++]);
        var value = VarInt.Read64(s[pos..], out var n);
        pos += n;
        return value;
    }

    /// <summary>Returns the decompression buffer to the pool.</summary>
    public void Dispose()
    {
        _decompressed.Dispose();
        Reset(default);
    }
}
