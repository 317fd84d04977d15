using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Client.Metadata;

/// <summary>What the cluster said about one partition (Java's PartitionInfo plus the leader epoch).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Leader">The leader, or null when it has none or it is not among the known brokers.</param>
/// <param name="LeaderId">The leader's id (-1 when none).</param>
/// <param name="LeaderEpoch">The leader epoch (-1 when the broker is older than Metadata v7).</param>
/// <param name="Replicas">Ids of all replicas.</param>
/// <param name="InSyncReplicas">Ids of in-sync replicas.</param>
/// <param name="OfflineReplicas">Ids of offline replicas.</param>
/// <param name="Error">The partition-level error from the response.</param>
public sealed record PartitionInfo(
    string Topic,
    int Partition,
    Node? Leader,
    int LeaderId,
    int LeaderEpoch,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> InSyncReplicas,
    IReadOnlyList<int> OfflineReplicas,
    ErrorCode Error = ErrorCode.None)
{
    /// <summary>The topic and partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);
}
