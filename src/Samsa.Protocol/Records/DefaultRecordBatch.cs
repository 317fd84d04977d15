using System.Buffers.Binary;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Layout of record batch v2 (magic 2, KIP-98) and in-place edits of a batch's header. The CRC
/// covers attributes to the end, so base offset and partition leader epoch can be rewritten (the
/// broker assigns them) without recomputing it; anything after the CRC needs <see cref="UpdateCrc"/>.
/// </summary>
public static class DefaultRecordBatch
{
    /// <summary>Offset of baseOffset (int64).</summary>
    public const int BaseOffsetOffset = 0;
    /// <summary>Offset of batchLength (int32): bytes after this field.</summary>
    public const int LengthOffset = 8;
    /// <summary>Offset of partitionLeaderEpoch (int32).</summary>
    public const int PartitionLeaderEpochOffset = 12;
    /// <summary>Offset of magic (int8).</summary>
    public const int MagicOffset = 16;
    /// <summary>Offset of crc (uint32).</summary>
    public const int CrcOffset = 17;
    /// <summary>Offset of attributes (int16), where the CRC starts.</summary>
    public const int AttributesOffset = 21;
    /// <summary>Offset of lastOffsetDelta (int32).</summary>
    public const int LastOffsetDeltaOffset = 23;
    /// <summary>Offset of baseTimestamp (int64).</summary>
    public const int BaseTimestampOffset = 27;
    /// <summary>Offset of maxTimestamp (int64).</summary>
    public const int MaxTimestampOffset = 35;
    /// <summary>Offset of producerId (int64).</summary>
    public const int ProducerIdOffset = 43;
    /// <summary>Offset of producerEpoch (int16).</summary>
    public const int ProducerEpochOffset = 51;
    /// <summary>Offset of baseSequence (int32).</summary>
    public const int BaseSequenceOffset = 53;
    /// <summary>Offset of the record count (int32).</summary>
    public const int RecordsCountOffset = 57;
    /// <summary>Offset of the first record; also the size of an empty batch.</summary>
    public const int RecordsOffset = 61;
    /// <summary>baseOffset plus batchLength: the bytes before the length-counted part (Java's LOG_OVERHEAD).</summary>
    public const int LogOverhead = 12;
    /// <summary>The current magic value.</summary>
    public const byte CurrentMagic = 2;

    /// <summary>Attribute bits 0-2: the codec.</summary>
    public const short CompressionCodecMask = 0x07;
    /// <summary>Attribute bit 3: timestamps are LogAppendTime.</summary>
    public const short TimestampTypeMask = 0x08;
    /// <summary>Attribute bit 4: part of a transaction.</summary>
    public const short TransactionalFlagMask = 0x10;
    /// <summary>Attribute bit 5: a control batch (transaction markers).</summary>
    public const short ControlFlagMask = 0x20;
    /// <summary>Attribute bit 6: baseTimestamp holds the delete horizon (KIP-534).</summary>
    public const short DeleteHorizonFlagMask = 0x40;

    /// <summary>No producer id (non-idempotent producer).</summary>
    public const long NoProducerId = -1;
    /// <summary>No producer epoch.</summary>
    public const short NoProducerEpoch = -1;
    /// <summary>No sequence number.</summary>
    public const int NoSequence = -1;
    /// <summary>Partition leader epoch as a producer writes it.</summary>
    public const int NoPartitionLeaderEpoch = -1;

    /// <summary>Builds the attributes field.</summary>
    public static short ComputeAttributes(CompressionType compression, TimestampType timestampType, bool isTransactional, bool isControl, bool hasDeleteHorizon = false)
    {
        var a = (int)compression & CompressionCodecMask;
        if (timestampType == TimestampType.LogAppendTime)
            a |= TimestampTypeMask;
        if (isTransactional)
            a |= TransactionalFlagMask;
        if (isControl)
            a |= ControlFlagMask;
        if (hasDeleteHorizon)
            a |= DeleteHorizonFlagMask;
        return (short)a;
    }

    /// <summary>Rewrites the base offset (not covered by the CRC).</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) => BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Rewrites the partition leader epoch (not covered by the CRC).</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) => BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);

    /// <summary>
    /// Rewrites producer id, epoch, base sequence and the transactional bit, then the CRC: what a
    /// producer does when an idempotent batch must be re-sequenced before a retry.
    /// </summary>
    public static void SetProducerState(Span<byte> batch, long producerId, short producerEpoch, int baseSequence, bool isTransactional)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[ProducerEpochOffset..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[BaseSequenceOffset..], baseSequence);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        attributes = (short)(isTransactional ? attributes | TransactionalFlagMask : attributes & ~TransactionalFlagMask);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], attributes);
        UpdateCrc(batch);
    }

    /// <summary>
    /// Sets LogAppendTime: the timestamp type bit and maxTimestamp (which readers then report for
    /// every record), then the CRC, as a broker with message.timestamp.type=LogAppendTime does.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], timestamp);
        UpdateCrc(batch);
    }

    /// <summary>Computes the CRC-32C of a whole batch (from attributes to the end).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>Recomputes and stores the CRC after an edit.</summary>
    public static void UpdateCrc(Span<byte> batch) => BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
}
