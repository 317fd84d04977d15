using System.Collections.Frozen;
using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Client.Metadata;

/// <summary>
/// An immutable snapshot of the cluster (Java's Cluster/MetadataSnapshot): brokers, controller,
/// cluster id, topics and partitions with leader, replicas, ISR and leader epoch. Any thread may
/// read it; <see cref="ClientMetadata.Fetch"/> returns the latest one.
/// </summary>
public sealed class Cluster
{
    private readonly FrozenDictionary<int, Node> _nodesById;
    private readonly FrozenDictionary<string, TopicInfo> _topics;
    private readonly FrozenDictionary<string, PartitionInfo[]> _partitionsByTopic;
    private readonly FrozenDictionary<string, PartitionInfo[]> _availablePartitionsByTopic;
    private readonly FrozenDictionary<TopicPartition, PartitionInfo> _partitions;
    private readonly FrozenDictionary<Guid, string> _topicNamesById;

    /// <summary>Creates a snapshot.</summary>
    public Cluster(
        string? clusterId,
        IReadOnlyList<Node> nodes,
        IEnumerable<PartitionInfo> partitions,
        IEnumerable<TopicInfo> topics,
        Node? controller = null,
        bool isBootstrapConfigured = false)
    {
        ClusterId = clusterId;
        Nodes = nodes;
        Controller = controller;
        IsBootstrapConfigured = isBootstrapConfigured;
        var byId = new Dictionary<int, Node>();
        foreach (var n in nodes)
            byId[n.Id] = n;
        _nodesById = byId.ToFrozenDictionary();

        var topicMap = new Dictionary<string, TopicInfo>(StringComparer.Ordinal);
        var ids = new Dictionary<Guid, string>();
        foreach (var t in topics)
        {
            topicMap[t.Name] = t;
            if (t.TopicId != Guid.Empty)
                ids[t.TopicId] = t.Name;
        }
        _topics = topicMap.ToFrozenDictionary(StringComparer.Ordinal);
        _topicNamesById = ids.ToFrozenDictionary();

        var partitionMap = new Dictionary<TopicPartition, PartitionInfo>();
        var byTopic = new Dictionary<string, List<PartitionInfo>>(StringComparer.Ordinal);
        foreach (var p in partitions)
        {
            partitionMap[p.TopicPartition] = p;
            if (!byTopic.TryGetValue(p.Topic, out var list))
                byTopic[p.Topic] = list = [];
            list.Add(p);
        }
        _partitions = partitionMap.ToFrozenDictionary();
        var all = new Dictionary<string, PartitionInfo[]>(StringComparer.Ordinal);
        var available = new Dictionary<string, PartitionInfo[]>(StringComparer.Ordinal);
        foreach (var (topic, list) in byTopic)
        {
            list.Sort(static (a, b) => a.Partition.CompareTo(b.Partition));
            all[topic] = [.. list];
            available[topic] = list.FindAll(static p => p.Leader is not null).ToArray();
        }
        _partitionsByTopic = all.ToFrozenDictionary(StringComparer.Ordinal);
        _availablePartitionsByTopic = available.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>A cluster with nothing in it.</summary>
    public static Cluster Empty { get; } = new(null, [], [], []);

    /// <summary>The bootstrap cluster: one node per address with ids -1, -2, ...</summary>
    public static Cluster Bootstrap(IReadOnlyList<(string Host, int Port)> addresses)
    {
        var nodes = new Node[addresses.Count];
        for (var i = 0; i < nodes.Length; i++)
            nodes[i] = new Node(-(i + 1), addresses[i].Host, addresses[i].Port);
        return new Cluster(null, nodes, [], [], null, isBootstrapConfigured: true);
    }

    /// <summary>The cluster id (Metadata v2+), or null.</summary>
    public string? ClusterId { get; }

    /// <summary>The known brokers.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The controller (Metadata v1+), or null.</summary>
    public Node? Controller { get; }

    /// <summary>True while only the bootstrap addresses are known.</summary>
    public bool IsBootstrapConfigured { get; }

    /// <summary>Topic names in this snapshot (with or without errors).</summary>
    public IEnumerable<string> Topics => _topics.Keys;

    /// <summary>Topic-level facts, or null when the topic is not in the snapshot.</summary>
    public TopicInfo? Topic(string topic) => _topics.GetValueOrDefault(topic);

    /// <summary>A broker by id, or null.</summary>
    public Node? NodeById(int id) => _nodesById.GetValueOrDefault(id);

    /// <summary>All partitions of a topic, by index; empty when unknown.</summary>
    public IReadOnlyList<PartitionInfo> PartitionsForTopic(string topic) => _partitionsByTopic.GetValueOrDefault(topic) ?? [];

    /// <summary>Partitions of a topic that have a known leader.</summary>
    public IReadOnlyList<PartitionInfo> AvailablePartitionsForTopic(string topic) => _availablePartitionsByTopic.GetValueOrDefault(topic) ?? [];

    /// <summary>The number of partitions of a topic, or null when unknown.</summary>
    public int? PartitionCountForTopic(string topic) => _partitionsByTopic.TryGetValue(topic, out var p) ? p.Length : null;

    /// <summary>A partition, or null.</summary>
    public PartitionInfo? Partition(TopicPartition partition) => _partitions.GetValueOrDefault(partition);

    /// <summary>The leader of a partition, or null when unknown or leaderless.</summary>
    public Node? LeaderFor(TopicPartition partition) => _partitions.GetValueOrDefault(partition)?.Leader;

    /// <summary>Every partition in the snapshot.</summary>
    public IEnumerable<PartitionInfo> Partitions => _partitions.Values;

    /// <summary>Partitions led by a node.</summary>
    public IEnumerable<PartitionInfo> PartitionsForNode(int nodeId)
    {
        foreach (var p in _partitions.Values)
        {
            if (p.LeaderId == nodeId)
                yield return p;
        }
    }

    /// <summary>The id of a topic, or <see cref="Guid.Empty"/>.</summary>
    public Guid TopicId(string topic) => _topics.TryGetValue(topic, out var t) ? t.TopicId : Guid.Empty;

    /// <summary>The name of a topic id, or null.</summary>
    public string? TopicName(Guid topicId) => _topicNamesById.GetValueOrDefault(topicId);

    /// <summary>Topics whose entry carried an error, with the error.</summary>
    public IEnumerable<TopicInfo> TopicsWithErrors
    {
        get
        {
            foreach (var t in _topics.Values)
            {
                if (t.Error != ErrorCode.None)
                    yield return t;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString()
        => $"Cluster(id = {ClusterId}, nodes = [{string.Join(", ", Nodes)}], topics = {_topics.Count}, partitions = {_partitions.Count}, controller = {Controller})";
}
