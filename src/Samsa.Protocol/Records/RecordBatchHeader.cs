using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// The header of one batch read by <see cref="RecordBatchReader"/> (Java's RecordBatch). For a
/// legacy (magic 0/1) entry it describes that one message or compressed wrapper, with the v2-only
/// fields at their "none" values.
/// </summary>
public readonly struct RecordBatchHeader
{
    internal RecordBatchHeader(ReadOnlyMemory<byte> memory, long baseOffset, long lastOffset, int partitionLeaderEpoch, byte magic,
        uint crc, short attributes, long baseTimestamp, long maxTimestamp, long producerId, short producerEpoch, int baseSequence, int recordCount)
    {
        Memory = memory;
        BaseOffset = baseOffset;
        LastOffset = lastOffset;
        PartitionLeaderEpoch = partitionLeaderEpoch;
        Magic = magic;
        Crc = crc;
        Attributes = attributes;
        BaseTimestamp = baseTimestamp;
        MaxTimestamp = maxTimestamp;
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        RecordCount = recordCount;
    }

    /// <summary>The whole batch as it was on the wire (compressed, with header), e.g. for a broker to store.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Bytes of the batch including offset and length fields.</summary>
    public int SizeInBytes => Memory.Length;

    /// <summary>Offset of the first record.</summary>
    public long BaseOffset { get; }

    /// <summary>Offset of the last record (baseOffset + lastOffsetDelta); a compacted batch may have fewer records.</summary>
    public long LastOffset { get; }

    /// <summary>The offset after this batch.</summary>
    public long NextOffset => LastOffset + 1;

    /// <summary>Leader epoch of the partition when the batch was appended (-1 from a producer or legacy).</summary>
    public int PartitionLeaderEpoch { get; }

    /// <summary>0 or 1 for legacy messages, 2 for record batches.</summary>
    public byte Magic { get; }

    /// <summary>The stored checksum (CRC-32C for v2, CRC-32 for legacy).</summary>
    public uint Crc { get; }

    /// <summary>The raw attributes.</summary>
    public short Attributes { get; }

    /// <summary>The codec of the records.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & DefaultRecordBatch.CompressionCodecMask);

    /// <summary>Timestamp type of the records.</summary>
    public TimestampType TimestampType => Magic == 0 ? TimestampType.NoTimestampType
        : (Attributes & DefaultRecordBatch.TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>True when the batch is part of a transaction.</summary>
    public bool IsTransactional => Magic >= 2 && (Attributes & DefaultRecordBatch.TransactionalFlagMask) != 0;

    /// <summary>True for a control batch (transaction markers): applications never see its records.</summary>
    public bool IsControlBatch => Magic >= 2 && (Attributes & DefaultRecordBatch.ControlFlagMask) != 0;

    /// <summary>True when <see cref="BaseTimestamp"/> is a delete horizon (KIP-534).</summary>
    public bool HasDeleteHorizon => Magic >= 2 && (Attributes & DefaultRecordBatch.DeleteHorizonFlagMask) != 0;

    /// <summary>Timestamp of the first record (or the delete horizon).</summary>
    public long BaseTimestamp { get; }

    /// <summary>Largest record timestamp, or the log append time.</summary>
    public long MaxTimestamp { get; }

    /// <summary>Producer id (-1 when not idempotent).</summary>
    public long ProducerId { get; }

    /// <summary>Producer epoch.</summary>
    public short ProducerEpoch { get; }

    /// <summary>Sequence of the first record (-1 when not idempotent).</summary>
    public int BaseSequence { get; }

    /// <summary>Records in the batch.</summary>
    public int RecordCount { get; }
}
