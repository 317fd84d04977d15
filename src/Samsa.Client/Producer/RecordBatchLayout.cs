using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Samsa.Client.Producer;

/// <summary>
/// Offsets of the v2 record batch header (KIP-98) and the helpers the producer needs to write it in
/// place: the producer writes records straight after a reserved header and fills the header in when
/// the batch closes.
/// </summary>
internal static class RecordBatchLayout
{
    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;
    public const int HeaderSize = 61;

    /// <summary>Fills the header of a batch whose records follow it in <paramref name="batch"/>, then its CRC.</summary>
    public static void WriteHeader(Span<byte> batch, byte compression, int recordCount, long baseTimestamp, long maxTimestamp,
        long producerId, short producerEpoch, int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[LengthOffset..], batch.Length - 12);
        // The Java producer always writes -1: brokers fill in the leader epoch themselves.
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], -1);
        batch[MagicOffset] = 2;
        // Timestamp type bit 3 stays 0: CreateTime, as the Java producer writes.
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], compression);
        BinaryPrimitives.WriteInt32BigEndian(batch[LastOffsetDeltaOffset..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordsCountOffset..], recordCount);
        WriteProducerState(batch, producerId, producerEpoch, baseSequence);
    }

    /// <summary>Rewrites producer id, epoch and base sequence (a retry after an epoch bump) and the CRC.</summary>
    public static void WriteProducerState(Span<byte> batch, long producerId, short producerEpoch, int baseSequence)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[ProducerEpochOffset..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[BaseSequenceOffset..], baseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], Crc32C(batch[AttributesOffset..]));
    }

    /// <summary>CRC-32C (Castagnoli) as Kafka computes it over attributes..end.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong v in longs)
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v));
        for (int i = longs.Length * 8; i < data.Length; i++)
            crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }
}
