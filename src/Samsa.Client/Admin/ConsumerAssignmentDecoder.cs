using Samsa.Client.Metadata;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Admin;

/// <summary>
/// Decodes the member assignment bytes DescribeGroups returns for consumer groups
/// (ConsumerProtocolAssignment: version, then [topic, [partition]], then user data). Every version
/// so far starts with the same fields and is never flexible, so newer versions decode too.
/// </summary>
internal static class ConsumerAssignmentDecoder
{
    /// <summary>The assigned partitions; empty for an empty or non-consumer assignment.</summary>
    /// <exception cref="KafkaProtocolException">The bytes are truncated or malformed.</exception>
    public static IReadOnlyList<TopicPartition> Decode(ReadOnlySpan<byte> assignment)
    {
        if (assignment.Length < 2)
            return [];
        var reader = new KafkaReader(assignment);
        var version = reader.ReadInt16();
        if (version < 0)
            throw new KafkaProtocolException($"consumer assignment has negative version {version}");
        var result = new List<TopicPartition>();
        var topics = reader.ReadArrayLength(compact: false, minElementSize: 6);
        for (var t = 0; t < topics; t++)
        {
            var topic = reader.ReadString(compact: false, "assignment topic");
            var partitions = reader.ReadArrayLength(compact: false, minElementSize: 4);
            for (var p = 0; p < partitions; p++)
                result.Add(new TopicPartition(topic, reader.ReadInt32()));
        }
        result.Sort(Compare);
        return result;
    }

    /// <summary>Orders by topic (ordinal), then partition.</summary>
    internal static int Compare(TopicPartition a, TopicPartition b)
    {
        var c = string.CompareOrdinal(a.Topic, b.Topic);
        return c != 0 ? c : a.Partition.CompareTo(b.Partition);
    }
}
