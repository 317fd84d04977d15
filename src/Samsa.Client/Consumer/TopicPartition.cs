namespace Samsa.Client.Consumer;

/// <summary>A topic name and partition number (Java's TopicPartition).</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number.</param>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <inheritdoc />
    public int CompareTo(TopicPartition other)
    {
        var c = string.CompareOrdinal(Topic, other.Topic);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    /// <summary>Formats as <c>topic-partition</c>, as Kafka's logs do.</summary>
    public override string ToString() => Topic + "-" + Partition.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Ordinal comparison operator.</summary>
    public static bool operator <(TopicPartition left, TopicPartition right) => left.CompareTo(right) < 0;

    /// <summary>Ordinal comparison operator.</summary>
    public static bool operator >(TopicPartition left, TopicPartition right) => left.CompareTo(right) > 0;

    /// <summary>Ordinal comparison operator.</summary>
    public static bool operator <=(TopicPartition left, TopicPartition right) => left.CompareTo(right) <= 0;

    /// <summary>Ordinal comparison operator.</summary>
    public static bool operator >=(TopicPartition left, TopicPartition right) => left.CompareTo(right) >= 0;
}

/// <summary>An offset to commit or a committed offset, with optional metadata (Java's OffsetAndMetadata).</summary>
/// <param name="Offset">The next offset to consume (last consumed + 1).</param>
/// <param name="Metadata">Free-form metadata stored with the commit.</param>
/// <param name="LeaderEpoch">The leader epoch of the last consumed record, when known.</param>
public sealed record OffsetAndMetadata(long Offset, string? Metadata = null, int? LeaderEpoch = null);

/// <summary>An offset and the timestamp of the record found there (Java's OffsetAndTimestamp).</summary>
/// <param name="Offset">The offset of the first record whose timestamp is at least the one asked for.</param>
/// <param name="Timestamp">That record's timestamp in Unix milliseconds.</param>
/// <param name="LeaderEpoch">The leader epoch, when the broker returned one.</param>
public sealed record OffsetAndTimestamp(long Offset, long Timestamp, int? LeaderEpoch = null);
