using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>Metadata: sent to any broker; brokers, controller, cluster id and topics.</summary>
internal static class MetadataHandler
{
    /// <summary>
    /// Fetches metadata for <paramref name="topics"/> (null: every topic). Auto-creates topics only
    /// when <paramref name="allowAutoTopicCreation"/> (and the broker allows it), as a producer's
    /// metadata request would; a topic being created answers LEADER_NOT_AVAILABLE, which is retried.
    /// An unknown topic is retried like other metadata errors (Java's leader lookup for listOffsets
    /// does) unless <paramref name="unknownTopicIsFinal"/>, which describe operations set: Java's
    /// describeTopics answers an unknown topic at once.
    /// </summary>
    public static Task<ClusterMetadata> RunAsync(AdminContext context, IReadOnlyCollection<string>? topics, CancellationToken cancellationToken,
        bool allowAutoTopicCreation = false, bool unknownTopicIsFinal = false) =>
        context.RetryAsync("Metadata", async ct =>
        {
            var response = await context.Sender.SendAsync<MetadataRequest, MetadataResponse>(
                null, v => Build(v, topics, allowAutoTopicCreation), ct).ConfigureAwait(false);
            return Convert(response, unknownTopicIsFinal);
        }, cancellationToken);

    internal static MetadataRequest Build(short version, IReadOnlyCollection<string>? topics, bool allowAutoTopicCreation = false)
    {
        var request = new MetadataRequest();
        if (topics is null)
        {
            // v0 has no null: an empty list means every topic there.
            request.Topics = version >= 1 ? null : [];
        }
        else
        {
            var list = new List<MetadataRequest.MetadataRequestTopic>(topics.Count);
            foreach (var t in topics)
                list.Add(new MetadataRequest.MetadataRequestTopic { Name = t });
            request.Topics = list;
        }
        if (version >= 4)
            request.AllowAutoTopicCreation = allowAutoTopicCreation;
        return request;
    }

    internal static ClusterMetadata Convert(MetadataResponse response, bool unknownTopicIsFinal = false)
    {
        var brokers = new List<BrokerDescription>(response.Brokers.Count);
        foreach (var b in response.Brokers)
            brokers.Add(new BrokerDescription(b.NodeId, b.Host, b.Port, b.Rack));
        brokers.Sort((a, b) => a.Id.CompareTo(b.Id));
        var topics = new List<TopicDescription>(response.Topics.Count);
        foreach (var t in response.Topics)
        {
            var code = (ErrorCode)t.ErrorCode;
            // For a describe, an unknown topic is an answer, not a hiccup: fail at once instead of
            // retrying until the timeout.
            if (code == ErrorCode.UnknownTopicOrPartition && unknownTopicIsFinal)
                throw new FinalAdminException(code, $"topic '{t.Name}' does not exist");
            if (code != ErrorCode.None)
                throw AdminErrors.Create("Metadata", $"topic '{t.Name}'", code, null);
            var partitions = new List<PartitionDescription>(t.Partitions.Count);
            foreach (var p in t.Partitions)
            {
                var pe = (ErrorCode)p.ErrorCode;
                partitions.Add(new PartitionDescription(p.PartitionIndex, p.LeaderId, p.LeaderEpoch,
                    p.ReplicaNodes.ToArray(), p.IsrNodes.ToArray(), pe == ErrorCode.None ? null : pe));
            }
            partitions.Sort((a, b) => a.Partition.CompareTo(b.Partition));
            topics.Add(new TopicDescription(t.Name ?? "", t.TopicId, t.IsInternal, partitions));
        }
        topics.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ClusterMetadata(new ClusterDescription(response.ClusterId, response.ControllerId, brokers), topics);
    }

    /// <summary>The broker with <paramref name="id"/>, or null when metadata does not list it.</summary>
    public static BrokerDescription? FindBroker(ClusterMetadata metadata, int id)
    {
        foreach (var b in metadata.Cluster.Brokers)
        {
            if (b.Id == id)
                return b;
        }
        return null;
    }
}
