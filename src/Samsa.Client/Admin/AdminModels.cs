using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol;

namespace Samsa.Client.Admin;

/// <summary>A broker of the cluster as metadata reports it.</summary>
/// <param name="Id">Broker (node) id.</param>
/// <param name="Host">Advertised host.</param>
/// <param name="Port">Advertised port.</param>
/// <param name="Rack">Rack, when the broker has one.</param>
public sealed record BrokerDescription(int Id, string Host, int Port, string? Rack)
{
    /// <summary><c>host:port</c>.</summary>
    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>The cluster's identity, controller and brokers (Java's DescribeClusterResult).</summary>
/// <param name="ClusterId">Cluster id, or null when the broker is too old to report one.</param>
/// <param name="ControllerId">Id of the controller broker, or -1 when unknown.</param>
/// <param name="Brokers">Every live broker, by id.</param>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerDescription> Brokers);

/// <summary>One partition of a topic as metadata reports it (Java's TopicPartitionInfo).</summary>
/// <param name="Partition">Partition number.</param>
/// <param name="Leader">Leader broker id, or -1 when the partition has no leader.</param>
/// <param name="LeaderEpoch">Leader epoch, or -1 when the broker does not report it.</param>
/// <param name="Replicas">Replica broker ids.</param>
/// <param name="Isr">In-sync replica broker ids.</param>
/// <param name="Error">The partition's error, if metadata reported one (e.g. LeaderNotAvailable).</param>
public sealed record PartitionDescription(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, ErrorCode? Error);

/// <summary>A topic with its partitions (Java's TopicDescription).</summary>
/// <param name="Name">Topic name.</param>
/// <param name="TopicId">Topic id (all zero when the broker does not report ids).</param>
/// <param name="IsInternal">True for internal topics such as <c>__consumer_offsets</c>.</param>
/// <param name="Partitions">Partitions ordered by number.</param>
public sealed record TopicDescription(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionDescription> Partitions);

/// <summary>A metadata snapshot: cluster plus the topics asked for.</summary>
/// <param name="Cluster">Cluster id, controller and brokers.</param>
/// <param name="Topics">Topics, ordered by name.</param>
public sealed record ClusterMetadata(ClusterDescription Cluster, IReadOnlyList<TopicDescription> Topics);

/// <summary>A topic to create (Java's NewTopic).</summary>
/// <param name="Name">Topic name.</param>
/// <param name="NumPartitions">Partition count, or -1 for the broker's default.</param>
/// <param name="ReplicationFactor">Replication factor, or -1 for the broker's default.</param>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    /// <summary>Topic configuration entries (e.g. <c>cleanup.policy=compact</c>).</summary>
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}

/// <summary>A group as ListGroups reports it (Java's GroupListing).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="ProtocolType">Protocol type (<c>consumer</c> for consumer groups).</param>
/// <param name="State">Group state when the broker reports it (ListGroups v4+), else null.</param>
/// <param name="CoordinatorId">The broker that answered (the group's coordinator).</param>
public sealed record GroupListing(string GroupId, string ProtocolType, string? State, int CoordinatorId);

/// <summary>A member of a group (Java's MemberDescription).</summary>
/// <param name="MemberId">Member id given by the coordinator.</param>
/// <param name="GroupInstanceId">Static membership id, if any.</param>
/// <param name="ClientId">The member's client.id.</param>
/// <param name="Host">The member's host as the coordinator saw it.</param>
/// <param name="Assignment">Partitions assigned to the member (decoded for consumer groups).</param>
public sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group's state and members (Java's ConsumerGroupDescription).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="State">State (<c>Stable</c>, <c>Empty</c>, <c>PreparingRebalance</c>, ... or <c>Dead</c> when unknown).</param>
/// <param name="ProtocolType">Protocol type, e.g. <c>consumer</c>.</param>
/// <param name="Protocol">The chosen assignor, e.g. <c>range</c>.</param>
/// <param name="CoordinatorId">Coordinator broker id.</param>
/// <param name="Members">Members with their assignments.</param>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, int CoordinatorId, IReadOnlyList<MemberDescription> Members);

/// <summary>Which offset ListOffsets looks up (Java's OffsetSpec).</summary>
public readonly record struct OffsetSpec(long Timestamp)
{
    /// <summary>The log start offset.</summary>
    public static OffsetSpec Earliest => new(-2);

    /// <summary>The log end offset (high watermark).</summary>
    public static OffsetSpec Latest => new(-1);

    /// <summary>The first offset whose timestamp is at least <paramref name="unixMs"/>.</summary>
    public static OffsetSpec ForTimestamp(long unixMs) => new(unixMs);
}

/// <summary>The result of ListOffsets for one partition (Java's ListOffsetsResultInfo).</summary>
/// <param name="Offset">The offset found, or -1 when no record matches a timestamp query.</param>
/// <param name="Timestamp">The record's timestamp, or -1.</param>
/// <param name="LeaderEpoch">Leader epoch when reported.</param>
public sealed record ListOffsetsResultInfo(long Offset, long Timestamp, int? LeaderEpoch);
