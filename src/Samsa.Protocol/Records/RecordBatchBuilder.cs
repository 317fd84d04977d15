using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Records;

/// <summary>
/// Appends records to one record batch v2 and closes it (Java's MemoryRecordsBuilder). Records are
/// written straight into a pooled buffer, so an append allocates nothing once the buffer has grown
/// to the batch size; <see cref="Reset"/> reuses the buffers for the next batch. <see cref="Build"/>
/// compresses the records section, fills in the header and the CRC, and returns the batch bytes,
/// which stay valid (and identical, so a retry re-sends the same bytes) until the next
/// <see cref="Reset"/> or <see cref="Dispose"/>. Not thread-safe.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly ByteBufferWriter _buffer;
    private ByteBufferWriter? _compressed;
    private ReadOnlyMemory<byte> _built;
    private long _baseOffset;
    private long _lastOffset;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private int _recordCount;
    private long _producerId = DefaultRecordBatch.NoProducerId;
    private short _producerEpoch = DefaultRecordBatch.NoProducerEpoch;
    private int _baseSequence = DefaultRecordBatch.NoSequence;
    private bool _isTransactional;

    /// <summary>Creates a builder for batches starting at offset <paramref name="baseOffset"/> (0 for a producer).</summary>
    public RecordBatchBuilder(CompressionType compression = CompressionType.None, long baseOffset = 0, int initialCapacity = 16 * 1024)
    {
        if (compression != CompressionType.None)
            _ = CompressionCodecs.Get(compression);
        Compression = compression;
        _buffer = new ByteBufferWriter(Math.Max(initialCapacity, DefaultRecordBatch.RecordsOffset + 64));
        Reset(baseOffset);
    }

    /// <summary>The codec of the batch.</summary>
    public CompressionType Compression { get; }

    /// <summary>Offset of the first record.</summary>
    public long BaseOffset => _baseOffset;

    /// <summary>Records appended so far.</summary>
    public int RecordCount => _recordCount;

    /// <summary>True once <see cref="Build"/> was called; appends then throw until <see cref="Reset"/>.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Timestamp type written in the attributes; <see cref="TimestampType.CreateTime"/> for producers.</summary>
    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;

    /// <summary>Marks a control batch (transaction markers); see <see cref="EndTransactionMarker"/>.</summary>
    public bool IsControl { get; set; }

    /// <summary>Partition leader epoch; producers write -1 and the broker fills it in.</summary>
    public int PartitionLeaderEpoch { get; set; } = DefaultRecordBatch.NoPartitionLeaderEpoch;

    /// <summary>
    /// Expected compressed/uncompressed size ratio used by <see cref="EstimatedSizeInBytes"/>; 1.0
    /// (no gain) by default so a batch never overshoots the size limit.
    /// </summary>
    public float CompressionRatioEstimate { get; set; } = 1.0f;

    /// <summary>Uncompressed bytes of the records appended so far.</summary>
    public int UncompressedRecordsSize => _buffer.WrittenCount - DefaultRecordBatch.RecordsOffset;

    /// <summary>The batch size the records appended so far will produce (exact for uncompressed batches).</summary>
    public int EstimatedSizeInBytes => IsClosed ? _built.Length
        : Compression == CompressionType.None ? _buffer.WrittenCount
        : DefaultRecordBatch.RecordsOffset + (int)(UncompressedRecordsSize * CompressionRatioEstimate);

    /// <summary>The closed batch (empty before <see cref="Build"/>).</summary>
    public ReadOnlyMemory<byte> Batch => _built;

    /// <summary>Starts a new batch, keeping the buffers and the settings, dropping producer state.</summary>
    public void Reset(long baseOffset = 0)
    {
        _buffer.Reset();
        _buffer.GetSpan(DefaultRecordBatch.RecordsOffset)[..DefaultRecordBatch.RecordsOffset].Clear();
        _buffer.Advance(DefaultRecordBatch.RecordsOffset);
        _compressed?.Reset();
        _built = default;
        _baseOffset = baseOffset;
        _lastOffset = baseOffset - 1;
        _baseTimestamp = 0;
        _maxTimestamp = -1;
        _recordCount = 0;
        _producerId = DefaultRecordBatch.NoProducerId;
        _producerEpoch = DefaultRecordBatch.NoProducerEpoch;
        _baseSequence = DefaultRecordBatch.NoSequence;
        _isTransactional = false;
        IsClosed = false;
    }

    /// <summary>
    /// Sets producer id, epoch, base sequence and the transactional flag (idempotent and
    /// transactional producers). After <see cref="Build"/> it patches the built bytes and the CRC.
    /// </summary>
    public void SetProducerState(long producerId, short producerEpoch, int baseSequence, bool isTransactional)
    {
        _producerId = producerId;
        _producerEpoch = producerEpoch;
        _baseSequence = baseSequence;
        _isTransactional = isTransactional;
        if (IsClosed)
            DefaultRecordBatch.SetProducerState(WritableBatch(), producerId, producerEpoch, baseSequence, isTransactional);
    }

    /// <summary>Producer id written in the batch.</summary>
    public long ProducerId => _producerId;

    /// <summary>Producer epoch written in the batch.</summary>
    public short ProducerEpoch => _producerEpoch;

    /// <summary>Base sequence written in the batch.</summary>
    public int BaseSequence => _baseSequence;

    /// <summary>Whether the batch is marked transactional.</summary>
    public bool IsTransactional => _isTransactional;

    /// <summary>
    /// An upper bound of the bytes one record adds (Java's estimateSizeInBytesUpperBound): what a
    /// producer checks against batch.size before appending.
    /// </summary>
    public static int EstimateRecordSize(int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers = default)
    {
        // length, attributes, timestamp delta, offset delta, key length, value length, header count
        var size = VarInt.MaxLength32 + 1 + VarInt.MaxLength64 + VarInt.MaxLength32 + VarInt.MaxLength32 + VarInt.MaxLength32 + VarInt.MaxLength32;
        size += Math.Max(keyLength, 0) + Math.Max(valueLength, 0);
        foreach (ref readonly var h in headers)
            size += (2 * VarInt.MaxLength32) + Encoding.UTF8.GetMaxByteCount(h.Key.Length) + h.Value.Length;
        return size;
    }

    /// <summary>
    /// True when a record of this shape fits in <paramref name="sizeLimit"/> bytes together with
    /// what is already appended. An empty batch always has room, so one oversized record still
    /// gets a batch of its own (as in Java).
    /// </summary>
    public bool HasRoomFor(int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers, int sizeLimit)
    {
        if (IsClosed)
            return false;
        if (_recordCount == 0)
            return true;
        return EstimatedSizeInBytes + (int)(EstimateRecordSize(keyLength, valueLength, headers) * (Compression == CompressionType.None ? 1f : CompressionRatioEstimate)) <= sizeLimit;
    }

    /// <summary>
    /// Appends a record at the next offset. Empty spans are empty keys/values; pass
    /// <paramref name="keyIsNull"/> / <paramref name="valueIsNull"/> for null (a null value is a tombstone).
    /// </summary>
    /// <returns>The record's offset (relative to the base offset the builder was given).</returns>
    public long Append(long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<RecordHeader> headers = default, bool keyIsNull = false, bool valueIsNull = false)
        => AppendWithOffset(_lastOffset + 1, timestamp, key, value, headers, keyIsNull, valueIsNull);

    /// <summary>Appends a record with an explicit, increasing offset (a broker or a compacted log leaves gaps).</summary>
    public long AppendWithOffset(long offset, long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<RecordHeader> headers = default, bool keyIsNull = false, bool valueIsNull = false)
    {
        if (IsClosed)
            throw new InvalidOperationException("The batch is closed; call Reset to start another.");
        if (offset <= _lastOffset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Offset {offset} is not above the last appended offset {_lastOffset}.");
        var offsetDelta = offset - _baseOffset;
        if (offsetDelta > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), "Offset is too far from the batch's base offset.");
        if (_recordCount == 0)
            _baseTimestamp = timestamp;
        var timestampDelta = timestamp - _baseTimestamp;

        var keyLength = keyIsNull ? -1 : key.Length;
        var valueLength = valueIsNull ? -1 : value.Length;
        var bodySize = 1 + VarInt.SizeOf64(timestampDelta) + VarInt.SizeOf((int)offsetDelta)
            + VarInt.SizeOf(keyLength) + Math.Max(keyLength, 0)
            + VarInt.SizeOf(valueLength) + Math.Max(valueLength, 0)
            + VarInt.SizeOf(headers.Length);
        foreach (ref readonly var h in headers)
        {
            var hk = Encoding.UTF8.GetByteCount(h.Key);
            var hv = h.IsValueNull ? -1 : h.Value.Length;
            bodySize += VarInt.SizeOf(hk) + hk + VarInt.SizeOf(hv) + Math.Max(hv, 0);
        }
        var total = VarInt.SizeOf(bodySize) + bodySize;
        var span = _buffer.GetSpan(total);
        var p = VarInt.Write(span, bodySize);
        span[p++] = 0; // record attributes: unused
        p += VarInt.Write64(span[p..], timestampDelta);
        p += VarInt.Write(span[p..], (int)offsetDelta);
        p += VarInt.Write(span[p..], keyLength);
        if (keyLength > 0)
        {
            key.CopyTo(span[p..]);
            p += keyLength;
        }
        p += VarInt.Write(span[p..], valueLength);
        if (valueLength > 0)
        {
            value.CopyTo(span[p..]);
            p += valueLength;
        }
        p += VarInt.Write(span[p..], headers.Length);
        foreach (ref readonly var h in headers)
        {
            var hk = Encoding.UTF8.GetByteCount(h.Key);
            p += VarInt.Write(span[p..], hk);
            p += Encoding.UTF8.GetBytes(h.Key, span[p..]);
            if (h.IsValueNull)
            {
                p += VarInt.Write(span[p..], -1);
            }
            else
            {
                p += VarInt.Write(span[p..], h.Value.Length);
                h.Value.Span.CopyTo(span[p..]);
                p += h.Value.Length;
            }
        }
        _buffer.Advance(p);
        _recordCount++;
        _lastOffset = offset;
        if (timestamp > _maxTimestamp)
            _maxTimestamp = timestamp;
        return offset;
    }

    /// <summary>
    /// Closes the batch: compresses the records, writes the header and the CRC. Calling it again
    /// returns the same bytes. The memory is valid until <see cref="Reset"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Build()
    {
        if (IsClosed)
            return _built;
        ByteBufferWriter output;
        if (Compression == CompressionType.None)
        {
            output = _buffer;
        }
        else
        {
            output = _compressed ??= new ByteBufferWriter(_buffer.WrittenCount / 2 + DefaultRecordBatch.RecordsOffset);
            output.Reset();
            output.GetSpan(DefaultRecordBatch.RecordsOffset);
            output.Advance(DefaultRecordBatch.RecordsOffset);
            CompressionCodecs.Get(Compression).Compress(_buffer.WrittenSpan[DefaultRecordBatch.RecordsOffset..], output);
        }
        var batch = output.WrittenSlice(0, output.WrittenCount);
        WriteHeader(batch);
        _built = output.WrittenMemory;
        IsClosed = true;
        return _built;
    }

    private void WriteHeader(Span<byte> batch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch, _baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.LengthOffset..], batch.Length - DefaultRecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[DefaultRecordBatch.MagicOffset] = DefaultRecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[DefaultRecordBatch.AttributesOffset..],
            DefaultRecordBatch.ComputeAttributes(Compression, TimestampType, _isTransactional, IsControl));
        var lastOffsetDelta = _recordCount == 0 ? 0 : (int)(_lastOffset - _baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.LastOffsetDeltaOffset..], lastOffsetDelta);
        // An empty batch has no timestamps; Kafka writes -1 (NO_TIMESTAMP) for both.
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.BaseTimestampOffset..], _recordCount == 0 ? -1 : _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.MaxTimestampOffset..], _recordCount == 0 ? -1 : _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.ProducerIdOffset..], _producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[DefaultRecordBatch.ProducerEpochOffset..], _producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.BaseSequenceOffset..], _baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.RecordsCountOffset..], _recordCount);
        DefaultRecordBatch.UpdateCrc(batch);
    }

    private Span<byte> WritableBatch()
    {
        var output = Compression == CompressionType.None ? _buffer : _compressed!;
        return output.WrittenSlice(0, output.WrittenCount);
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        _buffer.Dispose();
        _compressed?.Dispose();
        _built = default;
    }
}
