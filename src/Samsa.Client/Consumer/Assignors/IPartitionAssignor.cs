using Samsa.Client.Metadata;
namespace Samsa.Client.Consumer.Assignors;

/// <summary>How partitions move between members in a rebalance (Java's RebalanceProtocol).</summary>
public enum RebalanceProtocol
{
    /// <summary>Every member revokes all its partitions before rejoining.</summary>
    Eager,

    /// <summary>Members keep their partitions across a rebalance; only moved partitions are revoked (KIP-429).</summary>
    Cooperative,
}

/// <summary>One group member's subscription as the leader sees it when assigning.</summary>
/// <param name="MemberId">The member id the coordinator gave.</param>
/// <param name="GroupInstanceId">Static membership id, when the member has one.</param>
/// <param name="Topics">Topics the member subscribes to.</param>
/// <param name="OwnedPartitions">Partitions the member owned in the previous generation (subscription v1+).</param>
/// <param name="GenerationId">The generation the owned partitions came from (subscription v2+), or -1.</param>
/// <param name="RackId">The member's rack (subscription v3+).</param>
public sealed record GroupMember(
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int GenerationId = -1,
    string? RackId = null)
{
    /// <summary>
    /// Java's MemberInfo order: static members first by instance id, then dynamic members by member id.
    /// Assignors iterate members in this order, so the same group gets the same assignment from any leader.
    /// </summary>
    public static readonly IComparer<GroupMember> Order = Comparer<GroupMember>.Create(static (a, b) =>
    {
        if (a.GroupInstanceId is not null && b.GroupInstanceId is not null)
            return string.CompareOrdinal(a.GroupInstanceId, b.GroupInstanceId);
        if (a.GroupInstanceId is not null) return -1;
        if (b.GroupInstanceId is not null) return 1;
        return string.CompareOrdinal(a.MemberId, b.MemberId);
    });
}

/// <summary>
/// Computes the partition assignment for a consumer group; the group leader runs it
/// (Java's ConsumerPartitionAssignor). Results depend only on the inputs.
/// </summary>
public interface IPartitionAssignor
{
    /// <summary>The protocol name sent in JoinGroup, e.g. <c>range</c>; other clients use the same names.</summary>
    string Name { get; }

    /// <summary>The rebalance protocol this assignor supports.</summary>
    RebalanceProtocol Protocol { get; }

    /// <summary>Assigns partitions to members.</summary>
    /// <param name="partitionsPerTopic">Partition count of every subscribed topic that exists.</param>
    /// <param name="members">All members with their subscriptions.</param>
    /// <returns>Member id to its partitions; every member appears, possibly with none.</returns>
    Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members);
}

/// <summary>Creates assignors by their Kafka names.</summary>
public static class PartitionAssignors
{
    /// <summary>Returns the assignor for a name (<c>range</c>, <c>roundrobin</c>, <c>cooperative-sticky</c>,
    /// or the Java class name), or null when unknown.</summary>
    public static IPartitionAssignor? Create(string name) => name switch
    {
        "range" or "org.apache.kafka.clients.consumer.RangeAssignor" => new RangeAssignor(),
        "roundrobin" or "org.apache.kafka.clients.consumer.RoundRobinAssignor" => new RoundRobinAssignor(),
        "cooperative-sticky" or "org.apache.kafka.clients.consumer.CooperativeStickyAssignor" => new CooperativeStickyAssignor(),
        _ => null,
    };

    internal static Dictionary<string, List<TopicPartition>> EmptyAssignment(IReadOnlyList<GroupMember> members)
    {
        var result = new Dictionary<string, List<TopicPartition>>(members.Count, StringComparer.Ordinal);
        foreach (var m in members) result[m.MemberId] = [];
        return result;
    }
}
