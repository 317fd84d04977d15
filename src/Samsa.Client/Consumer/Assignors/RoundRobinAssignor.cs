using Samsa.Client.Metadata;
namespace Samsa.Client.Consumer.Assignors;

/// <summary>
/// Java's RoundRobinAssignor: all partitions of all subscribed topics, sorted by topic then
/// partition, are dealt to members (in <see cref="GroupMember"/> order) in turn, skipping members
/// not subscribed to a partition's topic.
/// </summary>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    /// <inheritdoc />
    public string Name => "roundrobin";

    /// <inheritdoc />
    public RebalanceProtocol Protocol => RebalanceProtocol.Eager;

    /// <inheritdoc />
    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var result = PartitionAssignors.EmptyAssignment(members);
        if (members.Count == 0) return result;
        var sorted = new List<GroupMember>(members);
        sorted.Sort(GroupMember.Order);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            foreach (var t in m.Topics) topics.Add(t);
        }

        var next = 0;
        foreach (var topic in topics)
        {
            if (!partitionsPerTopic.TryGetValue(topic, out var count)) continue;
            for (var p = 0; p < count; p++)
            {
                // Some member subscribes to this topic (it came from a subscription), so this ends.
                while (!sorted[next].Topics.Contains(topic)) next = (next + 1) % sorted.Count;
                result[sorted[next].MemberId].Add(new TopicPartition(topic, p));
                next = (next + 1) % sorted.Count;
            }
        }
        return result;
    }
}
