using System.Buffers.Binary;
using Samsa.Protocol.Records;

namespace Samsa.Client.Producer;

/// <summary>
/// How the producer fills in a v2 record batch header (KIP-98) in place: records are written
/// straight after a reserved header, and the header is completed when the batch closes. The layout
/// itself is <see cref="DefaultRecordBatch"/>'s, shared with the reader and the embedded broker.
/// </summary>
internal static class RecordBatchLayout
{
    public const int HeaderSize = DefaultRecordBatch.RecordsOffset;

    /// <summary>Fills the header of a batch whose records follow it in <paramref name="batch"/>, then its CRC.</summary>
    public static void WriteHeader(Span<byte> batch, byte compression, int recordCount, long baseTimestamp, long maxTimestamp,
        long producerId, short producerEpoch, int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.LengthOffset..], batch.Length - DefaultRecordBatch.LogOverhead);
        // The Java producer always writes -1: brokers fill in the leader epoch themselves.
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.PartitionLeaderEpochOffset..], DefaultRecordBatch.NoPartitionLeaderEpoch);
        batch[DefaultRecordBatch.MagicOffset] = DefaultRecordBatch.CurrentMagic;
        // Timestamp type bit 3 stays 0: CreateTime, as the Java producer writes.
        BinaryPrimitives.WriteInt16BigEndian(batch[DefaultRecordBatch.AttributesOffset..], compression);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.LastOffsetDeltaOffset..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[DefaultRecordBatch.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(batch[DefaultRecordBatch.RecordsCountOffset..], recordCount);
        WriteProducerState(batch, producerId, producerEpoch, baseSequence);
    }

    /// <summary>Rewrites producer id, epoch and base sequence (a retry after an epoch bump) and the CRC.</summary>
    public static void WriteProducerState(Span<byte> batch, long producerId, short producerEpoch, int baseSequence)
        => DefaultRecordBatch.SetProducerState(batch, producerId, producerEpoch, baseSequence, isTransactional: false);
}
