using System.Buffers.Binary;
using System.Numerics;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Records;

namespace Samsa.Broker.State;

/// <summary>
/// The fixed 61-byte header of a v2 record batch, parsed without touching the records. The broker
/// stores batches as the client sent them, so this is all it ever decodes on the produce path.
/// </summary>
internal readonly struct BatchHeader
{
    /// <summary>Size of the v2 header (baseOffset .. recordCount).</summary>
    public const int Size = DefaultRecordBatch.RecordsOffset;

    /// <summary>Bytes before the batch's length field ends (baseOffset + batchLength).</summary>
    public const int LogOverhead = DefaultRecordBatch.LogOverhead;

    public const int BaseOffsetOffset = DefaultRecordBatch.BaseOffsetOffset;
    public const int PartitionLeaderEpochOffset = DefaultRecordBatch.PartitionLeaderEpochOffset;
    public const int MagicOffset = DefaultRecordBatch.MagicOffset;
    public const int CrcOffset = DefaultRecordBatch.CrcOffset;
    public const int AttributesOffset = DefaultRecordBatch.AttributesOffset;
    public const int LastOffsetDeltaOffset = DefaultRecordBatch.LastOffsetDeltaOffset;
    public const int BaseTimestampOffset = DefaultRecordBatch.BaseTimestampOffset;
    public const int MaxTimestampOffset = DefaultRecordBatch.MaxTimestampOffset;
    public const int ProducerIdOffset = DefaultRecordBatch.ProducerIdOffset;
    public const int ProducerEpochOffset = DefaultRecordBatch.ProducerEpochOffset;
    public const int BaseSequenceOffset = DefaultRecordBatch.BaseSequenceOffset;
    public const int RecordCountOffset = DefaultRecordBatch.RecordsCountOffset;

    public long BaseOffset { get; init; }
    public int BatchLength { get; init; }
    public sbyte Magic { get; init; }
    public uint Crc { get; init; }
    public short Attributes { get; init; }
    public int LastOffsetDelta { get; init; }
    public long BaseTimestamp { get; init; }
    public long MaxTimestamp { get; init; }
    public long ProducerId { get; init; }
    public short ProducerEpoch { get; init; }
    public int BaseSequence { get; init; }
    public int RecordCount { get; init; }

    /// <summary>Total bytes of the batch including the offset and length fields.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    public bool IsTransactional => (Attributes & 0x10) != 0;

    public bool IsControl => (Attributes & 0x20) != 0;

    public bool IsLogAppendTime => (Attributes & 0x08) != 0;

    public int CompressionType => Attributes & 0x07;

    /// <summary>Last sequence number in the batch, wrapping like Kafka's DefaultRecordBatch.</summary>
    public int LastSequence => BaseSequence < 0 ? -1 : (int)(((long)BaseSequence + LastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Parses the header at the start of <paramref name="span"/>.</summary>
    /// <exception cref="CorruptRecordException">The header is short, not magic 2, or inconsistent.</exception>
    public static BatchHeader Read(ReadOnlySpan<byte> span)
    {
        if (span.Length < Size)
        {
            throw new CorruptRecordException($"Record batch is {span.Length} bytes, shorter than the {Size}-byte v2 header.");
        }
        sbyte magic = (sbyte)span[MagicOffset];
        if (magic != 2)
        {
            throw new CorruptRecordException($"Record batch has magic {magic}; this broker only accepts magic 2 (Kafka 0.11+ record batches).");
        }
        var header = new BatchHeader
        {
            BaseOffset = BinaryPrimitives.ReadInt64BigEndian(span),
            BatchLength = BinaryPrimitives.ReadInt32BigEndian(span[8..]),
            Magic = magic,
            Crc = BinaryPrimitives.ReadUInt32BigEndian(span[CrcOffset..]),
            Attributes = BinaryPrimitives.ReadInt16BigEndian(span[AttributesOffset..]),
            LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(span[LastOffsetDeltaOffset..]),
            BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(span[BaseTimestampOffset..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(span[MaxTimestampOffset..]),
            ProducerId = BinaryPrimitives.ReadInt64BigEndian(span[ProducerIdOffset..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(span[ProducerEpochOffset..]),
            BaseSequence = BinaryPrimitives.ReadInt32BigEndian(span[BaseSequenceOffset..]),
            RecordCount = BinaryPrimitives.ReadInt32BigEndian(span[RecordCountOffset..]),
        };
        if (header.BatchLength < Size - LogOverhead)
        {
            throw new CorruptRecordException($"Record batch length {header.BatchLength} is smaller than the v2 header.");
        }
        if (header.LastOffsetDelta < 0 || header.RecordCount < 0)
        {
            throw new CorruptRecordException($"Record batch has negative lastOffsetDelta {header.LastOffsetDelta} or record count {header.RecordCount}.");
        }
        return header;
    }

    /// <summary>CRC-32C over attributes..end, as stored in the crc field.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Samsa.Protocol.Records.Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>
    /// Splits a produce request's records blob into batches and validates each header and CRC.
    /// Returns the number of batches; throws on the first bad one.
    /// </summary>
    public static int Validate(ReadOnlySpan<byte> records, Span<BatchHeader> headers, out int count)
    {
        count = 0;
        int position = 0;
        while (position < records.Length)
        {
            var remaining = records[position..];
            if (remaining.Length < LogOverhead)
            {
                throw new CorruptRecordException($"Records end with {remaining.Length} trailing bytes, not a whole batch.");
            }
            var header = Read(remaining);
            if (header.TotalSize > remaining.Length)
            {
                throw new CorruptRecordException($"Record batch claims {header.TotalSize} bytes but only {remaining.Length} remain.");
            }
            uint actual = ComputeCrc(remaining[..header.TotalSize]);
            if (actual != header.Crc)
            {
                throw new CorruptRecordException($"Record batch CRC mismatch: stored 0x{header.Crc:x8}, computed 0x{actual:x8}.");
            }
            if (count == headers.Length)
            {
                throw new CorruptRecordException($"Produce request carries more than {headers.Length} batches for one partition.");
            }
            headers[count++] = header;
            position += header.TotalSize;
        }
        return count;
    }
}
