using Samsa.Client.Metadata;
namespace Samsa.Client.Consumer.Assignors;

/// <summary>
/// Java's RangeAssignor: per topic, members (in <see cref="GroupMember"/> order) take consecutive
/// ranges of partitions; the first <c>partitions % members</c> members get one extra.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    /// <inheritdoc />
    public string Name => "range";

    /// <inheritdoc />
    public RebalanceProtocol Protocol => RebalanceProtocol.Eager;

    /// <inheritdoc />
    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var result = PartitionAssignors.EmptyAssignment(members);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            foreach (var t in m.Topics) topics.Add(t);
        }

        var subscribers = new List<GroupMember>();
        foreach (var topic in topics)
        {
            if (!partitionsPerTopic.TryGetValue(topic, out var count) || count <= 0) continue;
            subscribers.Clear();
            foreach (var m in members)
            {
                if (m.Topics.Contains(topic)) subscribers.Add(m);
            }
            subscribers.Sort(GroupMember.Order);
            var perMember = count / subscribers.Count;
            var extra = count % subscribers.Count;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var start = perMember * i + Math.Min(i, extra);
                var length = perMember + (i + 1 > extra ? 0 : 1);
                var list = result[subscribers[i].MemberId];
                for (var p = start; p < start + length; p++) list.Add(new TopicPartition(topic, p));
            }
        }
        return result;
    }
}
