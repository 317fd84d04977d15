using Samsa.Client.Metadata;
namespace Samsa.Client.Consumer.Assignors;

/// <summary>
/// Java's CooperativeStickyAssignor (KIP-429): a balanced assignment that keeps as many partitions
/// with their previous owners as possible, and holds back partitions that change owner so the old
/// owner revokes them first; they are handed out in the follow-up rebalance the revoking member
/// asks for. Ownership comes from the subscriptions' OwnedPartitions and GenerationId (when two
/// members claim a partition, the newer generation wins), so Java and librdkafka members that fill
/// those fields interoperate.
/// </summary>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    /// <inheritdoc />
    public string Name => "cooperative-sticky";

    /// <inheritdoc />
    public RebalanceProtocol Protocol => RebalanceProtocol.Cooperative;

    /// <inheritdoc />
    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var sorted = new List<GroupMember>(members);
        sorted.Sort(GroupMember.Order);
        var result = PartitionAssignors.EmptyAssignment(members);
        var subscribed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var m in sorted) subscribed[m.MemberId] = new HashSet<string>(m.Topics, StringComparer.Ordinal);

        // Previous owner of each still-valid partition; the newest generation's claim wins.
        var previousOwner = new Dictionary<TopicPartition, (string Member, int Generation)>();
        foreach (var m in sorted)
        {
            foreach (var tp in m.OwnedPartitions)
            {
                if (!partitionsPerTopic.TryGetValue(tp.Topic, out var count) || tp.Partition < 0 || tp.Partition >= count) continue;
                if (!subscribed[m.MemberId].Contains(tp.Topic)) continue;
                if (previousOwner.TryGetValue(tp, out var claim) && claim.Generation >= m.GenerationId) continue;
                previousOwner[tp] = (m.MemberId, m.GenerationId);
            }
        }
        foreach (var (tp, owner) in previousOwner) result[owner.Member].Add(tp);

        var all = new SortedSet<TopicPartition>(TopicPartitionComparer.Instance);
        foreach (var m in sorted)
        {
            foreach (var topic in m.Topics)
            {
                if (!partitionsPerTopic.TryGetValue(topic, out var count)) continue;
                for (var p = 0; p < count; p++) all.Add(new TopicPartition(topic, p));
            }
        }

        // Unowned partitions go to the least-loaded subscribed member.
        foreach (var tp in all)
        {
            if (previousOwner.ContainsKey(tp)) continue;
            var target = LeastLoaded(sorted, subscribed, result, tp.Topic);
            if (target is not null) result[target].Add(tp);
        }

        Balance(sorted, subscribed, result, all.Count);

        // Cooperative: a partition moving to a new owner is withheld this round; its old owner revokes it
        // and rejoins, and the next assignment gives it out (Java's adjustAssignment).
        foreach (var m in sorted)
        {
            result[m.MemberId].RemoveAll(tp => previousOwner.TryGetValue(tp, out var o) && o.Member != m.MemberId);
            result[m.MemberId].Sort(TopicPartitionComparer.Instance);
        }
        return result;
    }

    static string? LeastLoaded(List<GroupMember> sorted, Dictionary<string, HashSet<string>> subscribed,
        Dictionary<string, List<TopicPartition>> assignment, string topic)
    {
        string? best = null;
        var bestCount = int.MaxValue;
        foreach (var m in sorted)
        {
            if (!subscribed[m.MemberId].Contains(topic)) continue;
            var count = assignment[m.MemberId].Count;
            if (count < bestCount)
            {
                best = m.MemberId;
                bestCount = count;
            }
        }
        return best;
    }

    // Moves partitions from the most to the least loaded eligible member until no move narrows a gap
    // of two or more. Each move lowers the sum of squared loads, so the loop ends; the cap is a guard.
    static void Balance(List<GroupMember> sorted, Dictionary<string, HashSet<string>> subscribed,
        Dictionary<string, List<TopicPartition>> assignment, int partitionCount)
    {
        var limit = (partitionCount + 1) * (sorted.Count + 1) * 4;
        for (var iteration = 0; iteration < limit; iteration++)
        {
            var moved = false;
            var byLoad = new List<GroupMember>(sorted);
            byLoad.Sort((a, b) =>
            {
                var c = assignment[b.MemberId].Count.CompareTo(assignment[a.MemberId].Count);
                return c != 0 ? c : GroupMember.Order.Compare(a, b);
            });
            foreach (var from in byLoad)
            {
                var partitions = assignment[from.MemberId];
                partitions.Sort(TopicPartitionComparer.Instance);
                for (var i = partitions.Count - 1; i >= 0 && !moved; i--)
                {
                    var tp = partitions[i];
                    var to = LeastLoaded(sorted, subscribed, assignment, tp.Topic);
                    if (to is null || to == from.MemberId || assignment[to].Count >= partitions.Count - 1) continue;
                    partitions.RemoveAt(i);
                    assignment[to].Add(tp);
                    moved = true;
                }
                if (moved) break;
            }
            if (!moved) return;
        }
    }
}
