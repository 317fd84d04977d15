using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>ListOffsets v0-9: earliest (-2), latest (-1), max timestamp (-3, KIP-734), earliest local (-4) and by timestamp.</summary>
internal sealed class ListOffsetsHandler(EmbeddedCluster cluster) : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    protected override ValueTask<ListOffsetsResponse?> HandleRequestAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var t in request.Topics)
        {
            var topicResult = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex };
                var partition = cluster.State.Find(t.Name, p.PartitionIndex);
                ErrorCode error = ErrorCode.None;
                long offset = -1;
                long timestamp = -1;
                if (partition is null)
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (partition.Leader != context.BrokerId)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                }
                else if (p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch != partition.LeaderEpoch)
                {
                    error = p.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
                }
                else
                {
                    var log = partition.Log;
                    switch (p.Timestamp)
                    {
                        case -1:
                            offset = version >= 2 && request.IsolationLevel == 1 ? log.LastStableOffset : log.HighWatermark;
                            break;
                        case -2:
                        case -4:
                            offset = log.LogStartOffset;
                            break;
                        case -3:
                            (offset, timestamp) = log.MaxTimestampOffset();
                            break;
                        default:
                            if (p.Timestamp < 0)
                            {
                                error = ErrorCode.InvalidRequest;
                                break;
                            }
                            (offset, timestamp) = log.OffsetForTimestamp(p.Timestamp);
                            break;
                    }
                }
                result.ErrorCode = (short)error;
                if (version == 0)
                {
                    if (error == ErrorCode.None && offset >= 0)
                    {
                        result.OldStyleOffsets.Add(offset);
                    }
                }
                else
                {
                    result.Offset = error == ErrorCode.None ? offset : -1;
                    result.Timestamp = error == ErrorCode.None ? timestamp : -1;
                    if (version >= 4 && error == ErrorCode.None && partition is not null)
                    {
                        result.LeaderEpoch = partition.LeaderEpoch;
                    }
                }
                topicResult.Partitions.Add(result);
            }
            response.Topics.Add(topicResult);
        }
        return new(response);
    }

    protected override ListOffsetsResponse CreateErrorResponse(ListOffsetsRequest request, short version, ErrorCode error)
    {
        var response = new ListOffsetsResponse();
        foreach (var t in request.Topics)
        {
            var topic = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return response;
    }
}
