using Samsa.Client.Metadata;
namespace Samsa.Client.Producer;

/// <summary>
/// What the accumulator and sender need to know of the cluster: partition counts, leaders, and the
/// partitions each broker leads. An immutable snapshot, like Java's Cluster.
/// </summary>
internal interface IProducerCluster
{
    /// <summary>Partitions of <paramref name="topic"/>, or -1 when the topic's metadata is unknown.</summary>
    int PartitionCount(string topic);

    /// <summary>The leader's node id, or -1 when the partition has no known leader.</summary>
    int LeaderFor(TopicPartition partition);

    /// <summary>The partitions led by <paramref name="nodeId"/>, in a stable order.</summary>
    IReadOnlyList<TopicPartition> PartitionsForNode(int nodeId);
}
