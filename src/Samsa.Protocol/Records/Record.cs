namespace Samsa.Protocol.Records;

/// <summary>
/// One record read from a batch (Java's Record). Key, value and headers are slices of the fetch
/// response or of the reader's decompression buffer: no copy is made, and they are valid until the
/// <see cref="RecordBatchReader"/> moves to another batch, is reset or is disposed. Copy what must outlive that.
/// </summary>
public readonly struct Record
{
    internal Record(long offset, long timestamp, TimestampType timestampType, ReadOnlyMemory<byte> key, bool isKeyNull,
        ReadOnlyMemory<byte> value, bool isValueNull, RecordHeaders headers, int sizeInBytes)
    {
        Offset = offset;
        Timestamp = timestamp;
        TimestampType = timestampType;
        Key = key;
        IsKeyNull = isKeyNull;
        Value = value;
        IsValueNull = isValueNull;
        Headers = headers;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>The record's offset in the partition.</summary>
    public long Offset { get; }

    /// <summary>Milliseconds since the epoch (-1 for legacy magic 0 records, which have none).</summary>
    public long Timestamp { get; }

    /// <summary>What <see cref="Timestamp"/> means.</summary>
    public TimestampType TimestampType { get; }

    /// <summary>The key bytes (empty when <see cref="IsKeyNull"/>).</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>True for a null key, as opposed to an empty one.</summary>
    public bool IsKeyNull { get; }

    /// <summary>The value bytes (empty when <see cref="IsValueNull"/>).</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>True for a null value (a tombstone in a compacted topic).</summary>
    public bool IsValueNull { get; }

    /// <summary>The record's headers (none for legacy records).</summary>
    public RecordHeaders Headers { get; }

    /// <summary>Size of the record's encoding, uncompressed.</summary>
    public int SizeInBytes { get; }
}
