using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// OffsetDelete v0 (KIP-496). Kafka refuses partitions the group is still subscribed to; this
/// broker does not decode subscriptions, so it refuses (GROUP_SUBSCRIBED_TO_TOPIC) whenever the
/// group has members and deletes freely when it is empty.
/// </summary>
internal sealed class OffsetDeleteHandler(EmbeddedCluster cluster) : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    protected override ValueTask<OffsetDeleteResponse?> HandleRequestAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return new(CreateErrorResponse(request, context.ApiVersion, ErrorCode.NotCoordinator));
        }
        var (state, _, _, members) = cluster.Groups.Describe(request.GroupId);
        if (state == "Dead")
        {
            return new(CreateErrorResponse(request, context.ApiVersion, ErrorCode.GroupIdNotFound));
        }
        var response = new OffsetDeleteResponse();
        foreach (var t in request.Topics)
        {
            var topic = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                ErrorCode error = members.Count > 0
                    ? ErrorCode.GroupSubscribedToTopic
                    : cluster.State.Find(t.Name, p.PartitionIndex) is null ? ErrorCode.UnknownTopicOrPartition : cluster.Groups.DeleteOffsets(request.GroupId, t.Name, p.PartitionIndex);
                topic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        cluster.Groups.OnOffsetsStored();
        return new(response);
    }

    protected override OffsetDeleteResponse CreateErrorResponse(OffsetDeleteRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}
