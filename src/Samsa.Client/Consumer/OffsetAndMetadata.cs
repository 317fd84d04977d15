using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>Orders partitions by topic (ordinal), then partition number; assignors and logs use it.</summary>
internal sealed class TopicPartitionComparer : IComparer<TopicPartition>
{
    public static readonly TopicPartitionComparer Instance = new();

    public int Compare(TopicPartition x, TopicPartition y)
    {
        var c = string.CompareOrdinal(x.Topic, y.Topic);
        return c != 0 ? c : x.Partition.CompareTo(y.Partition);
    }
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
