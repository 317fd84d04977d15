using Samsa.Client.Consumer.Assignors;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer.Groups;

/// <summary>
/// The "consumer" embedded protocol (Java's ConsumerProtocol): JoinGroup metadata and SyncGroup
/// assignments are a 2-byte version followed by ConsumerProtocolSubscription / ConsumerProtocolAssignment.
/// Versions newer than we know are read as the newest we know (the format only appends fields), as Java does.
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";
    const short SubscriptionVersion = 3;
    const short AssignmentVersion = 3;

    public static byte[] SerializeSubscription(IReadOnlyCollection<string> topics, IReadOnlyCollection<TopicPartition> owned, int generationId, string? rackId)
    {
        var sortedTopics = new List<string>(topics);
        sortedTopics.Sort(StringComparer.Ordinal);
        var message = new ConsumerProtocolSubscription
        {
            Topics = sortedTopics,
            OwnedPartitions = Group(owned, static (t, p) => new ConsumerProtocolSubscription.TopicPartition { Topic = t, Partitions = p }),
            GenerationId = generationId,
            RackId = string.IsNullOrEmpty(rackId) ? null : rackId,
        };
        using var buffer = new ByteBufferWriter(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(SubscriptionVersion);
        message.Write(ref writer, SubscriptionVersion);
        return buffer.ToArray();
    }

    public static GroupMember DeserializeSubscription(string memberId, string? groupInstanceId, byte[] metadata)
    {
        try
        {
            var reader = new KafkaReader(metadata);
            var version = Math.Min(reader.ReadInt16(), ConsumerProtocolSubscription.HighestVersion);
            if (version < 0) throw new KafkaProtocolException($"Subscription of member {memberId} has negative version {version}.");
            var s = ConsumerProtocolSubscription.Read(ref reader, version);
            var owned = new List<TopicPartition>();
            foreach (var tp in s.OwnedPartitions)
            {
                foreach (var p in tp.Partitions) owned.Add(new TopicPartition(tp.Topic, p));
            }
            return new GroupMember(memberId, groupInstanceId, s.Topics, owned, version >= 2 ? s.GenerationId : -1, s.RackId);
        }
        catch (KafkaProtocolException e)
        {
            throw new KafkaProtocolException($"Could not read the subscription of group member {memberId}: {e.Message}", e);
        }
    }

    public static byte[] SerializeAssignment(IReadOnlyCollection<TopicPartition> partitions)
    {
        var message = new ConsumerProtocolAssignment
        {
            AssignedPartitions = Group(partitions, static (t, p) => new ConsumerProtocolAssignment.TopicPartition { Topic = t, Partitions = p }),
        };
        using var buffer = new ByteBufferWriter(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(AssignmentVersion);
        message.Write(ref writer, AssignmentVersion);
        return buffer.ToArray();
    }

    /// <summary>Reads an assignment; an empty byte array (no assignment, e.g. a member that joined late) is empty.</summary>
    public static List<TopicPartition> DeserializeAssignment(byte[] bytes)
    {
        var result = new List<TopicPartition>();
        if (bytes.Length == 0) return result;
        try
        {
            var reader = new KafkaReader(bytes);
            var version = Math.Min(reader.ReadInt16(), ConsumerProtocolAssignment.HighestVersion);
            if (version < 0) throw new KafkaProtocolException($"Assignment has negative version {version}.");
            var a = ConsumerProtocolAssignment.Read(ref reader, version);
            foreach (var tp in a.AssignedPartitions)
            {
                foreach (var p in tp.Partitions) result.Add(new TopicPartition(tp.Topic, p));
            }
            return result;
        }
        catch (KafkaProtocolException e)
        {
            throw new KafkaProtocolException("Could not read the group assignment: " + e.Message, e);
        }
    }

    static List<T> Group<T>(IReadOnlyCollection<TopicPartition> partitions, Func<string, List<int>, T> create)
    {
        var byTopic = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var tp in partitions)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var list)) byTopic[tp.Topic] = list = [];
            list.Add(tp.Partition);
        }
        var result = new List<T>(byTopic.Count);
        foreach (var (topic, list) in byTopic)
        {
            list.Sort();
            result.Add(create(topic, list));
        }
        return result;
    }
}
