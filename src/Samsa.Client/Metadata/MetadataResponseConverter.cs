using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Metadata;

/// <summary>Turns a Metadata response (any version) into a <see cref="Cluster"/>.</summary>
public static class MetadataResponseConverter
{
    /// <summary>Converts; fields missing in old versions get their defaults (no epoch, no controller, no id).</summary>
    public static Cluster ToCluster(MetadataResponse response, short version)
    {
        var nodes = new List<Node>(response.Brokers.Count);
        var byId = new Dictionary<int, Node>();
        foreach (var b in response.Brokers)
        {
            var node = new Node(b.NodeId, b.Host, b.Port, b.Rack);
            nodes.Add(node);
            byId[node.Id] = node;
        }
        var controller = version >= 1 && byId.TryGetValue(response.ControllerId, out var c) ? c : null;
        var topics = new List<TopicInfo>(response.Topics.Count);
        var partitions = new List<PartitionInfo>();
        foreach (var t in response.Topics)
        {
            if (t.Name is not { } name)
                continue; // v12+: unknown topic queried by id
            var topicError = (ErrorCode)t.ErrorCode;
            topics.Add(new TopicInfo(name, version >= 10 ? t.TopicId : Guid.Empty, t.IsInternal, topicError));
            foreach (var p in t.Partitions)
            {
                var leader = p.LeaderId >= 0 ? byId.GetValueOrDefault(p.LeaderId) : null;
                partitions.Add(new PartitionInfo(name, p.PartitionIndex, leader, p.LeaderId,
                    version >= 7 ? p.LeaderEpoch : -1,
                    [.. p.ReplicaNodes], [.. p.IsrNodes], p.OfflineReplicas is { } offline ? [.. offline] : [],
                    (ErrorCode)p.ErrorCode));
            }
        }
        return new Cluster(version >= 2 ? response.ClusterId : null, nodes, partitions, topics, controller);
    }
}
