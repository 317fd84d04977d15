using Samsa.Client.Producer;
using Samsa.Protocol.Records;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>One record returned by the consumer (Java's ConsumerRecord).</summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed class ConsumeResult<TKey, TValue>
{
    internal ConsumeResult(string topic, int partition, long offset, long timestamp, TimestampType timestampType,
        TKey key, TValue value, Headers? headers, int? leaderEpoch, int serializedKeySize, int serializedValueSize)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        TimestampType = timestampType;
        Key = key;
        Value = value;
        _headers = headers;
        LeaderEpoch = leaderEpoch;
        SerializedKeySize = serializedKeySize;
        SerializedValueSize = serializedValueSize;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition.</summary>
    public int Partition { get; }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>The record timestamp in Unix milliseconds (create time or log append time, see <see cref="TimestampType"/>).</summary>
    public long Timestamp { get; }

    /// <summary>Whether <see cref="Timestamp"/> is the producer's create time or the broker's append time.</summary>
    public TimestampType TimestampType { get; }

    /// <summary>The deserialized key.</summary>
    public TKey Key { get; }

    /// <summary>The deserialized value.</summary>
    public TValue Value { get; }

    /// <summary>The record headers, in order (empty when there are none).</summary>
    public Headers Headers => _headers ??= new Headers();

    // Most records carry no headers: their Headers object is made only when asked for.
    Headers? _headers;

    /// <summary>The leader epoch of the batch, when the broker sent one.</summary>
    public int? LeaderEpoch { get; }

    /// <summary>Key size in bytes, or -1 for a null key.</summary>
    public int SerializedKeySize { get; }

    /// <summary>Value size in bytes, or -1 for a null value.</summary>
    public int SerializedValueSize { get; }

    /// <summary>The topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>The timestamp as a <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset TimestampUtc => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);

    /// <inheritdoc />
    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}

/// <summary>The records of one poll, grouped by partition in fetch order (Java's ConsumerRecords).</summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed class ConsumerRecords<TKey, TValue> : IReadOnlyList<ConsumeResult<TKey, TValue>>
{
    readonly List<ConsumeResult<TKey, TValue>> _records;

    internal ConsumerRecords(List<ConsumeResult<TKey, TValue>> records) => _records = records;

    /// <summary>An empty result.</summary>
    public static ConsumerRecords<TKey, TValue> Empty { get; } = new([]);

    /// <summary>Number of records.</summary>
    public int Count => _records.Count;

    /// <summary>True when the poll returned nothing.</summary>
    public bool IsEmpty => _records.Count == 0;

    /// <summary>The record at <paramref name="index"/>.</summary>
    public ConsumeResult<TKey, TValue> this[int index] => _records[index];

    /// <summary>Partitions that have records in this result.</summary>
    public IReadOnlyCollection<TopicPartition> Partitions
    {
        get
        {
            var set = new HashSet<TopicPartition>();
            var list = new List<TopicPartition>();
            foreach (var r in _records)
            {
                if (set.Add(r.TopicPartition)) list.Add(r.TopicPartition);
            }
            return list;
        }
    }

    /// <summary>The records of one partition, in offset order.</summary>
    public IReadOnlyList<ConsumeResult<TKey, TValue>> RecordsFor(TopicPartition partition)
    {
        var list = new List<ConsumeResult<TKey, TValue>>();
        foreach (var r in _records)
        {
            if (r.Partition == partition.Partition && r.Topic == partition.Topic) list.Add(r);
        }
        return list;
    }

    /// <inheritdoc />
    public IEnumerator<ConsumeResult<TKey, TValue>> GetEnumerator() => _records.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Called on the consuming thread (inside Consume/Poll, Close, Unsubscribe) when the group changes
/// this consumer's partitions (Java's ConsumerRebalanceListener). An exception from a callback does
/// not stop the rebalance: the assignment is updated first, then Consume/Poll throws it once (a
/// <see cref="Samsa.Protocol.Errors.KafkaException"/> as it is, anything else wrapped in one), as Java
/// does; the next call continues normally. Unsubscribe throws it after leaving the group; Close logs it.
/// </summary>
public interface IConsumerRebalanceListener
{
    /// <summary>
    /// Partitions are taken away in an orderly rebalance. With an eager assignor this is every owned
    /// partition before each rebalance; with cooperative-sticky only those moving elsewhere.
    /// Commit their offsets here when managing commits manually.
    /// </summary>
    void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Partitions newly given to this consumer (with cooperative-sticky, only the added ones; may be empty).</summary>
    void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>
    /// Partitions were lost without an orderly revoke (the member was fenced or its session expired):
    /// other members may already own them, so do not commit. Defaults to <see cref="OnPartitionsRevoked"/>, as Java.
    /// </summary>
    void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => OnPartitionsRevoked(partitions);
}
