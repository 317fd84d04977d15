using System.Buffers.Binary;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.State;

/// <summary>
/// Builds transaction marker batches (KIP-98 control batches): a transactional, control v2 batch
/// with one record whose key is (version 0, type 0=abort / 1=commit) and whose value is
/// (version 0, coordinatorEpoch). Built here rather than borrowed so the broker never depends on
/// the client's record code.
/// </summary>
internal static class ControlBatch
{
    public static byte[] Build(long producerId, short producerEpoch, bool commit, int coordinatorEpoch, long timestamp)
    {
        // Record body: attributes, timestampDelta, offsetDelta, key, value, header count.
        Span<byte> record = stackalloc byte[32];
        int r = 0;
        record[r++] = 0; // attributes
        record[r++] = 0; // timestampDelta varlong 0
        record[r++] = 0; // offsetDelta varint 0
        record[r++] = (byte)VarInt.ZigZag(4); // key length 4
        BinaryPrimitives.WriteInt16BigEndian(record[r..], 0);
        BinaryPrimitives.WriteInt16BigEndian(record[(r + 2)..], (short)(commit ? 1 : 0));
        r += 4;
        record[r++] = (byte)VarInt.ZigZag(6); // value length 6
        BinaryPrimitives.WriteInt16BigEndian(record[r..], 0);
        BinaryPrimitives.WriteInt32BigEndian(record[(r + 2)..], coordinatorEpoch);
        r += 6;
        record[r++] = 0; // headers
        int recordLength = r;

        int total = BatchHeader.Size + 1 + recordLength; // record length varint fits in one byte
        var batch = new byte[total];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], total - BatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchHeader.PartitionLeaderEpochOffset..], 0);
        span[BatchHeader.MagicOffset] = 2;
        BinaryPrimitives.WriteInt16BigEndian(span[BatchHeader.AttributesOffset..], 0x10 | 0x20);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchHeader.LastOffsetDeltaOffset..], 0);
        BinaryPrimitives.WriteInt64BigEndian(span[BatchHeader.BaseTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[BatchHeader.MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[BatchHeader.ProducerIdOffset..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[BatchHeader.ProducerEpochOffset..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchHeader.BaseSequenceOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[BatchHeader.RecordCountOffset..], 1);
        span[BatchHeader.Size] = (byte)VarInt.ZigZag(recordLength);
        record[..recordLength].CopyTo(span[(BatchHeader.Size + 1)..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[BatchHeader.CrcOffset..], BatchHeader.ComputeCrc(span));
        return batch;
    }
}
