using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Records;

/// <summary>
/// A transaction marker: the single record of a control batch that commits or aborts a producer's
/// transaction on one partition (KIP-98). Value: version int16, coordinatorEpoch int32.
/// </summary>
public readonly struct EndTransactionMarker
{
    /// <summary>Bytes of the marker value (version 0).</summary>
    public const int ValueSize = 6;

    /// <summary>Creates a marker.</summary>
    public EndTransactionMarker(ControlRecordType type, int coordinatorEpoch)
    {
        if (type is not (ControlRecordType.Commit or ControlRecordType.Abort))
            throw new ArgumentException($"A transaction marker is Commit or Abort, not {type}.", nameof(type));
        Type = type;
        CoordinatorEpoch = coordinatorEpoch;
    }

    /// <summary>Commit or Abort.</summary>
    public ControlRecordType Type { get; }

    /// <summary>Epoch of the transaction coordinator that wrote the marker.</summary>
    public int CoordinatorEpoch { get; }

    /// <summary>
    /// Reads the marker of a control record (key and value). Returns false for control records
    /// that are not transaction markers.
    /// </summary>
    public static bool TryRead(in Record record, out EndTransactionMarker marker)
    {
        marker = default;
        if (record.IsKeyNull)
            throw new CorruptRecordException($"Control record at offset {record.Offset} has a null key.");
        var type = ControlRecord.ParseType(record.Key.Span);
        if (type is not (ControlRecordType.Commit or ControlRecordType.Abort))
            return false;
        var value = record.Value.Span;
        if (record.IsValueNull || value.Length < ValueSize)
            throw new CorruptRecordException($"Transaction marker at offset {record.Offset} has a value of {value.Length} bytes; {ValueSize} are needed.");
        var version = BinaryPrimitives.ReadInt16BigEndian(value);
        if (version < 0)
            throw new CorruptRecordException($"Transaction marker at offset {record.Offset} has invalid version {version}.");
        // Newer versions may append fields; version 0's fields stay first, as Java reads them.
        marker = new EndTransactionMarker(type, BinaryPrimitives.ReadInt32BigEndian(value[2..]));
        return true;
    }

    /// <summary>Writes the marker value (version 0).</summary>
    public int WriteValue(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, 0);
        BinaryPrimitives.WriteInt32BigEndian(destination[2..], CoordinatorEpoch);
        return ValueSize;
    }

    /// <summary>
    /// Writes a whole control batch holding this marker (what a partition leader appends when the
    /// coordinator sends WriteTxnMarkers).
    /// </summary>
    public void WriteBatch(IBufferWriter<byte> output, long baseOffset, long timestamp, long producerId, short producerEpoch, int partitionLeaderEpoch = DefaultRecordBatch.NoPartitionLeaderEpoch)
    {
        using var builder = new RecordBatchBuilder(Compression.CompressionType.None, baseOffset, 128);
        builder.IsControl = true;
        builder.PartitionLeaderEpoch = partitionLeaderEpoch;
        builder.SetProducerState(producerId, producerEpoch, DefaultRecordBatch.NoSequence, isTransactional: true);
        Span<byte> key = stackalloc byte[ControlRecord.KeySize];
        ControlRecord.WriteKey(key, Type);
        Span<byte> value = stackalloc byte[ValueSize];
        WriteValue(value);
        builder.Append(timestamp, key, value);
        var batch = builder.Build().Span;
        batch.CopyTo(output.GetSpan(batch.Length));
        output.Advance(batch.Length);
    }
}
