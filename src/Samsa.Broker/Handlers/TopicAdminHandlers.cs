using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>CreateTopics v0-7 (validateOnly from v1, topic ids from v7, -1 partitions/replication = broker defaults from v4).</summary>
internal sealed class CreateTopicsHandler(EmbeddedCluster cluster) : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    protected override ValueTask<CreateTopicsResponse?> HandleRequestAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = t.Name };
            ErrorCode error;
            string? message;
            int partitions = t.Assignments.Count > 0 ? t.Assignments.Count : t.NumPartitions == -1 ? cluster.Options.DefaultPartitions : t.NumPartitions;
            int replication = t.Assignments.Count > 0 ? t.Assignments[0].BrokerIds.Count : t.ReplicationFactor == -1 ? cluster.DefaultReplicationFactor : t.ReplicationFactor;
            if (!seen.Add(t.Name))
            {
                (error, message) = (ErrorCode.InvalidRequest, $"Topic '{t.Name}' appears more than once in the request.");
            }
            else
            {
                var configs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var c in t.Configs)
                {
                    if (c.Value is not null)
                    {
                        configs[c.Name] = c.Value;
                    }
                }
                var (e, m, created) = cluster.State.CreateTopic(t.Name, partitions, replication, configs, validateOnly: version >= 1 && request.validateOnly);
                (error, message) = (e, m);
                if (created is not null && version >= 7)
                {
                    result.TopicId = created.Id;
                }
            }
            result.ErrorCode = (short)error;
            if (version >= 1)
            {
                result.ErrorMessage = message;
            }
            if (version >= 5)
            {
                if (error == ErrorCode.None)
                {
                    result.NumPartitions = partitions;
                    result.ReplicationFactor = (short)replication;
                    result.Configs = [];
                }
                else
                {
                    result.Configs = null;
                }
            }
            response.Topics.Add(result);
        }
        return new(response);
    }

    protected override CreateTopicsResponse CreateErrorResponse(CreateTopicsRequest request, short version, ErrorCode error)
    {
        var response = new CreateTopicsResponse();
        foreach (var t in request.Topics)
        {
            response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult { Name = t.Name, ErrorCode = (short)error, ErrorMessage = version >= 1 ? error.ToString() : "", Configs = version >= 5 ? null : [] });
        }
        return response;
    }
}

/// <summary>DeleteTopics v0-6 (by name, or by name or id from v6).</summary>
internal sealed class DeleteTopicsHandler(EmbeddedCluster cluster) : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    protected override ValueTask<DeleteTopicsResponse?> HandleRequestAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new DeleteTopicsResponse();
        var targets = version >= 6
            ? request.Topics.ConvertAll(t => (t.Name, t.TopicId))
            : request.TopicNames.ConvertAll(n => ((string?)n, Guid.Empty));
        foreach (var (name, id) in targets)
        {
            var topic = name is not null ? cluster.State.Find(name) : cluster.State.Find(id);
            ErrorCode error = topic is null
                ? (name is null ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition)
                : cluster.State.DeleteTopic(topic.Name);
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = topic?.Name ?? name, ErrorCode = (short)error };
            if (version >= 6)
            {
                result.TopicId = topic?.Id ?? id;
            }
            else
            {
                result.Name ??= "";
            }
            if (version >= 5 && error != ErrorCode.None)
            {
                result.ErrorMessage = error == ErrorCode.UnknownTopicId ? $"Topic id {id} does not exist." : $"Topic '{name}' does not exist.";
            }
            response.Responses.Add(result);
        }
        return new(response);
    }

    protected override DeleteTopicsResponse CreateErrorResponse(DeleteTopicsRequest request, short version, ErrorCode error)
    {
        var response = new DeleteTopicsResponse();
        if (version >= 6)
        {
            foreach (var t in request.Topics)
            {
                response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = t.Name, TopicId = t.TopicId, ErrorCode = (short)error });
            }
        }
        else
        {
            foreach (var n in request.TopicNames)
            {
                response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = n, ErrorCode = (short)error });
            }
        }
        return response;
    }
}

/// <summary>CreatePartitions v0-3: grows a topic to a new total.</summary>
internal sealed class CreatePartitionsHandler(EmbeddedCluster cluster) : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    protected override ValueTask<CreatePartitionsResponse?> HandleRequestAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreatePartitionsResponse();
        foreach (var t in request.Topics)
        {
            var (error, message) = cluster.State.CreatePartitions(t.Name, t.Count, request.ValidateOnly);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name, ErrorCode = (short)error, ErrorMessage = message });
        }
        return new(response);
    }

    protected override CreatePartitionsResponse CreateErrorResponse(CreatePartitionsRequest request, short version, ErrorCode error)
    {
        var response = new CreatePartitionsResponse();
        foreach (var t in request.Topics)
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name, ErrorCode = (short)error });
        }
        return response;
    }
}

/// <summary>DescribeCluster v0-1 (KIP-700).</summary>
internal sealed class DescribeClusterHandler(EmbeddedCluster cluster) : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    protected override ValueTask<DescribeClusterResponse?> HandleRequestAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        if (context.ApiVersion >= 1 && request.EndpointType != 1)
        {
            return new(new DescribeClusterResponse { ErrorCode = (short)ErrorCode.UnsupportedEndpointType, ErrorMessage = $"Endpoint type {request.EndpointType} is not supported; only brokers (1)." , EndpointType = request.EndpointType });
        }
        var response = new DescribeClusterResponse { ClusterId = cluster.ClusterId };
        foreach (int id in cluster.State.AliveBrokers())
        {
            if (cluster.LiveBroker(id) is { } broker)
            {
                response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = id, Host = broker.Host, Port = broker.Port });
            }
        }
        response.ControllerId = response.Brokers.Count > 0 ? response.Brokers[0].BrokerId : -1;
        return new(response);
    }

    protected override DescribeClusterResponse CreateErrorResponse(DescribeClusterRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>OffsetForLeaderEpoch v0-4: there is one log per partition and no truncation, so the end offset of the current epoch is the high watermark.</summary>
internal sealed class OffsetForLeaderEpochHandler(EmbeddedCluster cluster) : ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleRequestAsync(RequestContext context, OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var t in request.Topics)
        {
            var topic = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = t.Topic };
            foreach (var p in t.Partitions)
            {
                var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition };
                var partition = cluster.State.Find(t.Topic, p.Partition);
                if (partition is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                }
                else if (partition.Leader != context.BrokerId)
                {
                    result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                }
                else if (p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch != partition.LeaderEpoch)
                {
                    result.ErrorCode = (short)(p.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch);
                }
                else
                {
                    result.LeaderEpoch = context.ApiVersion >= 1 ? partition.LeaderEpoch : -1;
                    result.EndOffset = partition.Log.HighWatermark;
                }
                topic.Partitions.Add(result);
            }
            response.Topics.Add(topic);
        }
        return new(response);
    }

    protected override OffsetForLeaderEpochResponse CreateErrorResponse(OffsetForLeaderEpochRequest request, short version, ErrorCode error)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var t in request.Topics)
        {
            var topic = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = t.Topic };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return response;
    }
}

/// <summary>DeleteRecords v0-2: moves the log start offset forward.</summary>
internal sealed class DeleteRecordsHandler(EmbeddedCluster cluster) : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    protected override ValueTask<DeleteRecordsResponse?> HandleRequestAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteRecordsResponse();
        foreach (var t in request.Topics)
        {
            var topic = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1 };
                var partition = cluster.State.Find(t.Name, p.PartitionIndex);
                if (partition is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                }
                else if (partition.Leader != context.BrokerId)
                {
                    result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
                }
                else if (p.Offset > partition.Log.HighWatermark || p.Offset < -1)
                {
                    result.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                }
                else
                {
                    result.LowWatermark = partition.Log.DeleteRecordsBefore(p.Offset);
                }
                topic.Partitions.Add(result);
            }
            response.Topics.Add(topic);
        }
        return new(response);
    }

    protected override DeleteRecordsResponse CreateErrorResponse(DeleteRecordsRequest request, short version, ErrorCode error)
    {
        var response = new DeleteRecordsResponse();
        foreach (var t in request.Topics)
        {
            var topic = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return response;
    }
}
