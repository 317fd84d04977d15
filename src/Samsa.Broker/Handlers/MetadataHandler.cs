using Samsa.Broker.Network;
using Samsa.Broker.State;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>Metadata v0-12: live brokers, topics (auto-created when allowed), leaders, replicas and ISRs.</summary>
internal sealed class MetadataHandler(EmbeddedCluster cluster) : ApiHandler<MetadataRequest, MetadataResponse>
{
    protected override ValueTask<MetadataResponse?> HandleRequestAsync(RequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new MetadataResponse();
        foreach (int id in cluster.State.AliveBrokers())
        {
            if (cluster.LiveBroker(id) is { } broker)
            {
                response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = id, Host = broker.Host, Port = broker.Port });
            }
        }
        if (version >= 1)
        {
            response.ControllerId = response.Brokers.Count > 0 ? response.Brokers[0].NodeId : -1;
        }
        if (version >= 2)
        {
            response.ClusterId = cluster.ClusterId;
        }
        // v0: an empty list means all topics; v1+: null means all, empty means none.
        bool all = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (all)
        {
            foreach (var topic in cluster.State.Topics())
            {
                response.Topics.Add(Describe(topic, version));
            }
        }
        else
        {
            bool autoCreate = cluster.Options.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);
            foreach (var requested in request.Topics!)
            {
                response.Topics.Add(Lookup(requested, autoCreate, version));
            }
        }
        return new(response);
    }

    private MetadataResponse.MetadataResponseTopic Lookup(MetadataRequest.MetadataRequestTopic requested, bool autoCreate, short version)
    {
        if (requested.Name is null)
        {
            var byId = cluster.State.Find(requested.TopicId);
            return byId is not null
                ? Describe(byId, version)
                : new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, Name = null, TopicId = requested.TopicId };
        }
        var topic = cluster.State.Find(requested.Name);
        if (topic is null)
        {
            if (ClusterState.ValidateName(requested.Name) is not null)
            {
                return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.InvalidTopicException, Name = requested.Name };
            }
            if (autoCreate)
            {
                var (error, _, created) = cluster.State.CreateTopic(requested.Name, cluster.Options.DefaultPartitions, cluster.DefaultReplicationFactor, null);
                topic = created ?? cluster.State.Find(requested.Name);
                if (topic is null)
                {
                    return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)error, Name = requested.Name };
                }
            }
            else
            {
                return new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicOrPartition, Name = requested.Name };
            }
        }
        return Describe(topic, version);
    }

    private MetadataResponse.MetadataResponseTopic Describe(TopicState topic, short version)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = version >= 10 ? topic.Id : Guid.Empty,
            IsInternal = topic.IsInternal,
        };
        foreach (var p in topic.Partitions)
        {
            var partition = new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = p.Index,
                LeaderId = p.Leader,
                ErrorCode = (short)(p.Leader < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                LeaderEpoch = version >= 7 ? p.LeaderEpoch : -1,
            };
            partition.ReplicaNodes.AddRange(p.Replicas);
            var isr = cluster.State.Isr(p);
            partition.IsrNodes.AddRange(isr);
            if (version >= 5)
            {
                foreach (int r in p.Replicas)
                {
                    if (Array.IndexOf(isr, r) < 0)
                    {
                        partition.OfflineReplicas.Add(r);
                    }
                }
            }
            result.Partitions.Add(partition);
        }
        return result;
    }

    protected override MetadataResponse CreateErrorResponse(MetadataRequest request, short version, ErrorCode error)
    {
        var response = new MetadataResponse();
        foreach (var t in request.Topics ?? [])
        {
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)error, Name = t.Name, TopicId = t.TopicId });
        }
        return response;
    }
}
