namespace Samsa.Client.Producer;

/// <summary>A record to produce: key, value, headers and optionally its partition and timestamp.</summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed class ProducerRecord<TKey, TValue>
{
    /// <summary>Creates an empty record (set the properties).</summary>
    public ProducerRecord() { }

    /// <summary>Creates a record with a key and a value.</summary>
    public ProducerRecord(TKey key, TValue value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The key; null for none. Keyed records go to a partition chosen by hashing the key.</summary>
    public TKey Key { get; set; } = default!;

    /// <summary>The value; null is Kafka's null value (a tombstone on compacted topics).</summary>
    public TValue Value { get; set; } = default!;

    /// <summary>Headers, or null for none.</summary>
    public Headers? Headers { get; set; }

    /// <summary>The partition to write to; null lets the partitioner choose.</summary>
    public int? Partition { get; set; }

    /// <summary>The record's CreateTime; null means now.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}

/// <summary>Where a record was written (Java's RecordMetadata).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The record's offset; -1 when unknown (acks=0).</param>
/// <param name="Timestamp">The record's timestamp: its CreateTime, or the broker's LogAppendTime when the topic uses it.</param>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp);

/// <summary>
/// Receives the outcome of a record produced with the callback form. Runs on the producer's network
/// thread: keep it short and never block in it (blocking there stalls every delivery).
/// </summary>
public interface IDeliveryHandler
{
    /// <summary>Called once per record: <paramref name="error"/> is null on success.</summary>
    /// <param name="result">Topic, partition, offset and timestamp (offset -1 on failure).</param>
    /// <param name="error">Why the record was not delivered, or null.</param>
    void OnDelivery(in DeliveryResult result, Exception? error);
}
