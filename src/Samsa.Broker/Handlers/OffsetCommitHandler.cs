using Samsa.Broker.Network;
using Samsa.Broker.State;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>OffsetCommit v0-9: generation/member checks, then per-partition results.</summary>
internal sealed class OffsetCommitHandler(EmbeddedCluster cluster) : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    protected override ValueTask<OffsetCommitResponse?> HandleRequestAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        ErrorCode groupError;
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            groupError = ErrorCode.NotCoordinator;
        }
        else if (string.IsNullOrEmpty(request.GroupId))
        {
            groupError = ErrorCode.InvalidGroupId;
        }
        else
        {
            // v0 has no generation: it is a simple commit.
            int generation = version >= 1 ? request.GenerationIdOrMemberEpoch : -1;
            string memberId = version >= 1 ? request.MemberId : "";
            groupError = cluster.Groups.ValidateCommit(request.GroupId, generation, memberId, version >= 7 ? request.GroupInstanceId : null);
        }
        long now = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var response = new OffsetCommitResponse();
        bool stored = false;
        foreach (var t in request.Topics)
        {
            var topicResult = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = t.Name };
            var topic = cluster.State.Find(t.Name);
            foreach (var p in t.Partitions)
            {
                var error = groupError;
                if (error == ErrorCode.None && (topic is null || p.PartitionIndex < 0 || p.PartitionIndex >= topic.Partitions.Count))
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (error == ErrorCode.None && p.CommittedMetadata is { Length: > 4096 })
                {
                    error = ErrorCode.OffsetMetadataTooLarge;
                }
                if (error == ErrorCode.None)
                {
                    cluster.Groups.StoreOffset(request.GroupId, t.Name, p.PartitionIndex,
                        new CommittedOffset(p.CommittedOffset, version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata, now));
                    stored = true;
                }
                topicResult.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topicResult);
        }
        if (stored)
        {
            cluster.Groups.OnOffsetsStored();
        }
        return new(response);
    }

    protected override OffsetCommitResponse CreateErrorResponse(OffsetCommitRequest request, short version, ErrorCode error)
    {
        var response = new OffsetCommitResponse();
        foreach (var t in request.Topics)
        {
            var topic = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return response;
    }
}

/// <summary>OffsetFetch v0-9: one group (v0-7, null topics = all from v2) or many groups (v8+, KIP-709).</summary>
internal sealed class OffsetFetchHandler(EmbeddedCluster cluster) : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    protected override ValueTask<OffsetFetchResponse?> HandleRequestAsync(RequestContext context, OffsetFetchRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new OffsetFetchResponse();
        if (version >= 8)
        {
            foreach (var g in request.Groups)
            {
                var group = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId };
                if (!CoordinatorCheck.IsCoordinator(cluster, context, g.GroupId))
                {
                    group.ErrorCode = (short)ErrorCode.NotCoordinator;
                }
                else
                {
                    var requested = g.Topics?.ConvertAll(t => (t.Name, t.PartitionIndexes));
                    foreach (var (name, partitions) in Collect(g.GroupId, requested, request.RequireStable))
                    {
                        var topic = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = name };
                        foreach (var r in partitions)
                        {
                            topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                            {
                                PartitionIndex = r.Partition, CommittedOffset = r.Offset, CommittedLeaderEpoch = r.LeaderEpoch,
                                Metadata = r.Metadata, ErrorCode = (short)r.Error,
                            });
                        }
                        group.Topics.Add(topic);
                    }
                }
                response.Groups.Add(group);
            }
            return new(response);
        }
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return new(CreateErrorResponse(request, version, ErrorCode.NotCoordinator));
        }
        var wanted = request.Topics?.ConvertAll(t => (t.Name, t.PartitionIndexes));
        foreach (var (name, partitions) in Collect(request.GroupId, wanted, version >= 7 && request.RequireStable))
        {
            var topic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = name };
            foreach (var r in partitions)
            {
                topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = r.Partition, CommittedOffset = r.Offset,
                    CommittedLeaderEpoch = version >= 5 ? r.LeaderEpoch : -1,
                    Metadata = r.Metadata, ErrorCode = (short)r.Error,
                });
            }
            response.Topics.Add(topic);
        }
        return new(response);
    }

    private readonly record struct PartitionOffset(int Partition, long Offset, int LeaderEpoch, string? Metadata, ErrorCode Error);

    private List<(string Name, List<PartitionOffset> Partitions)> Collect(string groupId, List<(string Name, List<int> Partitions)>? requested, bool requireStable)
    {
        var result = new List<(string, List<PartitionOffset>)>();
        if (requested is null)
        {
            foreach (var (topic, partition, offset) in cluster.Groups.FetchAllOffsets(groupId))
            {
                if (result.Count == 0 || result[^1].Item1 != topic)
                {
                    result.Add((topic, []));
                }
                result[^1].Item2.Add(new PartitionOffset(partition, offset.Offset, offset.LeaderEpoch, offset.Metadata ?? "", ErrorCode.None));
            }
            return result;
        }
        foreach (var (name, partitions) in requested)
        {
            var list = new List<PartitionOffset>();
            foreach (int p in partitions)
            {
                var committed = cluster.Groups.FetchOffset(groupId, name, p, out bool unstable);
                if (requireStable && unstable)
                {
                    list.Add(new PartitionOffset(p, -1, -1, "", ErrorCode.UnstableOffsetCommit));
                }
                else if (committed is { } c)
                {
                    list.Add(new PartitionOffset(p, c.Offset, c.LeaderEpoch, c.Metadata ?? "", ErrorCode.None));
                }
                else
                {
                    list.Add(new PartitionOffset(p, -1, -1, "", ErrorCode.None));
                }
            }
            result.Add((name, list));
        }
        return result;
    }

    protected override OffsetFetchResponse CreateErrorResponse(OffsetFetchRequest request, short version, ErrorCode error)
    {
        var response = new OffsetFetchResponse();
        if (version >= 8)
        {
            foreach (var g in request.Groups)
            {
                response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error });
            }
        }
        else if (version >= 2)
        {
            response.ErrorCode = (short)error;
        }
        else
        {
            foreach (var t in request.Topics ?? [])
            {
                var topic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = t.Name };
                foreach (int p in t.PartitionIndexes)
                {
                    topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = p, CommittedOffset = -1, ErrorCode = (short)error });
                }
                response.Topics.Add(topic);
            }
        }
        return response;
    }
}
